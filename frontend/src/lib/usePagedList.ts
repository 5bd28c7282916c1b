import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type FetchPage<T> = (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;

interface Loaded<T> {
  /** The list (key + reload count) these items belong to. */
  key: string;
  items: T[];
  nextCursor: string | null;
  error: string | null;
}

export interface PagedList<T> {
  status: 'loading' | 'ready' | 'error';
  items: T[];
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  moreError: string | null;
  loadMore: () => void;
  /** Loads the list again from the start. */
  reload: () => void;
  /** Changes the items on screen in place (edit, delete, prepend). */
  update: (change: (items: T[]) => T[]) => void;
}

function quietError(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (isApiError(error) && error.code === 'session_expired');
}

/**
 * A cursor-paged list: the first page when `key` changes, then "Load more".
 * Items are de-duplicated by `idOf`, and nothing already shown moves.
 */
export function usePagedList<T>(key: string, fetchPage: FetchPage<T>, idOf: (item: T) => string): PagedList<T> {
  const [reloads, setReloads] = useState(0);
  const fullKey = `${key}#${reloads}`;
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  const [more, setMore] = useState<{ key: string; loading: boolean; error: string | null } | null>(null);
  const fetchRef = useRef(fetchPage);
  const idRef = useRef(idOf);
  const moreController = useRef<AbortController | null>(null);

  useEffect(() => {
    fetchRef.current = fetchPage;
    idRef.current = idOf;
  });

  useEffect(() => {
    const controller = new AbortController();
    moreController.current?.abort();
    fetchRef.current(null, controller.signal).then(
      (page) => setLoaded({ key: fullKey, items: page.items, nextCursor: page.nextCursor, error: null }),
      (error: unknown) => {
        if (quietError(error, controller.signal)) return;
        setLoaded({ key: fullKey, items: [], nextCursor: null, error: errorMessage(error) });
      },
    );
    return () => controller.abort();
  }, [fullKey]);

  const current = loaded?.key === fullKey ? loaded : null;
  const moreState = more?.key === fullKey ? more : null;

  const loadMore = useCallback(() => {
    if (!current || current.nextCursor === null || moreState?.loading) return;
    const controller = new AbortController();
    moreController.current = controller;
    const cursor = current.nextCursor;
    setMore({ key: fullKey, loading: true, error: null });
    fetchRef.current(cursor, controller.signal).then(
      (page) => {
        setLoaded((prev) => {
          if (prev?.key !== fullKey) return prev;
          const seen = new Set(prev.items.map((item) => idRef.current(item)));
          const fresh = page.items.filter((item) => !seen.has(idRef.current(item)));
          return { ...prev, items: [...prev.items, ...fresh], nextCursor: page.nextCursor };
        });
        setMore({ key: fullKey, loading: false, error: null });
      },
      (error: unknown) => {
        if (quietError(error, controller.signal)) return;
        setMore({ key: fullKey, loading: false, error: errorMessage(error) });
      },
    );
  }, [current, moreState?.loading, fullKey]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  const update = useCallback(
    (change: (items: T[]) => T[]) => {
      setLoaded((prev) => (prev?.key === fullKey ? { ...prev, items: change(prev.items) } : prev));
    },
    [fullKey],
  );

  return {
    status: current === null ? 'loading' : current.error !== null ? 'error' : 'ready',
    items: current?.items ?? [],
    error: current?.error ?? null,
    hasMore: current?.nextCursor != null,
    loadingMore: moreState?.loading ?? false,
    moreError: moreState?.error ?? null,
    loadMore,
    reload,
    update,
  };
}
