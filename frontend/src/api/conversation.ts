/**
 * What people say around a post (comments, reactions), who can see it, and
 * the notifications that tell them about it. Spread into the social API.
 */
import type { RequestOptions } from './client';
import { query, seg, withCursor } from './paths';
import type {
  Comment,
  EmailSettings,
  Notification,
  PageInfo,
  Post,
  PostAudienceList,
  Reaction,
  ReactionKind,
  Reactions,
} from './types';

export type Call = <T>(path: string, options?: Omit<RequestOptions, 'auth'>) => Promise<T>;

export type CommentsPage = { comments: Comment[] } & PageInfo;
export type ReactionsPage = { reactions: Reaction[] } & PageInfo;
export type NotificationsPage = { notifications: Notification[]; unread: number } & PageInfo;

/** Which notifications to mark read: some, or all of them. */
export type MarkRead = { ids: string[] } | { all: true };

const NO_REACTIONS: Reactions = { counts: {}, mine: null };

/**
 * A post with its conversation fields filled in: a server that predates
 * comments leaves them out, and every screen can then count on them.
 */
export function normalizePost(post: Omit<Post, 'comment_count' | 'reactions'> & Partial<Post>): Post {
  return { ...post, comment_count: post.comment_count ?? 0, reactions: post.reactions ?? NO_REACTIONS };
}

export function conversationEndpoints(call: Call) {
  const post = (id: string) => `/posts/${seg(id)}`;

  return {
    /* ---------------------------------------------------- comments */

    /** Oldest first. */
    async listComments(postId: string, cursor: string | null = null, signal?: AbortSignal): Promise<CommentsPage> {
      return withCursor(await call<CommentsPage>(`${post(postId)}/comments${query({ cursor })}`, { signal }));
    },

    addComment(postId: string, content: string): Promise<Comment> {
      return call(`${post(postId)}/comments`, { method: 'POST', body: { content } });
    },

    /** Its author only. */
    updateComment(postId: string, commentId: string, content: string): Promise<Comment> {
      return call(`${post(postId)}/comments/${seg(commentId)}`, { method: 'PATCH', body: { content } });
    },

    /** Its author, or the post's author. */
    deleteComment(postId: string, commentId: string): Promise<void> {
      return call(`${post(postId)}/comments/${seg(commentId)}`, { method: 'DELETE' });
    },

    /* --------------------------------------------------- reactions */

    /** One reaction a person: this replaces the caller's previous kind. */
    async react(postId: string, kind: ReactionKind): Promise<Reactions> {
      const body = await call<{ reactions: Reactions }>(`${post(postId)}/reaction`, { method: 'PUT', body: { kind } });
      return body.reactions;
    },

    async unreact(postId: string): Promise<Reactions> {
      const body = await call<{ reactions: Reactions }>(`${post(postId)}/reaction`, { method: 'DELETE' });
      return body.reactions;
    },

    async listReactions(postId: string, cursor: string | null = null, signal?: AbortSignal): Promise<ReactionsPage> {
      return withCursor(await call<ReactionsPage>(`${post(postId)}/reactions${query({ cursor })}`, { signal }));
    },

    /* ---------------------------------------------------- audience */

    /** Author only: the people who can see the post now. */
    postAudience(postId: string, signal?: AbortSignal): Promise<PostAudienceList> {
      return call(`${post(postId)}/audience`, { signal });
    },

    /* ----------------------------------------------- notifications */

    async listNotifications(cursor: string | null = null, signal?: AbortSignal): Promise<NotificationsPage> {
      return withCursor(await call<NotificationsPage>(`/notifications${query({ cursor })}`, { signal }));
    },

    async unreadCount(signal?: AbortSignal): Promise<number> {
      return (await call<{ unread: number }>('/notifications/unread', { signal })).unread;
    },

    markRead(which: MarkRead): Promise<void> {
      return call('/notifications/read', { method: 'POST', body: which });
    },

    getEmailSettings(signal?: AbortSignal): Promise<EmailSettings> {
      return call('/account/email-settings', { signal });
    },

    saveEmailSettings(settings: EmailSettings): Promise<EmailSettings> {
      return call('/account/email-settings', { method: 'PUT', body: settings });
    },
  };
}
