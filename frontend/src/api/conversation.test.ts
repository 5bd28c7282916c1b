import { describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { createSocialApi } from './social';
import { fakeApi, json, noContent } from '../test/fakeApi';

function setup(routes: Parameters<typeof fakeApi>[0]) {
  const server = fakeApi(routes);
  const client = new ApiClient({ baseUrl: '/api', fetch: server.fetch });
  client.setAccessToken('tok-1');
  return { server, api: createSocialApi(client) };
}

const BOB = { id: 'u-bob', username: 'bob', display_name: null };
const comment = { id: 'c1', post_id: 'p/1', author: BOB, content: 'hi', created_at: '2025-03-01T12:00:00Z', edited_at: null };

describe('conversation API client', () => {
  it('pages comments by cursor and writes them with the contract’s methods', async () => {
    const { server, api } = setup({
      'GET /posts/p%2F1/comments': json(200, { comments: [comment] }),
      'POST /posts/p%2F1/comments': json(201, comment),
      'PATCH /posts/p%2F1/comments/c1': json(200, { ...comment, content: 'hello' }),
      'DELETE /posts/p%2F1/comments/c1': noContent(),
    });

    // A missing next_cursor means the end.
    await expect(api.listComments('p/1', 'cur 2')).resolves.toEqual({ comments: [comment], next_cursor: null });
    expect(server.to('GET', '/posts/p%2F1/comments')[0]!.search.get('cursor')).toBe('cur 2');
    await api.addComment('p/1', 'hi');
    await api.updateComment('p/1', 'c1', 'hello');
    await api.deleteComment('p/1', 'c1');
    expect(server.to('POST', '/posts/p%2F1/comments')[0]!.body).toEqual({ content: 'hi' });
    expect(server.to('PATCH', '/posts/p%2F1/comments/c1')[0]!.body).toEqual({ content: 'hello' });
    expect(server.to('DELETE', '/posts/p%2F1/comments/c1')).toHaveLength(1);
  });

  it('reacts, takes the reaction back and lists who reacted', async () => {
    const { server, api } = setup({
      'PUT /posts/p1/reaction': json(200, { reactions: { counts: { heart: 2 }, mine: 'heart' } }),
      'DELETE /posts/p1/reaction': json(200, { reactions: { counts: { heart: 1 }, mine: null } }),
      'GET /posts/p1/reactions': json(200, { reactions: [{ user: BOB, kind: 'heart', created_at: 'x' }], next_cursor: 'n' }),
    });
    await expect(api.react('p1', 'heart')).resolves.toEqual({ counts: { heart: 2 }, mine: 'heart' });
    expect(server.to('PUT', '/posts/p1/reaction')[0]!.body).toEqual({ kind: 'heart' });
    await expect(api.unreact('p1')).resolves.toEqual({ counts: { heart: 1 }, mine: null });
    expect((await api.listReactions('p1')).next_cursor).toBe('n');
  });

  it('changes a post’s audience and reads who can see it', async () => {
    const { server, api } = setup({
      'PATCH /posts/p1': json(200, { id: 'p1', audience: 'tags', tag_ids: ['t1'] }),
      'GET /posts/p1/audience': json(200, { users: [BOB], count: 1 }),
    });
    const post = await api.updatePost('p1', { audience: 'tags', tag_ids: ['t1'] });
    expect(server.to('PATCH', '/posts/p1')[0]!.body).toEqual({ audience: 'tags', tag_ids: ['t1'] });
    // A post without conversation fields still has them on screen.
    expect(post.comment_count).toBe(0);
    expect(post.reactions).toEqual({ counts: {}, mine: null });
    await expect(api.postAudience('p1')).resolves.toEqual({ users: [BOB], count: 1 });
  });

  it('lists notifications, counts the unread and marks them read', async () => {
    const { server, api } = setup({
      'GET /notifications': json(200, { notifications: [], next_cursor: null, unread: 3 }),
      'GET /notifications/unread': json(200, { unread: 4 }),
      'POST /notifications/read': noContent(),
      'GET /account/email-settings': json(200, { on_request: true, on_accept: false }),
      'PUT /account/email-settings': json(200, { on_request: false, on_accept: false }),
    });
    expect((await api.listNotifications('c')).unread).toBe(3);
    expect(server.to('GET', '/notifications')[0]!.search.get('cursor')).toBe('c');
    await expect(api.unreadCount()).resolves.toBe(4);
    await api.markRead({ ids: ['n1'] });
    await api.markRead({ all: true });
    expect(server.to('POST', '/notifications/read').map((r) => r.body)).toEqual([{ ids: ['n1'] }, { all: true }]);
    await expect(api.getEmailSettings()).resolves.toEqual({ on_request: true, on_accept: false });
    await api.saveEmailSettings({ on_request: false, on_accept: false });
    expect(server.to('PUT', '/account/email-settings')[0]!.body).toEqual({ on_request: false, on_accept: false });
  });
});
