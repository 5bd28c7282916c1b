import { useEffect } from 'react';
import { Link, useLocation } from '../router/router';
import { useRequestCounts, useSocialStore } from '../social/SocialContext';

/** How often the request count refreshes while the app is visible. */
const COUNTS_INTERVAL_MS = 120_000;

const ITEMS: { to: string; label: string; match?: RegExp }[] = [
  { to: '/feed', label: 'Feed' },
  { to: '/my-posts', label: 'My posts' },
  { to: '/people', label: 'People', match: /^\/(people|u)(\/|$)/ },
  { to: '/requests', label: 'Requests' },
  { to: '/connections', label: 'Connections' },
  { to: '/tags', label: 'Tags' },
  { to: '/account', label: 'Account' },
];

/** The signed-in navigation, with the number of requests waiting for an answer. */
export function Nav() {
  const store = useSocialStore();
  const counts = useRequestCounts();
  const { pathname } = useLocation();

  useEffect(() => {
    void store.refreshRequestCounts();
    const refresh = () => {
      if (document.visibilityState === 'visible') void store.refreshRequestCounts();
    };
    const timer = window.setInterval(refresh, COUNTS_INTERVAL_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [store]);

  const incoming = counts.incoming ?? 0;
  const incomingText = `${incoming}${counts.incomingMore ? '+' : ''}`;

  return (
    <nav className="nav" aria-label="Main">
      <ul className="nav__list">
        {ITEMS.map((item) => {
          const current = item.match ? item.match.test(pathname) : pathname === item.to;
          return (
            <li key={item.to}>
              <Link to={item.to} className="nav__link" aria-current={current ? 'page' : undefined}>
                {item.label}
                {item.to === '/requests' && incoming > 0 ? (
                  <span className="nav__count">
                    <span aria-hidden="true">{incomingText}</span>
                    <span className="visually-hidden">, {incomingText} waiting</span>
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
