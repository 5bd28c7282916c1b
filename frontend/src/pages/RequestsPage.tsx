import { useCallback, useEffect, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { ConnectionRequest } from '../api/types';
import { InlineError } from '../components/Alerts';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { PersonName, personPath } from '../components/PersonName';
import { formatNumber } from '../lib/text';
import { useNowMinute } from '../lib/time';
import { usePagedList, type FetchPage, type PagedList } from '../lib/usePagedList';
import { Link } from '../router/router';
import { RelativeTime } from '../social/PostText';
import { LoadError, LoadMore, Loading } from '../components/LoadState';
import { useSocialStore } from '../social/SocialContext';

type Direction = 'incoming' | 'outgoing';

function RequestRow({
  request,
  direction,
  now,
  onDone,
}: {
  request: ConnectionRequest;
  direction: Direction;
  now: number;
  onDone: (message: string) => void;
}) {
  const store = useSocialStore();
  const [pending, setPending] = useState<'accept' | 'decline' | 'cancel' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = `@${request.user.username}`;

  async function run(action: 'accept' | 'decline' | 'cancel') {
    if (pending) return;
    setPending(action);
    setError(null);
    try {
      if (action === 'accept') {
        const { connection } = await store.api.acceptRequest(request.user.id);
        store.connectionSaved(connection);
        onDone(`You and ${name} are now connected.`);
      } else {
        await store.api.deleteRequest(request.user.id);
        onDone(action === 'decline' ? `You declined ${name}’s request.` : `You cancelled your request to ${name}.`);
      }
    } catch (e) {
      setPending(null);
      if (isApiError(e) && e.code === 'session_expired') return;
      // Gone meanwhile (cancelled by them, or already handled elsewhere).
      if (isApiError(e) && e.code === 'request_not_found') {
        onDone(`The request ${direction === 'incoming' ? 'from' : 'to'} ${name} is no longer there.`);
        return;
      }
      setError(errorMessage(e));
    }
  }

  return (
    <li className="panel person-row">
      <div className="person-row__head">
        <h3 className="person-row__name">
          <Link to={personPath(request.user)}>
            <PersonName user={request.user} />
          </Link>
        </h3>
        <span className="muted">
          {direction === 'incoming' ? 'asked ' : 'sent '}
          <RelativeTime value={request.created_at} now={now} />
        </span>
      </div>
      <div className="actions">
        {direction === 'incoming' ? (
          <>
            <Button
              small
              busy={pending === 'accept'}
              busyLabel="Accepting…"
              aria-label={`Accept ${name}`}
              onClick={() => void run('accept')}
            >
              Accept
            </Button>
            <Button
              small
              variant="secondary"
              busy={pending === 'decline'}
              busyLabel="Declining…"
              aria-label={`Decline ${name}`}
              onClick={() => void run('decline')}
            >
              Decline
            </Button>
          </>
        ) : (
          <Button
            small
            variant="secondary"
            busy={pending === 'cancel'}
            busyLabel="Cancelling…"
            aria-label={`Cancel request to ${name}`}
            onClick={() => void run('cancel')}
          >
            Cancel request
          </Button>
        )}
      </div>
      <InlineError message={error} />
    </li>
  );
}

function useRequests(direction: Direction): PagedList<ConnectionRequest> {
  const store = useSocialStore();
  const fetchPage = useCallback<FetchPage<ConnectionRequest>>(
    async (cursor, signal) => {
      const page = await store.api.listRequests(direction, { cursor, limit: 50 }, signal);
      return { items: page.requests, nextCursor: page.next_cursor };
    },
    [store, direction],
  );
  const list = usePagedList(direction, fetchPage, (r) => r.user.id);
  // Keep the navigation's count in step with what this screen knows.
  useEffect(() => {
    if (list.status === 'ready') store.setRequestCount(direction, list.items.length, list.hasMore);
  }, [store, direction, list.status, list.items.length, list.hasMore]);
  return list;
}

function RequestSection({
  direction,
  list,
  onDone,
}: {
  direction: Direction;
  list: PagedList<ConnectionRequest>;
  onDone: (userId: string, message: string) => void;
}) {
  const now = useNowMinute();
  const headingId = `requests-${direction}`;
  const count = list.status === 'ready' ? `${formatNumber(list.items.length)}${list.hasMore ? '+' : ''}` : null;
  return (
    <section className="section section--plain" aria-labelledby={headingId}>
      <h2 id={headingId} className="section__title" tabIndex={-1}>
        {direction === 'incoming' ? 'Asking to connect with you' : 'Your requests'}
        {count !== null ? <span className="count-badge">{count}</span> : null}
      </h2>
      {list.status === 'loading' ? (
        <Loading />
      ) : list.status === 'error' ? (
        <LoadError message={list.error ?? ''} onRetry={list.reload} />
      ) : list.items.length === 0 ? (
        <p className="state state--empty">
          {direction === 'incoming' ? (
            'No one is waiting for an answer.'
          ) : (
            <>
              You have no requests waiting. <Link to="/people">Find someone you know</Link>.
            </>
          )}
        </p>
      ) : (
        <ul className="plain-list">
          {list.items.map((request) => (
            <RequestRow
              key={request.user.id}
              request={request}
              direction={direction}
              now={now}
              onDone={(message) => {
                onDone(request.user.id, message);
                // The row (and the focused button) is gone: continue from the section.
                document.getElementById(headingId)?.focus();
              }}
            />
          ))}
        </ul>
      )}
      <LoadMore list={list} />
    </section>
  );
}

export function RequestsPage() {
  const incoming = useRequests('incoming');
  const outgoing = useRequests('outgoing');
  const [notice, setNotice] = useState('');

  return (
    <Page
      title="Requests"
      width="column"
      intro={<p>People who asked to connect with you, and the people you asked.</p>}
    >
      <div role="status" className="live">
        {notice ? <p className="notice notice--info">{notice}</p> : null}
      </div>
      <RequestSection
        direction="incoming"
        list={incoming}
        onDone={(userId, message) => {
          incoming.update((items) => items.filter((r) => r.user.id !== userId));
          setNotice(message);
        }}
      />
      <RequestSection
        direction="outgoing"
        list={outgoing}
        onDone={(userId, message) => {
          outgoing.update((items) => items.filter((r) => r.user.id !== userId));
          setNotice(message);
        }}
      />
    </Page>
  );
}
