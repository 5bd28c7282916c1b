import { useCallback, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Notification } from '../api/types';
import { Button } from '../components/Button';
import { InlineError } from '../components/Alerts';
import { LoadError, LoadMore, Loading } from '../components/LoadState';
import { Page } from '../components/Page';
import { PersonName, personPath } from '../components/PersonName';
import { plural } from '../lib/text';
import { useNowMinute } from '../lib/time';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { Link } from '../router/router';
import { RelativeTime } from '../social/PostText';
import { useSocialApi, useSocialStore, useUnreadCount } from '../social/SocialContext';

/** What happened, after who: "wants to connect with you", "reacted to your post". */
export function notificationAction(n: Notification): string {
  const many = n.others > 0;
  switch (n.kind) {
    case 'connection_request':
      return `${many ? 'want' : 'wants'} to connect with you`;
    case 'request_accepted':
      return 'accepted your request';
    case 'comment_on_my_post':
      return 'commented on your post';
    case 'comment_on_thread':
      return 'also commented on a post you commented on';
    case 'reactions_on_my_post':
      return 'reacted to your post';
  }
}

/** "Ann Smith @ann wants to connect with you", "@ann and 2 others reacted to your post". */
function NotificationText({ n }: { n: Notification }) {
  return (
    <>
      <PersonName user={n.actor} />
      {n.others > 0 ? ` and ${plural(n.others, 'other')}` : null} {notificationAction(n)}
    </>
  );
}

/** Where a notification leads: the post it is about, the requests, or the person. */
export function notificationLink(n: Notification): string {
  if (n.post_id) return `/posts/${encodeURIComponent(n.post_id)}`;
  if (n.kind === 'connection_request') return '/requests';
  return personPath(n.actor);
}

export function NotificationsPage() {
  const api = useSocialApi();
  const store = useSocialStore();
  const unread = useUnreadCount();
  const now = useNowMinute();
  const [error, setError] = useState<string | null>(null);
  const [marking, setMarking] = useState(false);

  const fetchPage = useCallback<FetchPage<Notification>>(
    async (cursor, signal) => {
      const page = await api.listNotifications(cursor, signal);
      // The first page carries the count, fresher than the last poll's.
      if (cursor === null) store.setUnread(page.unread);
      return { items: page.notifications, nextCursor: page.next_cursor };
    },
    [api, store],
  );
  const list = usePagedList('notifications', fetchPage, (n) => n.id);
  const anyUnread = (unread ?? 0) > 0 || list.items.some((n) => !n.read);

  function opened(n: Notification) {
    if (n.read) return;
    list.update((items) => items.map((item) => (item.id === n.id ? { ...item, read: true } : item)));
    store.setUnread((unread ?? 1) - 1);
    // On the way out: the next screen need not wait for it, and a failure only leaves it unread.
    api.markRead({ ids: [n.id] }).catch(() => undefined);
  }

  async function markAll() {
    if (marking) return;
    setMarking(true);
    setError(null);
    try {
      await api.markRead({ all: true });
      list.update((items) => items.map((item) => ({ ...item, read: true })));
      store.setUnread(0);
    } catch (e) {
      if (!(isApiError(e) && e.code === 'session_expired')) setError(errorMessage(e));
    } finally {
      setMarking(false);
    }
  }

  return (
    <Page
      title="Notifications"
      width="column"
      aside={
        anyUnread && list.status === 'ready' ? (
          <Button variant="secondary" small busy={marking} busyLabel="Marking…" onClick={() => void markAll()}>
            Mark all read
          </Button>
        ) : null
      }
    >
      <InlineError message={error} />
      {list.status === 'loading' ? (
        <Loading>Loading notifications…</Loading>
      ) : list.status === 'error' ? (
        <LoadError message={list.error ?? ''} onRetry={list.reload} />
      ) : list.items.length === 0 ? (
        <div className="state state--empty">
          <p>Nothing yet. You’ll hear here when someone asks to connect, accepts your request, or comments on or reacts to your posts.</p>
        </div>
      ) : (
        <ol className="plain-list notifications" aria-label="Notifications, newest first">
          {list.items.map((n) => (
            <li key={n.id} className={n.read ? 'notification' : 'notification notification--unread'}>
              <Link to={notificationLink(n)} className="notification__link" onClick={() => opened(n)}>
                {n.read ? null : <span className="visually-hidden">Unread:</span>} <NotificationText n={n} />
              </Link>
              <span className="post__meta">
                <RelativeTime value={n.created_at} now={now} />
              </span>
            </li>
          ))}
        </ol>
      )}
      <LoadMore list={list} />
    </Page>
  );
}
