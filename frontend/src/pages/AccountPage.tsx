import { useEffect, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { FormError } from '../components/Alerts';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { errorMessage, isApiError } from '../api/errors';
import type { User } from '../api/types';
import { BlockedPeople } from '../social/BlockedPeople';
import { EmailSettings } from '../social/EmailSettings';
import { ChangeEmail } from '../account/ChangeEmail';
import { ChangePassword } from '../account/ChangePassword';
import { DeleteAccount } from '../account/DeleteAccount';
import { ExportData } from '../account/ExportData';
import { Link } from '../router/router';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

function formatDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

export function AccountPage() {
  const { api, state, updateUser, signOut, signOutEverywhere } = useAuth();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [pending, setPending] = useState<'one' | 'all' | null>(null);

  // Fetch the current details (this also proves the access token works).
  useEffect(() => {
    const controller = new AbortController();
    api.me(controller.signal).then(
      (user) => {
        setLoadError(null);
        updateUser(user);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        // An ended session is handled by the auth guard (back to sign-in).
        if (isApiError(error) && error.code === 'session_expired') return;
        setLoadError(errorMessage(error));
      },
    );
    return () => controller.abort();
  }, [api, updateUser]);

  if (state.status !== 'authenticated') return null;
  const user: User = state.user;

  async function run(which: 'one' | 'all') {
    if (pending !== null) return;
    setPending(which);
    setActionError(null);
    try {
      await (which === 'one' ? signOut() : signOutEverywhere());
      // The auth guard now sends us to the sign-in screen.
    } catch (error) {
      setActionError(errorMessage(error));
      setPending(null);
    }
  }

  return (
    <Page title="Your account" width="wide">
      <FormError message={loadError} />
      <dl className="details">
        <div>
          <dt>Username</dt>
          <dd>{user.username}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd className="break">{user.email}</dd>
        </div>
        <div>
          <dt>Member since</dt>
          <dd>
            <time dateTime={user.created_at}>{formatDate(user.created_at)}</time>
          </dd>
        </div>
      </dl>

      <section className="section" aria-labelledby="profile-heading">
        <h2 id="profile-heading" className="section__title">
          Profile
        </h2>
        <p>
          Your display name and bio, as the people you know see them.{' '}
          <Link to="/profile">Edit your profile</Link>
        </p>
      </section>

      <ChangePassword user={user} />
      <ChangeEmail user={user} />

      <EmailSettings />

      <BlockedPeople />

      <section className="section" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading" className="section__title">
          Sessions
        </h2>
        <p className="muted">
          “Sign out everywhere” ends every session of your account, on all your devices, including
          this one.
        </p>
        <FormError message={actionError} />
        <div className="actions">
          <Button variant="secondary" busy={pending === 'one'} busyLabel="Signing out…" onClick={() => void run('one')}>
            Sign out
          </Button>
          <Button
            variant="danger"
            busy={pending === 'all'}
            busyLabel="Signing out everywhere…"
            onClick={() => void run('all')}
          >
            Sign out everywhere
          </Button>
        </div>
      </section>

      <ExportData user={user} />

      <DeleteAccount user={user} />
    </Page>
  );
}
