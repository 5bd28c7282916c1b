/**
 * A tiny history-based router: enough for a handful of top-level screens,
 * without shipping a routing library. Paths are matched exactly.
 */
import {
  createContext,
  useCallback,
  useContext,
  useLayoutEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';

export interface RouterLocation {
  pathname: string;
  search: string;
  /** Whatever was passed as `state` to navigate(); null otherwise. */
  state: unknown;
}

export interface NavigateOptions {
  replace?: boolean;
  state?: unknown;
}

export type Navigate = (to: string, options?: NavigateOptions) => void;

interface RouterContextValue {
  location: RouterLocation;
  navigate: Navigate;
  /** How many in-app navigations happened since load (0 on first render). */
  navigations: number;
}

const listeners = new Set<() => void>();
let navigations = 0;
let snapshot: RouterLocation | null = null;

function notify(): void {
  navigations += 1;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', notify);
  };
}

function getSnapshot(): RouterLocation {
  const { pathname, search } = window.location;
  const state: unknown = window.history.state;
  if (
    snapshot === null ||
    snapshot.pathname !== pathname ||
    snapshot.search !== search ||
    snapshot.state !== state
  ) {
    snapshot = { pathname, search, state };
  }
  return snapshot;
}

export function navigate(to: string, options: NavigateOptions = {}): void {
  const state = options.state ?? null;
  if (options.replace) window.history.replaceState(state, '', to);
  else window.history.pushState(state, '', to);
  notify();
}

const RouterContext = createContext<RouterContextValue | null>(null);

export function Router({ children }: { children: ReactNode }) {
  const location = useSyncExternalStore(subscribe, getSnapshot);
  const value = useMemo(() => ({ location, navigate, navigations }), [location]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

function useRouter(): RouterContextValue {
  const value = useContext(RouterContext);
  if (value === null) throw new Error('Router hooks must be used inside <Router>.');
  return value;
}

export function useLocation(): RouterLocation {
  return useRouter().location;
}

export function useNavigate(): Navigate {
  return useRouter().navigate;
}

/** True once the person has moved between screens (used to manage focus). */
export function useHasNavigated(): boolean {
  return useRouter().navigations > 0;
}

export function useSearchParam(name: string): string | null {
  const { search } = useLocation();
  return useMemo(() => new URLSearchParams(search).get(name), [search, name]);
}

/** Redirects (replacing the current entry) once, when it first renders. */
export function Redirect({ to, state }: { to: string; state?: unknown }) {
  const go = useNavigate();
  const done = useRef(false);
  useLayoutEffect(() => {
    if (done.current) return;
    done.current = true;
    go(to, { replace: true, state });
  }, [go, to, state]);
  return null;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: string;
  replace?: boolean;
};

/** An ordinary <a href>, so it works with a keyboard, middle-click and "open in new tab". */
export function Link({ to, replace, onClick, target, ...rest }: LinkProps) {
  const go = useNavigate();
  const handleClick = useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event);
      if (
        event.defaultPrevented ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey ||
        event.altKey ||
        (target !== undefined && target !== '_self')
      ) {
        return;
      }
      event.preventDefault();
      go(to, { replace });
    },
    [go, onClick, replace, target, to],
  );
  return <a href={to} target={target} onClick={handleClick} {...rest} />;
}

/** Only same-site paths are allowed as a post-sign-in destination. */
export function safeRedirectPath(value: string | null, fallback: string): string {
  if (value === null || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return fallback;
  }
  return value;
}
