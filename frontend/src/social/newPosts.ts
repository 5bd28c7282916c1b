import type { Post } from '../api/types';

export interface NewPostsResult {
  /** Posts newer than everything on screen, newest first, ready to go on top. */
  fresh: Post[];
  /**
   * True when the check cannot tell whether even more new posts lie between
   * the fetched page and the screen (every fetched post was new and more
   * exist), or nothing is on screen yet: showing them means loading afresh.
   */
  gap: boolean;
}

function time(value: string): number {
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Compares a freshly fetched first page with what is on screen. Only posts
 * newer than the newest one shown count as new: a post that appears further
 * down (e.g. an older post of a new connection) is never slipped in between,
 * so nothing already on screen moves.
 */
export function findNewPosts(onScreen: readonly Post[], fetched: readonly Post[], fetchedHasMore: boolean): NewPostsResult {
  if (onScreen.length === 0) return { fresh: [...fetched], gap: fetched.length > 0 };
  const shown = new Set(onScreen.map((p) => p.id));
  const newest = Math.max(...onScreen.map((p) => time(p.created_at)));
  const fresh = fetched.filter((p) => !shown.has(p.id) && time(p.created_at) >= newest);
  const gap = fresh.length === fetched.length && fetchedHasMore;
  return { fresh, gap };
}

/** Puts new posts on top; the posts already on screen keep their order. */
export function prependPosts(onScreen: readonly Post[], fresh: readonly Post[]): Post[] {
  const shown = new Set(onScreen.map((p) => p.id));
  return [...fresh.filter((p) => !shown.has(p.id)), ...onScreen];
}
