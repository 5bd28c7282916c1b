/** A scripted stand-in for the API server, plugged in as the client's fetch. */
import { vi } from 'vitest';
import type { User } from '../api/types';

export interface RecordedRequest {
  method: string;
  /** Path without the /api prefix, e.g. "/auth/me". */
  path: string;
  /** The query string, e.g. cursor and tag_ids. */
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type Reply = Response | Error | ((request: RecordedRequest) => Response | Promise<Response>);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: { code, message } }, headers);
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

export const USER: User = {
  id: '01J0000000000000000000USER',
  username: 'alice',
  email: 'alice@example.com',
  created_at: '2024-03-01T12:00:00Z',
  display_name: null,
  bio: null,
};

export function session(token: string, user = USER) {
  return { user, access_token: token, token_type: 'Bearer', expires_in: 900 };
}

/**
 * Routes are "METHOD /path". Each route has a queue of replies consumed in
 * order; the last one repeats. An unknown route fails the test loudly.
 */
export function fakeApi(routes: Record<string, Reply | Reply[]>) {
  const queues = new Map(
    Object.entries(routes).map(([key, reply]) => [key, Array.isArray(reply) ? [...reply] : [reply]]),
  );
  const requests: RecordedRequest[] = [];

  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href, 'http://localhost');
    const method = init.method ?? 'GET';
    const path = url.pathname.replace(/^\/api/, '');
    const headers = new Headers(init.headers);
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const request = { method, path, search: url.searchParams, headers, body };
    requests.push(request);

    const queue = queues.get(`${method} ${path}`);
    if (!queue || queue.length === 0) throw new Error(`fakeApi: no reply for ${method} ${path}`);
    const reply = queue.length > 1 ? queue.shift()! : queue[0]!;
    if (reply instanceof Error) throw reply;
    // A Response body can be read once: hand out a copy each time.
    return typeof reply === 'function' ? reply(request) : reply.clone();
  });

  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    requests,
    /** Requests made to one route, in order. */
    to(method: string, path: string): RecordedRequest[] {
      return requests.filter((r) => r.method === method && r.path === path);
    },
  };
}
