import { useCallback, useSyncExternalStore } from 'react';

function currentSecond(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Whole seconds left until `until` (ms since epoch), re-rendering once a
 * second while the countdown runs. 0 once it has passed.
 */
export function useSecondsUntil(until: number): number {
  const endSecond = Math.ceil(until / 1000);
  const subscribe = useCallback(
    (onTick: () => void) => {
      if (currentSecond() >= endSecond) return () => {};
      const id = window.setInterval(() => {
        onTick();
        if (currentSecond() >= endSecond) window.clearInterval(id);
      }, 1000);
      return () => window.clearInterval(id);
    },
    [endSecond],
  );
  const nowSecond = useSyncExternalStore(subscribe, currentSecond);
  return Math.max(0, endSecond - nowSecond);
}
