/**
 * Building one's data export: GET /api/account/export answers in parts,
 * each naming the next (`next_cursor`) until the last (null). The parts are
 * merged into one document, saved as one file. No React here.
 */
import type { ExportDocument, ExportPart } from '../api/account';
import { plural } from '../lib/text';

export type { ExportDocument };

export type FetchPart = (cursor: string | null, signal?: AbortSignal) => Promise<ExportPart>;

/** Taken from the first part only. */
const HEADER_KEYS = ['format', 'version', 'exported_at'] as const;

/** A bound on the parts followed, should a server keep answering with more. */
export const MAX_PARTS = 1000;

export class ExportIncompleteError extends Error {
  constructor() {
    super('The export could not be completed. Please try again later.');
    this.name = 'ExportIncompleteError';
  }
}

/**
 * Adds one part to what was merged so far (changing `merged`): arrays are
 * concatenated key by key; any other value (the profile, requests and
 * settings objects) is taken from the first part that has it; format,
 * version and exported_at come from the first part; next_cursor is dropped.
 */
function mergeInto(merged: Record<string, unknown>, part: ExportPart, isFirst: boolean): void {
  if (isFirst) for (const key of HEADER_KEYS) merged[key] = part[key];
  for (const [key, value] of Object.entries(part)) {
    if (key === 'next_cursor' || value === undefined || (HEADER_KEYS as readonly string[]).includes(key)) continue;
    const before = merged[key];
    if (Array.isArray(value)) {
      if (Array.isArray(before)) before.push(...(value as unknown[]));
      else merged[key] = [...(value as unknown[])];
    } else if (!(key in merged)) {
      merged[key] = value;
    }
  }
}

/** Merges the parts in order (see mergeInto for the rule). */
export function mergeParts(parts: readonly ExportPart[]): ExportDocument {
  const merged: Record<string, unknown> = {};
  parts.forEach((part, i) => mergeInto(merged, part, i === 0));
  return merged as unknown as ExportDocument;
}

/** How many items of each list have been collected so far, in the document's order. */
export type ExportCounts = Record<string, number>;

export function countItems(document: ExportDocument | Record<string, unknown>): ExportCounts {
  const counts: ExportCounts = {};
  for (const [key, value] of Object.entries(document)) {
    if (Array.isArray(value)) counts[key] = value.length;
  }
  return counts;
}

/**
 * Follows the cursor from the first part to the last, merging as it goes.
 * `onProgress` hears the counts after each part. Any failure (an ApiError,
 * a cancel) rejects: a partial export is never returned.
 */
export async function collectExport(
  fetchPart: FetchPart,
  onProgress: (counts: ExportCounts) => void = () => undefined,
  signal?: AbortSignal,
): Promise<ExportDocument> {
  const merged: Record<string, unknown> = {};
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PARTS; i++) {
    const part = await fetchPart(cursor, signal);
    mergeInto(merged, part, i === 0);
    onProgress(countItems(merged));
    const next = typeof part.next_cursor === 'string' && part.next_cursor !== '' ? part.next_cursor : null;
    if (next === null) return merged as unknown as ExportDocument;
    // The same cursor twice would go round for ever.
    if (seen.has(next)) throw new ExportIncompleteError();
    seen.add(next);
    cursor = next;
  }
  throw new ExportIncompleteError();
}

/** The lists named in the progress message, in this order (others follow, by their key). */
const LIST_WORDS: Record<string, [string, string]> = {
  posts: ['post', 'posts'],
  comments: ['comment', 'comments'],
  reactions: ['reaction', 'reactions'],
  connections: ['connection', 'connections'],
  tags: ['tag', 'tags'],
};

/** "Collected 120 posts, 40 comments…"; "Collecting your data…" before anything is counted. */
export function progressText(counts: ExportCounts): string {
  const known = Object.keys(LIST_WORDS).filter((key) => (counts[key] ?? 0) > 0);
  const others = Object.keys(counts).filter((key) => !(key in LIST_WORDS) && counts[key]! > 0);
  const items = [
    ...known.map((key) => plural(counts[key]!, LIST_WORDS[key]![0], LIST_WORDS[key]![1])),
    ...others.map((key) => `${counts[key]!.toLocaleString()} ${key.replace(/_/g, ' ')}`),
  ];
  return items.length === 0 ? 'Collecting your data…' : `Collected ${items.join(', ')}…`;
}

/** YYYY-MM-DD in the person's own time zone. */
export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** intentional-social-export-<username>-<YYYY-MM-DD>.json */
export function exportFileName(username: string, date: Date): string {
  return `intentional-social-export-${username}-${localDate(date)}.json`;
}

/** How long the file's object URL lives after the download began. */
export const REVOKE_AFTER_MS = 1000;

/**
 * Saves `document` as a pretty-printed JSON file: a Blob's object URL,
 * clicked through an <a download>, revoked shortly afterwards.
 */
export function saveJsonFile(fileName: string, document: unknown, doc: Document = window.document): void {
  const blob = new Blob([`${JSON.stringify(document, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
