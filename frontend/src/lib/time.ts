import { useSyncExternalStore } from 'react';

const exactFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const yearFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

function parse(value: string): Date | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Tuesday, 4 March 2025 at 14:05" in the reader's locale and time zone. */
export function exactTime(value: string): string {
  const date = parse(value);
  return date ? exactFormat.format(date) : value;
}

export function formatDate(value: string): string {
  const date = parse(value);
  return date ? longDate.format(date) : value;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then a date. */
export function relativeTime(value: string, now: number = Date.now()): string {
  const date = parse(value);
  if (!date) return value;
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return (sameYear ? dayFormat : yearFormat).format(date);
}

/** How often relative times refresh (and how stale "now" may be). */
const TICK = 15_000;
let minuteListeners = new Set<() => void>();
let minuteTimer: number | undefined;

function subscribeMinutes(listener: () => void): () => void {
  minuteListeners.add(listener);
  if (minuteTimer === undefined) {
    minuteTimer = window.setInterval(() => {
      for (const l of minuteListeners) l();
    }, TICK);
  }
  return () => {
    minuteListeners.delete(listener);
    if (minuteListeners.size === 0 && minuteTimer !== undefined) {
      window.clearInterval(minuteTimer);
      minuteTimer = undefined;
      minuteListeners = new Set();
    }
  };
}

function currentTick(): number {
  return Math.floor(Date.now() / TICK) * TICK;
}

/** The current time to within 15 s; re-renders as it passes so "5 min ago" stays true. */
export function useNowMinute(): number {
  return useSyncExternalStore(subscribeMinutes, currentTick);
}
