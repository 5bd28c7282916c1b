import type { PageInfo } from './types';

/** `?a=1&b=x`, leaving out empty values; '' when nothing is left. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    parts.push(`${key}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** One path segment (an id), encoded. */
export const seg = encodeURIComponent;

/** `next_cursor` as the contract says: a string, or null at the end (a missing field means the end). */
export function withCursor<T extends object>(body: T & Partial<PageInfo>): T & PageInfo {
  return { ...body, next_cursor: body.next_cursor ?? null };
}
