import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';

export interface Loaded<T> {
  status: 'loading' | 'ready' | 'error';
  data: T | undefined;
  error: string | null;
  reload: () => void;
  /** Replaces the data on screen (after a change the server confirmed). */
  set: (data: T) => void;
  /** Changes the data on screen in place, from what is there now. */
  update: (change: (data: T) => T) => void;
}

/** Loads `fetch` whenever `key` changes (and on reload), ignoring stale answers. */
export function useLoad<T>(key: string, fetch: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [reloads, setReloads] = useState(0);
  const fullKey = `${key}#${reloads}`;
  const [state, setState] = useState<{ key: string; data?: T; error: string | null } | null>(null);
  const fetchRef = useRef(fetch);
  useEffect(() => {
    fetchRef.current = fetch;
  });

  useEffect(() => {
    const controller = new AbortController();
    fetchRef.current(controller.signal).then(
      (data) => setState({ key: fullKey, data, error: null }),
      (error: unknown) => {
        if (controller.signal.aborted || (isApiError(error) && error.code === 'session_expired')) return;
        setState({ key: fullKey, error: errorMessage(error) });
      },
    );
    return () => controller.abort();
  }, [fullKey]);

  const current = state?.key === fullKey ? state : null;
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const set = useCallback((data: T) => setState({ key: fullKey, data, error: null }), [fullKey]);
  const update = useCallback(
    (change: (data: T) => T) =>
      setState((prev) =>
        prev?.key === fullKey && prev.data !== undefined ? { ...prev, data: change(prev.data) } : prev,
      ),
    [fullKey],
  );

  return {
    status: current === null ? 'loading' : current.error !== null ? 'error' : 'ready',
    data: current?.data,
    error: current?.error ?? null,
    reload,
    set,
    update,
  };
}
