import { useEffect, type ReactNode } from 'react';
import { useIsOperator } from '../auth/guards';
import { Link, useLocation } from '../router/router';
import { useRequestCounts, useSocialStore, useUnreadCount } from '../social/SocialContext';

/** How often the request and notification counts refresh while the app is visible. */
const COUNTS_INTERVAL_MS = 120_000;

export interface NavItem {
  to: string;
  label: string;
  match?: RegExp;
}

export const FEED: NavItem = { to: '/feed', label: 'Feed' };
export const MY_POSTS: NavItem = { to: '/my-posts', label: 'My posts' };
export const PEOPLE: NavItem = { to: '/people', label: 'People', match: /^\/(people|u)(\/|$)/ };
export const NOTIFICATIONS: NavItem = { to: '/notifications', label: 'Notifications' };
export const REQUESTS: NavItem = { to: '/requests', label: 'Requests' };
export const CONNECTIONS: NavItem = { to: '/connections', label: 'Connections' };
export const TAGS: NavItem = { to: '/tags', label: 'Tags' };
export const PROFILE: NavItem = { to: '/profile', label: 'Profile' };
export const ACCOUNT: NavItem = { to: '/account', label: 'Account' };
/** Operators only: everyone else is never shown it. */
export const MODERATION: NavItem = { to: '/moderation', label: 'Moderation' };

const ITEMS: NavItem[] = [FEED, MY_POSTS, PEOPLE, NOTIFICATIONS, REQUESTS, CONNECTIONS, TAGS, PROFILE, ACCOUNT];

/** `items`, with Moderation at the end for an operator. */
export function useWithModeration(items: readonly NavItem[]): readonly NavItem[] {
  const operator = useIsOperator();
  return operator ? [...items, MODERATION] : items;
}

export function isCurrent(item: NavItem, pathname: string): boolean {
  return item.match ? item.match.test(pathname) : pathname === item.to;
}

/**
 * A count beside a destination: the number for the eye, and words for the
 * ear (", 3 unread"), since a bare number after "Notifications" says little.
 */
export function CountBadge({ count, more = false, words }: { count: number; more?: boolean; words: string }) {
  if (count <= 0) return null;
  const text = `${count}${more ? '+' : ''}`;
  return (
    <span className="nav__count">
      <span aria-hidden="true">{text}</span>
      <span className="visually-hidden">
        , {text} {words}
      </span>
    </span>
  );
}

/** The badge an item carries, if any: requests waiting, notifications unread. */
export function useItemBadge(): (item: NavItem) => ReactNode {
  const counts = useRequestCounts();
  const unread = useUnreadCount() ?? 0;
  return (item) => {
    if (item === REQUESTS) return <CountBadge count={counts.incoming ?? 0} more={counts.incomingMore} words="waiting" />;
    if (item === NOTIFICATIONS) return <CountBadge count={unread} words="unread" />;
    return null;
  };
}

/** Refreshes the counts on mount, every two minutes while the app is visible, and when it becomes visible. */
function useCountsPolling() {
  const store = useSocialStore();
  useEffect(() => {
    const refreshAll = () => {
      void store.refreshRequestCounts();
      void store.refreshUnread();
    };
    refreshAll();
    const refresh = () => {
      if (document.visibilityState === 'visible') refreshAll();
    };
    const timer = window.setInterval(refresh, COUNTS_INTERVAL_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [store]);
}

/**
 * The signed-in navigation at the top (wider screens), with the requests
 * waiting and the unread notifications. It also keeps those counts fresh
 * for the phone's tab bar, which is always rendered beside it.
 */
export function Nav() {
  useCountsPolling();
  const badge = useItemBadge();
  const { pathname } = useLocation();
  const items = useWithModeration(ITEMS);

  return (
    <nav className="nav" aria-label="Main">
      <ul className="nav__list">
        {items.map((item) => (
          <li key={item.to}>
            <Link to={item.to} className="nav__link" aria-current={isCurrent(item, pathname) ? 'page' : undefined}>
              {item.label}
              {badge(item)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
