import type { ReactNode } from 'react';
import type { User } from '../api/types';
import { NotFoundPage } from '../pages/NotFoundPage';
import { Redirect, safeRedirectPath, useLocation, useSearchParam } from '../router/router';
import { useAuth, type AnonymousReason } from './AuthContext';

export const SIGN_IN_PATH = '/sign-in';
export const HOME_PATH = '/feed';
/** Where a person lands once their account is deleted (no session needed). */
export const GOODBYE_PATH = '/goodbye';

/** What the sign-in page may receive in history state. */
export interface SignInState {
  notice?: string;
  /** Pre-fills the "Username or email" field. */
  login?: string;
}

export function readSignInState(state: unknown): SignInState {
  if (typeof state !== 'object' || state === null) return {};
  const { notice, login } = state as Record<string, unknown>;
  return {
    notice: typeof notice === 'string' ? notice : undefined,
    login: typeof login === 'string' ? login : undefined,
  };
}

const NOTICES: Record<AnonymousReason, string | undefined> = {
  initial: undefined,
  expired: 'Your session has ended. Please sign in again.',
  'signed-out': 'You have signed out.',
  'signed-out-everywhere': 'You have signed out on all your devices.',
  'account-deleted': undefined,
};

export function Loading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}

/** Shows `children` to signed-in people; sends others to sign in, remembering where they were going. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const { pathname, search } = useLocation();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'authenticated') return children;
  // The account is gone: a screen that needs it leads to the goodbye page, not to sign-in.
  if (state.reason === 'account-deleted') return <Redirect to={GOODBYE_PATH} />;

  const signedOut = state.reason === 'signed-out' || state.reason === 'signed-out-everywhere';
  const to = signedOut
    ? SIGN_IN_PATH
    : `${SIGN_IN_PATH}?${new URLSearchParams({ next: pathname + search }).toString()}`;
  const notice = NOTICES[state.reason];
  return <Redirect to={to} state={notice ? { notice } satisfies SignInState : undefined} />;
}

/** Sign-in and sign-up screens: a signed-in person goes straight on. */
export function PublicOnly({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const next = useSearchParam('next');
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'authenticated') return <Redirect to={safeRedirectPath(next, HOME_PATH)} />;
  return children;
}

/** Whether the person looks after reports; a missing field (an older server) means no. */
export function isOperator(user: Pick<User, 'operator'> | null | undefined): boolean {
  return user?.operator === true;
}

/** True while an operator is signed in. */
export function useIsOperator(): boolean {
  const { state } = useAuth();
  return state.status === 'authenticated' && isOperator(state.user);
}

/**
 * The operators' screens: signed-in people who are not operators see "Page
 * not found", as for any address that leads nowhere (nothing says it exists).
 */
export function RequireOperator({ children }: { children: ReactNode }) {
  return useIsOperator() ? children : <NotFoundPage />;
}
