/**
 * What several screens share about the signed-in person: their tags, their
 * connections (with the tags they put on each) and how many requests wait.
 * Loaded on first use, kept in memory, updated in place after each change.
 */
import { errorMessage, isApiError } from '../api/errors';
import type { SocialApi } from '../api/social';
import type { Connection, Tag } from '../api/types';

export type Resource<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'ready'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: string };

export interface ConnectionsData {
  connections: Connection[];
  count: number;
  limit: number;
}

export interface RequestCounts {
  /** null until known. */
  incoming: number | null;
  outgoing: number | null;
  /** True when there are more incoming requests than were counted ("50+"). */
  incomingMore: boolean;
}

export interface SocialState {
  tags: Resource<Tag[]> | null;
  connections: Resource<ConnectionsData> | null;
  requests: RequestCounts;
  /** Unread notifications; null until known. */
  unread: number | null;
}

/** One page of requests is enough to count for the navigation. */
const COUNT_PAGE = 50;

const INITIAL: SocialState = {
  tags: null,
  connections: null,
  requests: { incoming: null, outgoing: null, incomingMore: false },
  unread: null,
};

function quiet(error: unknown): boolean {
  // An ended session is handled by the auth guard; an abort is deliberate.
  return (isApiError(error) && error.code === 'session_expired') || (error instanceof DOMException && error.name === 'AbortError');
}

export class SocialStore {
  readonly api: SocialApi;
  #state: SocialState = INITIAL;
  readonly #listeners = new Set<() => void>();
  #tagsLoad: Promise<void> | null = null;
  #connectionsLoad: Promise<void> | null = null;
  #countsLoad: Promise<void> | null = null;
  #unreadLoad: Promise<void> | null = null;

  constructor(api: SocialApi) {
    this.api = api;
  }

  get state(): SocialState {
    return this.#state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  getSnapshot = (): SocialState => this.#state;

  #set(patch: Partial<SocialState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  /* ------------------------------------------------------------ tags */

  ensureTags(): void {
    if (this.#state.tags === null) void this.reloadTags();
  }

  reloadTags(): Promise<void> {
    this.#tagsLoad ??= (async () => {
      if (this.#state.tags?.status !== 'ready') this.#set({ tags: { status: 'loading' } });
      try {
        const tags = await this.api.listTags();
        this.#set({ tags: { status: 'ready', data: tags } });
      } catch (error) {
        if (!quiet(error)) this.#set({ tags: { status: 'error', error: errorMessage(error) } });
      } finally {
        this.#tagsLoad = null;
      }
    })();
    return this.#tagsLoad;
  }

  tagSaved(tag: Tag): void {
    const current = this.#state.tags;
    if (current?.status !== 'ready') return;
    const exists = current.data.some((t) => t.id === tag.id);
    const data = exists ? current.data.map((t) => (t.id === tag.id ? tag : t)) : [...current.data, tag];
    this.#set({ tags: { status: 'ready', data } });
  }

  /** The server also took the tag off every connection: mirror that. */
  tagDeleted(id: string): void {
    const tags = this.#state.tags;
    const connections = this.#state.connections;
    this.#set({
      tags: tags?.status === 'ready' ? { status: 'ready', data: tags.data.filter((t) => t.id !== id) } : tags,
      connections:
        connections?.status === 'ready'
          ? {
              status: 'ready',
              data: {
                ...connections.data,
                connections: connections.data.connections.map((c) =>
                  c.tag_ids.includes(id) ? { ...c, tag_ids: c.tag_ids.filter((t) => t !== id) } : c,
                ),
              },
            }
          : connections,
    });
  }

  /* ----------------------------------------------------- connections */

  ensureConnections(): void {
    if (this.#state.connections === null) void this.reloadConnections();
  }

  reloadConnections(): Promise<void> {
    this.#connectionsLoad ??= (async () => {
      if (this.#state.connections?.status !== 'ready') this.#set({ connections: { status: 'loading' } });
      try {
        const data = await this.api.listConnections();
        this.#set({ connections: { status: 'ready', data } });
      } catch (error) {
        if (!quiet(error)) this.#set({ connections: { status: 'error', error: errorMessage(error) } });
      } finally {
        this.#connectionsLoad = null;
      }
    })();
    return this.#connectionsLoad;
  }

  /** A new connection, or new tags on one. */
  connectionSaved(connection: Connection): void {
    const current = this.#state.connections;
    if (current?.status !== 'ready') return;
    const list = current.data.connections;
    const exists = list.some((c) => c.user.id === connection.user.id);
    const connections = exists
      ? list.map((c) => (c.user.id === connection.user.id ? connection : c))
      : [connection, ...list];
    this.#set({
      connections: {
        status: 'ready',
        data: { ...current.data, connections, count: current.data.count + (exists ? 0 : 1) },
      },
    });
  }

  connectionRemoved(userId: string): void {
    const current = this.#state.connections;
    if (current?.status !== 'ready') return;
    const list = current.data.connections;
    if (!list.some((c) => c.user.id === userId)) return;
    this.#set({
      connections: {
        status: 'ready',
        data: {
          ...current.data,
          connections: list.filter((c) => c.user.id !== userId),
          count: Math.max(0, current.data.count - 1),
        },
      },
    });
  }

  /* -------------------------------------------------------- requests */

  refreshRequestCounts(): Promise<void> {
    this.#countsLoad ??= (async () => {
      try {
        const [incoming, outgoing] = await Promise.all([
          this.api.listRequests('incoming', { limit: COUNT_PAGE }),
          this.api.listRequests('outgoing', { limit: COUNT_PAGE }),
        ]);
        this.#set({
          requests: {
            incoming: incoming.requests.length,
            outgoing: outgoing.requests.length,
            incomingMore: incoming.next_cursor !== null,
          },
        });
      } catch {
        // The counts are a courtesy: the Requests screen shows its own errors.
      } finally {
        this.#countsLoad = null;
      }
    })();
    return this.#countsLoad;
  }

  /** After an accept/decline/cancel/send here, adjust without another round trip. */
  adjustRequestCount(direction: 'incoming' | 'outgoing', delta: number): void {
    const current = this.#state.requests[direction];
    if (current === null) return;
    this.#set({ requests: { ...this.#state.requests, [direction]: Math.max(0, current + delta) } });
  }

  setRequestCount(direction: 'incoming' | 'outgoing', count: number, more = false): void {
    this.#set({
      requests: {
        ...this.#state.requests,
        [direction]: count,
        ...(direction === 'incoming' ? { incomingMore: more } : {}),
      },
    });
  }

  /* --------------------------------------------------- notifications */

  refreshUnread(): Promise<void> {
    this.#unreadLoad ??= (async () => {
      try {
        this.#set({ unread: await this.api.unreadCount() });
      } catch {
        // The badge is a courtesy, like the request counts: the screen shows its own errors.
      } finally {
        this.#unreadLoad = null;
      }
    })();
    return this.#unreadLoad;
  }

  /** From a notifications page (its `unread`), or after marking some read here. */
  setUnread(count: number): void {
    this.#set({ unread: Math.max(0, count) });
  }
}
