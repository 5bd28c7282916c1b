import { useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../api/errors';
import type { Invitation, InvitationStatus } from '../api/types';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { ConfirmAction } from '../components/ConfirmAction';
import { LoadError, Loading } from '../components/LoadState';
import { TextField } from '../components/TextField';
import { AUTH_FIELD_PATTERNS, serverErrors, type FieldErrors } from '../lib/formErrors';
import { formatDate } from '../lib/time';
import { useLoad } from '../lib/useLoad';
import { normalizeEmail, validateEmail } from '../lib/validation';
import { useSocialApi } from './SocialContext';

export const INVITE_HEADING_ID = 'invite-heading';
const EMAIL_ID = 'invite-email';

const STATUS_LABELS: Record<InvitationStatus, string> = {
  pending: 'Waiting',
  joined: 'Joined',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** The 202's message, or words of our own should it come without one. */
const SENT_FALLBACK = 'Thanks. If that address can be invited, an invitation is on its way.';

function when(invitation: Invitation): string {
  switch (invitation.status) {
    case 'pending':
      return `sent ${formatDate(invitation.created_at)}, the link works until ${formatDate(invitation.expires_at)}`;
    case 'expired':
      return `sent ${formatDate(invitation.created_at)}, the link ran out on ${formatDate(invitation.expires_at)}`;
    case 'joined':
    case 'cancelled':
      return `sent ${formatDate(invitation.created_at)}`;
  }
}

function InvitationRow({ invitation, onCancelled }: { invitation: Invitation; onCancelled: () => void }) {
  const api = useSocialApi();
  return (
    <li className="invite-row">
      <div className="invite-row__who">
        <span className="break">{invitation.email}</span>
        <span className="muted">
          <span className={`badge badge--invite-${invitation.status}`}>{STATUS_LABELS[invitation.status]}</span>{' '}
          {when(invitation)}
        </span>
      </div>
      {invitation.status === 'pending' ? (
        <ConfirmAction
          label="Cancel"
          ariaLabel={`Cancel the invitation to ${invitation.email}`}
          className="button--small"
          question={`Cancel the invitation to ${invitation.email}? The link in their email stops working.`}
          confirmLabel="Cancel invitation"
          busyLabel="Cancelling…"
          cancelLabel="Keep it"
          onConfirm={async () => {
            try {
              await api.cancelInvitation(invitation.id);
            } catch (e) {
              // Gone meanwhile (used, or ran out): the list says how it stands.
              if (!(isApiError(e) && e.status === 404)) throw e;
            }
            onCancelled();
          }}
        />
      ) : null}
    </li>
  );
}

/**
 * "Invite a friend" on the Connections screen: one email address, then the
 * invitations sent, each with how it stands (and Cancel while it waits).
 * The answer is the same whether or not the address has an account.
 */
export function InviteFriend() {
  const api = useSocialApi();
  const invitations = useLoad('invitations', (signal) => api.listInvitations(signal));
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors<'email'>>({});
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [listNotice, setListNotice] = useState('');
  const emailRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const address = normalizeEmail(email);
    const invalid = address === '' ? 'Enter your friend’s email address.' : validateEmail(address);
    setNotice(null);
    setListNotice('');
    if (invalid) {
      setErrors({ email: invalid });
      emailRef.current?.focus();
      return;
    }
    setErrors({});
    setSending(true);
    try {
      const answer = await api.invite(address);
      setEmail('');
      setNotice(answer?.message || SENT_FALLBACK);
      invitations.reload();
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      const found = serverErrors<'email'>(e, { email: AUTH_FIELD_PATTERNS.email });
      setErrors(found);
      if (found.email) emailRef.current?.focus();
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="panel invite" aria-labelledby={INVITE_HEADING_ID}>
      <h2 id={INVITE_HEADING_ID} ref={headingRef} className="section__title" tabIndex={-1}>
        Invite a friend
      </h2>
      <p className="muted">
        Your friend gets one email from us with a link that works for 14 days. If they join through it, you are
        connected.
      </p>
      <form className="form invite__form" noValidate onSubmit={(event) => void send(event)}>
        <TextField
          id={EMAIL_ID}
          ref={emailRef}
          label="Your friend’s email"
          type="email"
          value={email}
          onValueChange={(value) => {
            setEmail(value);
            setErrors({});
          }}
          error={errors.email}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
        />
        <Notice>{notice}</Notice>
        <FormError message={errors.form} />
        <div className="actions">
          <Button type="submit" busy={sending} busyLabel="Sending…">
            Send invitation
          </Button>
        </div>
      </form>

      <h3 className="invite__list-title">Your invitations</h3>
      <div role="status" className="live">
        {listNotice ? <p className="notice notice--info">{listNotice}</p> : null}
      </div>
      {invitations.status === 'loading' ? (
        <Loading>Loading your invitations…</Loading>
      ) : invitations.status === 'error' || !invitations.data ? (
        <LoadError message={invitations.error ?? ''} onRetry={invitations.reload} />
      ) : invitations.data.length === 0 ? (
        <p className="state state--empty">You haven’t invited anyone yet.</p>
      ) : (
        <ul className="invite-list" aria-label="Your invitations">
          {invitations.data.map((invitation) => (
            <InvitationRow
              key={invitation.id}
              invitation={invitation}
              onCancelled={() => {
                invitations.update((list) =>
                  list.map((i) => (i.id === invitation.id ? { ...i, status: 'cancelled' } : i)),
                );
                setNotice(null);
                setListNotice(`The invitation to ${invitation.email} is cancelled.`);
                // The Cancel button has gone: continue from the section.
                headingRef.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
