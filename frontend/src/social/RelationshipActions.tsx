import { useEffect, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Connection, Relationship, UserRef } from '../api/types';
import { Button } from '../components/Button';
import { ConfirmAction } from '../components/ConfirmAction';
import { formatDate } from '../lib/time';
import { Link } from '../router/router';
import { actionsFor, afterAction, afterError, canBlock, type RelationshipAction } from './relationship';
import { useSocialStore } from './SocialContext';

interface RelationshipActionsProps {
  user: UserRef;
  relationship: Relationship;
  connectedAt?: string | null;
  /** Called with the new state after each successful action (and the connection when one was made). */
  onChange: (relationship: Relationship, connection?: Connection) => void;
  /** Asks the server for the real state when a refusal shows the screen was out of date. */
  onReload?: () => void;
  /** Offers "Block" too (on the person's own page, not in a list of search results). */
  blockable?: boolean;
}

const BUSY: Record<RelationshipAction, string> = {
  connect: 'Sending request…',
  cancel: 'Cancelling…',
  accept: 'Accepting…',
  decline: 'Declining…',
  disconnect: 'Disconnecting…',
  block: 'Blocking…',
  unblock: 'Unblocking…',
};

function statusText(relationship: Relationship, name: string, connectedAt?: string | null, unblocked = false): string {
  switch (relationship) {
    case 'self':
      return 'This is you.';
    case 'none':
      return unblocked
        ? `You unblocked ${name}. You are not connected; either of you can ask again.`
        : `You and ${name} are not connected.`;
    case 'outgoing_request':
      return `You asked to connect. Waiting for ${name} to accept.`;
    case 'incoming_request':
      return `${name} asked to connect with you.`;
    case 'connected':
      return connectedAt ? `Connected since ${formatDate(connectedAt)}.` : `You and ${name} are connected.`;
    case 'blocked':
      return `You blocked ${name}.`;
  }
}

/** The relationship with one person and the buttons that change it. */
export function RelationshipActions({
  user,
  relationship,
  connectedAt,
  onChange,
  onReload,
  blockable = false,
}: RelationshipActionsProps) {
  const store = useSocialStore();
  const [pending, setPending] = useState<RelationshipAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  // The last change made here was an unblock: "not connected" then says how it came about.
  const [unblocked, setUnblocked] = useState(false);
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
      case 'block':
        await api.block(user.id);
        // The block ended the connection and any request between us.
        store.connectionRemoved(user.id);
        if (relationship === 'outgoing_request') store.adjustRequestCount('outgoing', -1);
        if (relationship === 'incoming_request') store.adjustRequestCount('incoming', -1);
        onChange(afterAction('block'));
        return;
      case 'unblock':
        await api.unblock(user.id);
        onChange(afterAction('unblock'));
        return;
    }
  }

  async function run(action: RelationshipAction): Promise<void> {
    if (pending !== null) return;
    setPending(action);
    setError(null);
    try {
      await perform(action);
      setUnblocked(action === 'unblock');
      setChanges((n) => n + 1);
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      if (isApiError(e)) {
        const real = afterError(e.code);
        if (real === 'reload') onReload?.();
        else if (real !== null && real !== relationship) onChange(real);
      }
      // The disconnect and block confirmations show their own error, next to their buttons.
      if (action === 'disconnect' || action === 'block') throw e;
      setError(errorMessage(e));
    } finally {
      setPending(null);
    }
  }

  const actions = actionsFor(relationship);

  return (
    <div className="relationship">
      <p ref={statusRef} className="relationship__status" tabIndex={-1} aria-live="polite">
        {statusText(relationship, name, connectedAt, unblocked)}
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
              case 'unblock':
                return (
                  <Button
                    key={action}
                    variant="secondary"
                    busy={pending === action}
                    busyLabel={BUSY[action]}
                    onClick={() => void run(action)}
                  >
                    Unblock
                  </Button>
                );
              case 'block':
                // Offered apart, below.
                return null;
            }
          })}
        </div>
      ) : null}
      {error && pending === null ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {blockable && canBlock(relationship) ? (
        <div className="relationship__block">
          <ConfirmAction
            label="Block"
            question={
              <>
                Block {name}? Your connection and any requests between you end now. They won’t be able to find you,
                see your profile or anything you share, or ask to connect. They are not told.
              </>
            }
            confirmLabel={`Block ${name}`}
            busyLabel={BUSY.block}
            cancelLabel="Cancel"
            onConfirm={() => run('block')}
          />
        </div>
      ) : null}
    </div>
  );
}
