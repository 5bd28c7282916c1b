import { describe, expect, it, vi } from 'vitest';
import type { ExportPart } from '../api/account';
import { createAuthApi } from '../api/auth';
import { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { apiError, fakeApi, json } from '../test/fakeApi';
import {
  ExportIncompleteError,
  REVOKE_AFTER_MS,
  collectExport,
  exportFileName,
  mergeParts,
  progressText,
  saveJsonFile,
} from './exportData';

function part(extra: Partial<ExportPart>, exportedAt = '2025-03-01T12:00:00Z'): ExportPart {
  return { format: 'intentional-social-export', version: 1, exported_at: exportedAt, next_cursor: null, ...extra };
}

function setup(routes: Parameters<typeof fakeApi>[0]) {
  const server = fakeApi(routes);
  const client = new ApiClient({ baseUrl: '/api', fetch: server.fetch });
  client.setAccessToken('tok-1');
  return { server, api: createAuthApi(client) };
}

/** The text of a Blob (jsdom's Blob has no text()). */
function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsText(blob);
  });
}

describe('mergeParts', () => {
  it('concatenates arrays key by key, takes objects from the part that has them, the header from the first', () => {
    const merged = mergeParts([
      part({ profile: { username: 'alice' }, posts: [{ id: 'p1' }, { id: 'p2' }], settings: { on_request: true }, next_cursor: 'c1' }),
      part({ posts: [{ id: 'p3' }], comments: [{ id: 'k1' }], next_cursor: 'c2' }, '2025-03-01T12:00:05Z'),
      part({ comments: [{ id: 'k2' }], reactions: [], requests: { incoming: [], outgoing: [{ user_id: 'u-b' }] }, tags: [{ id: 't1' }] }, '2025-03-01T12:00:09Z'),
    ]);

    expect(merged).toEqual({
      format: 'intentional-social-export',
      version: 1,
      exported_at: '2025-03-01T12:00:00Z',
      profile: { username: 'alice' },
      posts: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }],
      settings: { on_request: true },
      comments: [{ id: 'k1' }, { id: 'k2' }],
      reactions: [],
      requests: { incoming: [], outgoing: [{ user_id: 'u-b' }] },
      tags: [{ id: 't1' }],
    });
    expect('next_cursor' in merged).toBe(false);
    // The header first, then the rest in the order it arrived.
    expect(Object.keys(merged).slice(0, 4)).toEqual(['format', 'version', 'exported_at', 'profile']);
  });

  it('leaves the parts as they were, and keeps lists a later version adds', () => {
    const first = part({ posts: [1], photos: ['a'], next_cursor: 'c1' });
    const second = part({ posts: [2], photos: ['b'] });
    const merged = mergeParts([first, second]);
    expect(merged.posts).toEqual([1, 2]);
    expect(merged.photos).toEqual(['a', 'b']);
    expect(first.posts).toEqual([1]);
  });
});

describe('collectExport', () => {
  it('follows next_cursor (URL-encoded) until it is null, reporting the counts after each part', async () => {
    const { server, api } = setup({
      'GET /account/export': (r) => {
        switch (r.search.get('cursor')) {
          case null:
            return json(200, part({ profile: { username: 'alice' }, posts: [1, 2], next_cursor: 'a+b/c=' }));
          case 'a+b/c=':
            return json(200, part({ posts: [3], comments: [1], next_cursor: 'next 2' }));
          default:
            return json(200, part({ comments: [2, 3], connections: [1] }));
        }
      },
    });
    const progress = vi.fn<(counts: Record<string, number>) => void>();

    const document = await collectExport((cursor, signal) => api.exportPart(cursor, signal), progress);

    expect(document).toMatchObject({ posts: [1, 2, 3], comments: [1, 2, 3], connections: [1], profile: { username: 'alice' } });
    expect(vi.mocked(server.fetch).mock.calls.map((call) => call[0])).toEqual([
      '/api/account/export',
      '/api/account/export?cursor=a%2Bb%2Fc%3D',
      '/api/account/export?cursor=next%202',
    ]);
    expect(server.requests.every((r) => r.headers.get('Authorization') === 'Bearer tok-1')).toBe(true);
    expect(progress.mock.calls.map(([counts]) => counts)).toEqual([
      { posts: 2 },
      { posts: 3, comments: 1 },
      { posts: 3, comments: 3, connections: 1 },
    ]);
  });

  it('stops at the first error and returns nothing partial', async () => {
    const { server, api } = setup({
      'GET /account/export': [
        json(200, part({ posts: [1], next_cursor: 'c1' })),
        apiError(429, 'rate_limited', 'You can export your data once an hour.', { 'Retry-After': '1800' }),
        json(200, part({ posts: [2] })),
      ],
    });

    const error = await collectExport((cursor) => api.exportPart(cursor)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 1800 });
    expect(server.to('GET', '/account/export')).toHaveLength(2);
  });

  it('gives up on a cursor it has already followed, rather than going round for ever', async () => {
    const fetchPart = vi.fn((cursor: string | null) =>
      Promise.resolve(part({ posts: [cursor], next_cursor: cursor === null ? 'a' : 'b' })),
    );
    await expect(collectExport(fetchPart)).rejects.toBeInstanceOf(ExportIncompleteError);
    expect(fetchPart.mock.calls.map(([cursor]) => cursor)).toEqual([null, 'a', 'b']);
  });
});

describe('the export file', () => {
  it('says what has been collected so far', () => {
    expect(progressText({})).toBe('Collecting your data…');
    expect(progressText({ posts: 0 })).toBe('Collecting your data…');
    expect(progressText({ comments: 40, posts: 120 })).toBe('Collected 120 posts, 40 comments…');
    expect(progressText({ posts: 1, reactions: 1, connections: 2, tags: 1, photos: 3 })).toBe(
      'Collected 1 post, 1 reaction, 2 connections, 1 tag, 3 photos…',
    );
  });

  it('is named after the person and the day, in their time zone', () => {
    expect(exportFileName('alice', new Date(2025, 2, 7, 23, 59))).toBe('intentional-social-export-alice-2025-03-07.json');
  });

  it('is saved through an object URL and a download link, pretty-printed, and the URL revoked afterwards', async () => {
    vi.useFakeTimers();
    try {
      let blob: Blob | null = null;
      vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
        blob = b as Blob;
        return 'blob:http://localhost/export';
      });
      const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
      const clicked: HTMLAnchorElement[] = [];
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        clicked.push(this);
      });

      saveJsonFile('intentional-social-export-alice-2025-03-07.json', { format: 'intentional-social-export', posts: [1] });

      expect(clicked).toHaveLength(1);
      expect(clicked[0]!.download).toBe('intentional-social-export-alice-2025-03-07.json');
      expect(clicked[0]!.href).toBe('blob:http://localhost/export');
      expect(clicked[0]!.isConnected).toBe(false);
      expect(blob!.type).toBe('application/json');
      expect(revoke).not.toHaveBeenCalled();
      vi.advanceTimersByTime(REVOKE_AFTER_MS);
      expect(revoke).toHaveBeenCalledWith('blob:http://localhost/export');

      vi.useRealTimers();
      expect(await readBlob(blob!)).toBe('{\n  "format": "intentional-social-export",\n  "posts": [\n    1\n  ]\n}\n');
    } finally {
      vi.useRealTimers();
    }
  });
});
