import { useEffect, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Connection, Relationship, UserRef } from '../api/types';
import { Button } from '../components/Button';
import { ConfirmAction } from '../components/ConfirmAction';
import { formatDate } from '../lib/time';
import { Link } from '../router/router';
import { actionsFor, afterAction, afterError, type RelationshipAction } from './relationship';
import { useSocialStore } from './SocialContext';

interface RelationshipActionsProps {
  user: UserRef;
  relationship: Relationship;
  connectedAt?: string | null;
  /** Called with the new state after each successful action (and the connection when one was made). */
  onChange: (relationship: Relationship, connection?: Connection) => void;
  /** Asks the server for the real state when a refusal shows the screen was out of date. */
  onReload?: () => void;
}

const BUSY: Record<RelationshipAction, string> = {
  connect: 'Sending request…',
  cancel: 'Cancelling…',
  accept: 'Accepting…',
  decline: 'Declining…',
  disconnect: 'Disconnecting…',
};

function statusText(relationship: Relationship, name: string, connectedAt?: string | null): string {
  switch (relationship) {
    case 'self':
      return 'This is you.';
    case 'none':
      return `You and ${name} are not connected.`;
    case 'outgoing_request':
      return `You asked to connect. Waiting for ${name} to accept.`;
    case 'incoming_request':
      return `${name} asked to connect with you.`;
    case 'connected':
      return connectedAt ? `Connected since ${formatDate(connectedAt)}.` : `You and ${name} are connected.`;
  }
}

/** The relationship with one person and the buttons that change it. */
export function RelationshipActions({ user, relationship, connectedAt, onChange, onReload }: RelationshipActionsProps) {
  const store = useSocialStore();
  const [pending, setPending] = useState<RelationshipAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const name = `@${user.username}`;

  // The clicked button is gone after a change: keep the keyboard user in place.
  useEffect(() => {
    if (changes > 0) statusRef.current?.focus();
  }, [changes]);

  async function perform(action: RelationshipAction): Promise<void> {
    const api = store.api;
    switch (action) {
      case 'connect': {
        const result = await api.sendRequest(user.id);
        if (result.status === 'connected') {
          store.connectionSaved(result.connection);
          store.adjustRequestCount('incoming', -1);
          onChange('connected', result.connection);
        } else {
          store.adjustRequestCount('outgoing', +1);
          onChange(afterAction('connect', result));
        }
        return;
      }
      case 'accept': {
        const { connection } = await api.acceptRequest(user.id);
        store.connectionSaved(connection);
        store.adjustRequestCount('incoming', -1);
        onChange(afterAction('accept'), connection);
        return;
      }
      case 'cancel':
      case 'decline':
        await api.deleteRequest(user.id);
        store.adjustRequestCount(action === 'cancel' ? 'outgoing' : 'incoming', -1);
        onChange(afterAction(action));
        return;
      case 'disconnect':
        await api.disconnect(user.id);
        store.connectionRemoved(user.id);
        onChange(afterAction('disconnect'));
        return;
    }
  }

  async function run(action: RelationshipAction): Promise<void> {
    if (pending !== null) return;
    setPending(action);
    setError(null);
    try {
      await perform(action);
      setChanges((n) => n + 1);
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      if (isApiError(e)) {
        const real = afterError(e.code);
        if (real === 'reload') onReload?.();
        else if (real !== null && real !== relationship) onChange(real);
      }
      // The disconnect confirmation shows its own error, next to its buttons.
      if (action === 'disconnect') throw e;
      setError(errorMessage(e));
    } finally {
      setPending(null);
    }
  }

  const actions = actionsFor(relationship);

  return (
    <div className="relationship">
      <p ref={statusRef} className="relationship__status" tabIndex={-1} aria-live="polite">
        {statusText(relationship, name, connectedAt)}
        {relationship === 'self' ? (
          <>
            {' '}
            <Link to="/account">Your account</Link>
          </>
        ) : null}
      </p>
      {actions.length > 0 ? (
        <div className="actions">
          {actions.map((action) => {
            switch (action) {
              case 'connect':
                return (
                  <Button key={action} busy={pending === action} busyLabel={BUSY[action]} onClick={() => void run(action)}>
                    Connect
                  </Button>
                );
              case 'cancel':
                return (
                  <Button
                    key={action}
                    variant="secondary"
                    busy={pending === action}
                    busyLabel={BUSY[action]}
                    onClick={() => void run(action)}
                  >
                    Cancel request
                  </Button>
                );
              case 'accept':
                return (
                  <Button key={action} busy={pending === action} busyLabel={BUSY[action]} onClick={() => void run(action)}>
                    Accept
                  </Button>
                );
              case 'decline':
                return (
                  <Button
                    key={action}
                    variant="secondary"
                    busy={pending === action}
                    busyLabel={BUSY[action]}
                    onClick={() => void run(action)}
                  >
                    Decline
                  </Button>
                );
              case 'disconnect':
                return (
                  <ConfirmAction
                    key={action}
                    label="Disconnect"
                    question={
                      <>
                        Disconnect from {name}? You will stop seeing each other’s posts, and your tags on {name} are
                        removed. You can ask to connect again later.
                      </>
                    }
                    confirmLabel="Yes, disconnect"
                    busyLabel={BUSY.disconnect}
                    cancelLabel="Stay connected"
                    onConfirm={() => run('disconnect')}
                  />
                );
            }
          })}
        </div>
      ) : null}
      {error && pending === null ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
