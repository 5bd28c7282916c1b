import type { ApiClient, RequestOptions } from './client';
import type {
  Audience,
  Connection,
  ConnectionRequest,
  ConnectionsResponse,
  PageInfo,
  Post,
  SearchResult,
  SendRequestResponse,
  Tag,
  TagColor,
  UserProfile,
} from './types';
import { query, seg, withCursor } from './paths';
import { blockEndpoints } from './blocks';
import { invitationEndpoints } from './invitations';
import { reportEndpoints } from './reports';
import { conversationEndpoints, normalizePost } from './conversation';

export interface PageParams {
  cursor?: string | null;
  /** 1–50; the server's default is 20. */
  limit?: number;
}

export interface NewPost {
  content: string;
  audience: Audience;
  /** 1–10 of the author's tag ids when the audience is `tags`; otherwise empty. */
  tag_ids: string[];
}

/** What an author may change on a post; the audience too (with `tag_ids` for `tags`). */
export interface PostChanges {
  content?: string;
  audience?: Audience;
  tag_ids?: string[];
}

export type PostsPage = { posts: Post[] } & PageInfo;
export type RequestsPage = { requests: ConnectionRequest[] } & PageInfo;

/** Upper bound on pages followed when a whole list is wanted (connections ≤ 100, tags ≤ 50). */
const MAX_PAGES = 20;

function postsPage(body: { posts: Parameters<typeof normalizePost>[0][] } & Partial<PageInfo>): PostsPage {
  return withCursor({ ...body, posts: body.posts.map(normalizePost) });
}

/**
 * The social endpoints (connections, requests, blocks, tags, posts, feed,
 * people, conversation, reports and moderation, invitations); all authenticated.
 */
export function createSocialApi(client: ApiClient) {
  const call = <T>(path: string, options: Omit<RequestOptions, 'auth'> = {}): Promise<T> =>
    client.request<T>(path, { ...options, auth: 'required' });

  return {
    /* ---------------------------------------------------- requests */

    /** 201 pending, or 200 connected when they had already asked us. */
    sendRequest(userId: string): Promise<SendRequestResponse> {
      return call('/connections/requests', { method: 'POST', body: { user_id: userId } });
    },

    async listRequests(
      direction: 'incoming' | 'outgoing',
      page: PageParams = {},
      signal?: AbortSignal,
    ): Promise<RequestsPage> {
      const body = await call<{ requests: ConnectionRequest[]; next_cursor?: string | null }>(
        `/connections/requests${query({ direction, limit: page.limit, cursor: page.cursor })}`,
        { signal },
      );
      return withCursor(body);
    },

    acceptRequest(userId: string): Promise<{ connection: Connection }> {
      return call(`/connections/requests/${seg(userId)}/accept`, { method: 'POST' });
    },

    /** Declines an incoming request or cancels an outgoing one. */
    deleteRequest(userId: string): Promise<void> {
      return call(`/connections/requests/${seg(userId)}`, { method: 'DELETE' });
    },

    /* ------------------------------------------------- connections */

    /**
     * Every connection (at most the cap). Follows `next_cursor` should the
     * server page the list, so callers always get the whole set.
     */
    async listConnections(signal?: AbortSignal): Promise<ConnectionsResponse> {
      const all: Connection[] = [];
      let cursor: string | null = null;
      let first: (ConnectionsResponse & { next_cursor?: string | null }) | null = null;
      for (let i = 0; i < MAX_PAGES; i++) {
        const body: ConnectionsResponse & { next_cursor?: string | null } = await call(
          `/connections${query({ limit: 50, cursor })}`,
          { signal },
        );
        first ??= body;
        all.push(...body.connections);
        cursor = body.next_cursor ?? null;
        if (cursor === null) break;
      }
      return {
        connections: all,
        count: typeof first?.count === 'number' ? first.count : all.length,
        limit: typeof first?.limit === 'number' ? first.limit : 100,
      };
    },

    disconnect(userId: string): Promise<void> {
      return call(`/connections/${seg(userId)}`, { method: 'DELETE' });
    },

    /** Replaces the caller's tags on that connection. */
    setConnectionTags(userId: string, tagIds: string[]): Promise<{ connection: Connection }> {
      return call(`/connections/${seg(userId)}/tags`, { method: 'PUT', body: { tag_ids: tagIds } });
    },

    /* -------------------------------------------------------- tags */

    async listTags(signal?: AbortSignal): Promise<Tag[]> {
      const tags: Tag[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < MAX_PAGES; i++) {
        const body: { tags: Tag[]; next_cursor?: string | null } = await call(
          `/tags${query({ cursor })}`,
          { signal },
        );
        tags.push(...body.tags);
        cursor = body.next_cursor ?? null;
        if (cursor === null) break;
      }
      return tags;
    },

    createTag(input: { name: string; color: TagColor }): Promise<Tag> {
      return call('/tags', { method: 'POST', body: input });
    },

    updateTag(id: string, changes: { name?: string; color?: TagColor }): Promise<Tag> {
      return call(`/tags/${seg(id)}`, { method: 'PATCH', body: changes });
    },

    /** The tag also disappears from every connection it was on. */
    deleteTag(id: string): Promise<void> {
      return call(`/tags/${seg(id)}`, { method: 'DELETE' });
    },

    /* ------------------------------------------------------- posts */

    async createPost(input: NewPost): Promise<Post> {
      return normalizePost(await call('/posts', { method: 'POST', body: input }));
    },

    async getPost(id: string, signal?: AbortSignal): Promise<Post> {
      return normalizePost(await call(`/posts/${seg(id)}`, { signal }));
    },

    /** Author only. */
    async updatePost(id: string, changes: PostChanges): Promise<Post> {
      return normalizePost(await call(`/posts/${seg(id)}`, { method: 'PATCH', body: changes }));
    },

    deletePost(id: string): Promise<void> {
      return call(`/posts/${seg(id)}`, { method: 'DELETE' });
    },

    async myPosts(page: PageParams = {}, signal?: AbortSignal): Promise<PostsPage> {
      return postsPage(await call(`/posts/mine${query({ limit: page.limit, cursor: page.cursor })}`, { signal }));
    },

    /** The caller's feed, optionally narrowed to people they tagged with any of `tagIds`. */
    async feed(
      page: PageParams & { tagIds?: readonly string[] } = {},
      signal?: AbortSignal,
    ): Promise<PostsPage> {
      const tagIds = page.tagIds?.length ? page.tagIds.map(seg).join(',') : null;
      const rest = query({ limit: page.limit, cursor: page.cursor });
      // Commas separate the ids, as the contract writes them (?tag_ids=a,b).
      const path = tagIds ? `/feed?tag_ids=${tagIds}${rest ? `&${rest.slice(1)}` : ''}` : `/feed${rest}`;
      return postsPage(await call(path, { signal }));
    },

    /* ------------------------------------------------------ people */

    getUser(id: string, signal?: AbortSignal): Promise<UserProfile> {
      return call(`/users/${seg(id)}`, { signal });
    },

    async userPosts(id: string, page: PageParams = {}, signal?: AbortSignal): Promise<PostsPage> {
      return postsPage(
        await call(`/users/${seg(id)}/posts${query({ limit: page.limit, cursor: page.cursor })}`, { signal }),
      );
    },

    /** Exact username (any case, a leading @ is fine); never returns the caller. */
    async searchUsers(q: string, signal?: AbortSignal): Promise<SearchResult[]> {
      const body = await call<{ users: SearchResult[] }>(`/users/search${query({ q })}`, { signal });
      return body.users.map((u) => ({ ...u, relationship: u.relationship ?? 'none' }));
    },

    ...blockEndpoints(call),

    ...reportEndpoints(call),

    ...invitationEndpoints(call),

    ...conversationEndpoints(call),
  };
}

export type SocialApi = ReturnType<typeof createSocialApi>;
