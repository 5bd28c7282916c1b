import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation } from '../router/router';
import {
  ACCOUNT,
  CONNECTIONS,
  FEED,
  MY_POSTS,
  NOTIFICATIONS,
  PEOPLE,
  PROFILE,
  REQUESTS,
  TAGS,
  isCurrent,
  useItemBadge,
  useWithModeration,
  type NavItem,
} from './Nav';

/** Line icons, drawn with the text colour; decorative (the label names the tab). */
const ICONS: Record<string, ReactNode> = {
  [FEED.to]: <path d="M4 6h16M4 12h16M4 18h10" />,
  [PEOPLE.to]: (
    <>
      <circle cx="12" cy="8" r="3.5" />
      <path d="M5 20c0-3.9 3.1-6 7-6s7 2.1 7 6" />
    </>
  ),
  [NOTIFICATIONS.to]: <path d="M6 16v-5a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0" />,
  [REQUESTS.to]: (
    <>
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20c0-3.9 2.9-6 6.5-6s6.5 2.1 6.5 6M19 8v6M16 11h6" />
    </>
  ),
  more: (
    <>
      <circle cx="5" cy="12" r="1.2" />
      <circle cx="12" cy="12" r="1.2" />
      <circle cx="19" cy="12" r="1.2" />
    </>
  ),
};

function Icon({ name }: { name: string }) {
  return (
    <svg className="tabs__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        {ICONS[name]}
      </g>
    </svg>
  );
}

const TABS: NavItem[] = [FEED, PEOPLE, NOTIFICATIONS, REQUESTS];
/** Behind "More": the destinations visited less often. */
const REST: NavItem[] = [MY_POSTS, CONNECTIONS, TAGS, PROFILE, ACCOUNT];

/**
 * The phone's navigation: a bar at the bottom, within reach of a thumb, with
 * the four places visited most and "More" for the rest. CSS shows it on narrow
 * screens only (and the top bar on wider ones), so one of them is ever shown.
 */
export function TabBar() {
  const { pathname } = useLocation();
  const badge = useItemBadge();
  const rest = useWithModeration(REST);
  // Open only on the screen where it was opened: following one of its links closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const menuId = useId();
  const moreButton = useRef<HTMLButtonElement>(null);
  const bar = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!open) return;
    // A tap anywhere else puts the menu away, as a phone's menus do.
    const away = (event: PointerEvent) => {
      if (!bar.current?.contains(event.target as Node)) setOpenOn(null);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  const restCurrent = rest.some((item) => isCurrent(item, pathname));

  return (
    <nav
      ref={bar}
      className="tabs"
      aria-label="Tab bar"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpenOn(null);
          moreButton.current?.focus();
        }
      }}
    >
      <ul className="tabs__list">
        {TABS.map((item) => (
          <li key={item.to} className="tabs__item">
            <Link to={item.to} className="tabs__link" aria-current={isCurrent(item, pathname) ? 'page' : undefined}>
              <Icon name={item.to} />
              <span className="tabs__label">{item.label}</span>
              {/* After the label, so it is heard as "Notifications, 3 unread"; CSS sets it on the icon. */}
              {badge(item)}
            </Link>
          </li>
        ))}
        <li className="tabs__item">
          <button
            ref={moreButton}
            type="button"
            className="tabs__link"
            aria-expanded={open}
            aria-controls={open ? menuId : undefined}
            aria-current={restCurrent ? 'page' : undefined}
            onClick={() => setOpenOn(open ? null : pathname)}
          >
            <Icon name="more" />
            <span className="tabs__label">More</span>
          </button>
        </li>
      </ul>
      {/* After the tabs, so Tab moves from "More" into it; CSS lifts it above the bar. */}
      {open ? (
        <ul id={menuId} className="tabs__menu">
          {rest.map((item) => (
            <li key={item.to}>
              <Link to={item.to} className="tabs__menu-link" aria-current={isCurrent(item, pathname) ? 'page' : undefined}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </nav>
  );
}
