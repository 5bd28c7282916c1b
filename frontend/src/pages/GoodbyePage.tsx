import { Page } from '../components/Page';
import { Link, useLocation } from '../router/router';

/** What the deletion passes on in history state: the address the confirmation went to. */
export interface GoodbyeState {
  email?: string;
}

function emailOf(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return null;
  const { email } = state as Record<string, unknown>;
  return typeof email === 'string' && email !== '' ? email : null;
}

/** /goodbye: after an account was deleted. Public: there is no session any more. */
export function GoodbyePage() {
  const email = emailOf(useLocation().state);
  return (
    <Page title="Your account has been deleted">
      <div className="goodbye">
        <p>
          {email ? (
            <>
              We sent a confirmation to <strong className="break">{email}</strong>.
            </>
          ) : (
            'We sent a confirmation to your email address.'
          )}
        </p>
        <p className="muted">
          Everything in your account is gone. Your username is held for 30 days, so nobody can use it to pretend to be
          you; after that, it becomes available to others again.
        </p>
        <p>Thank you for the time you spent here.</p>
        <p>
          <Link to="/">Go to the start page</Link>
        </p>
      </div>
    </Page>
  );
}
