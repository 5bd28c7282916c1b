import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { AuthApi, SessionResponse, User } from '../api';
import { isApiError } from '../api';

export type AuthState =
  | { status: 'loading' }
  | { status: 'authenticated'; user: User }
  | { status: 'anonymous'; reason: AnonymousReason };

/**
 * Why nobody is signed in: `initial` (no session on load), `expired` (an
 * authenticated call failed and the session could not be renewed), the
 * person signed out here or everywhere, or deleted their account.
 */
export type AnonymousReason = 'initial' | 'expired' | 'signed-out' | 'signed-out-everywhere' | 'account-deleted';

export interface AuthContextValue {
  state: AuthState;
  api: AuthApi;
  /** Call with the response of login or register. */
  signedIn: (session: SessionResponse) => void;
  /** Updates the current user's details (e.g. after GET /auth/me). */
  updateUser: (user: User) => void;
  signOut: () => Promise<void>;
  signOutEverywhere: () => Promise<void>;
  /**
   * Forgets the session here without asking the server, for when the server
   * has already ended it (the account was deleted): the token and the
   * "a session may exist" marker go, and the state becomes signed out.
   */
  forgetSession: (reason?: AnonymousReason) => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** The session is already over on the server: nothing left to end. */
function isAlreadySignedOut(error: unknown): boolean {
  return isApiError(error) && (error.status === 401 || error.status === 403);
}

export function AuthProvider({ api, children }: { api: AuthApi; children: ReactNode }) {
  // Read once per page load: without the marker no session can be restored,
  // so the first screen is the signed-out one and no refresh is sent (for
  // an anonymous visitor it could only fail with a 401).
  const [mayRestore] = useState(() => api.client.sessionMayExist);
  const [state, setState] = useState<AuthState>(() =>
    mayRestore ? { status: 'loading' } : { status: 'anonymous', reason: 'initial' },
  );
  const restoreStarted = useRef(false);

  // Restore the session from the refresh cookie exactly once per page load
  // (StrictMode runs effects twice in development; refresh tokens rotate).
  useEffect(() => {
    if (!mayRestore || restoreStarted.current) return;
    restoreStarted.current = true;
    api.restoreSession().then(
      (session) => setState({ status: 'authenticated', user: session.user }),
      () => setState({ status: 'anonymous', reason: 'initial' }),
    );
  }, [api, mayRestore]);

  useEffect(
    () => api.client.onSessionExpired(() => setState({ status: 'anonymous', reason: 'expired' })),
    [api],
  );

  const signedIn = useCallback((session: SessionResponse) => {
    setState({ status: 'authenticated', user: session.user });
  }, []);

  const updateUser = useCallback((user: User) => {
    setState((current) => (current.status === 'authenticated' ? { status: 'authenticated', user } : current));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } catch (error) {
      if (!isAlreadySignedOut(error)) throw error;
      api.client.setAccessToken(null);
    }
    setState({ status: 'anonymous', reason: 'signed-out' });
  }, [api]);

  const signOutEverywhere = useCallback(async () => {
    await api.logoutAll();
    setState({ status: 'anonymous', reason: 'signed-out-everywhere' });
  }, [api]);

  const forgetSession = useCallback(
    (reason: AnonymousReason = 'account-deleted') => {
      api.client.setAccessToken(null);
      setState({ status: 'anonymous', reason });
    },
    [api],
  );

  const value = useMemo(
    () => ({ state, api, signedIn, updateUser, signOut, signOutEverywhere, forgetSession }),
    [state, api, signedIn, updateUser, signOut, signOutEverywhere, forgetSession],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth must be used inside <AuthProvider>.');
  return value;
}
