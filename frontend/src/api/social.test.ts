import { describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './errors';
import { createSocialApi } from './social';
import { apiError, fakeApi, json, noContent, session } from '../test/fakeApi';

function setup(routes: Parameters<typeof fakeApi>[0]) {
  const server = fakeApi(routes);
  const client = new ApiClient({ baseUrl: '/api', fetch: server.fetch });
  client.setAccessToken('tok-1');
  return { server, client, api: createSocialApi(client) };
}

const url = (server: ReturnType<typeof fakeApi>, i: number) => {
  const calls = (server.fetch as unknown as { mock: { calls: [string][] } }).mock.calls;
  return calls[i]![0];
};

describe('social API client', () => {
  it('sends requests with the user id and reads both outcomes', async () => {
    const connection = { user: { id: 'u-bob', username: 'bob', display_name: null }, connected_at: '2025-01-01T00:00:00Z', tag_ids: [] };
    const { server, api } = setup({
      'POST /connections/requests': [json(201, { status: 'pending' }), json(200, { status: 'connected', connection })],
    });

    await expect(api.sendRequest('u-bob')).resolves.toEqual({ status: 'pending' });
    await expect(api.sendRequest('u-bob')).resolves.toEqual({ status: 'connected', connection });
    const [first] = server.to('POST', '/connections/requests');
    expect(first!.body).toEqual({ user_id: 'u-bob' });
    expect(first!.headers.get('Authorization')).toBe('Bearer tok-1');
  });

  it('encodes ids in paths and uses the contract’s methods', async () => {
    const { server, api } = setup({
      'POST /connections/requests/a%2Fb/accept': json(200, { connection: {} }),
      'DELETE /connections/requests/a%2Fb': noContent(),
      'DELETE /connections/a%2Fb': noContent(),
      'PUT /connections/a%2Fb/tags': json(200, { connection: {} }),
      'PATCH /tags/t1': json(200, { id: 't1' }),
      'DELETE /tags/t1': noContent(),
      'PATCH /posts/p1': json(200, { id: 'p1' }),
      'DELETE /posts/p1': noContent(),
    });

    await api.acceptRequest('a/b');
    await api.deleteRequest('a/b');
    await api.disconnect('a/b');
    await api.setConnectionTags('a/b', ['t1', 't2']);
    await api.updateTag('t1', { color: 'work' });
    await api.deleteTag('t1');
    await api.updatePost('p1', { content: 'new text' });
    await api.deletePost('p1');

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /connections/requests/a%2Fb/accept',
      'DELETE /connections/requests/a%2Fb',
      'DELETE /connections/a%2Fb',
      'PUT /connections/a%2Fb/tags',
      'PATCH /tags/t1',
      'DELETE /tags/t1',
      'PATCH /posts/p1',
      'DELETE /posts/p1',
    ]);
    expect(server.to('PUT', '/connections/a%2Fb/tags')[0]!.body).toEqual({ tag_ids: ['t1', 't2'] });
    expect(server.to('PATCH', '/tags/t1')[0]!.body).toEqual({ color: 'work' });
    expect(server.to('PATCH', '/posts/p1')[0]!.body).toEqual({ content: 'new text' });
  });

  it('asks the feed for comma-separated tag ids and passes the cursor on', async () => {
    const { server, api } = setup({
      'GET /feed': json(200, { posts: [], next_cursor: 'c2' }),
    });

    await expect(api.feed({ tagIds: ['t1', 't2'], cursor: 'c 1', limit: 20 })).resolves.toEqual({
      posts: [],
      next_cursor: 'c2',
    });
    await api.feed();

    expect(url(server, 0)).toBe('/api/feed?tag_ids=t1,t2&limit=20&cursor=c%201');
    expect(url(server, 1)).toBe('/api/feed');
  });

  it('reads a list without next_cursor as the last page', async () => {
    const { api } = setup({ 'GET /posts/mine': json(200, { posts: [] }) });
    await expect(api.myPosts()).resolves.toEqual({ posts: [], next_cursor: null });
  });

  it('collects every connection, following next_cursor should the server page them', async () => {
    const c = (id: string) => ({ user: { id, username: id, display_name: null }, connected_at: '2025-01-01T00:00:00Z', tag_ids: [] });
    const { server, api } = setup({
      'GET /connections': [
        json(200, { connections: [c('a'), c('b')], count: 3, limit: 100, next_cursor: 'n1' }),
        json(200, { connections: [c('c')], count: 3, limit: 100, next_cursor: null }),
      ],
    });

    const result = await api.listConnections();

    expect(result.connections.map((x) => x.user.id)).toEqual(['a', 'b', 'c']);
    expect(result).toMatchObject({ count: 3, limit: 100 });
    expect(url(server, 1)).toBe('/api/connections?limit=50&cursor=n1');
  });

  it('searches by username and lists requests by direction', async () => {
    const { server, api } = setup({
      'GET /users/search': json(200, { users: [{ id: 'u-bob', username: 'bob', display_name: null, relationship: 'incoming_request' }] }),
      'GET /connections/requests': json(200, { requests: [], next_cursor: null }),
    });

    await expect(api.searchUsers('bob')).resolves.toEqual([
      { id: 'u-bob', username: 'bob', display_name: null, relationship: 'incoming_request' },
    ]);
    await api.listRequests('incoming', { limit: 50 });
    expect(url(server, 0)).toBe('/api/users/search?q=bob');
    expect(url(server, 1)).toBe('/api/connections/requests?direction=incoming&limit=50');
  });

  it('blocks (201 without a body), lists blocks and unblocks by encoded id', async () => {
    const block = { user: { id: 'u-bob', username: 'bob', display_name: 'Bob' }, created_at: '2025-03-01T12:00:00Z' };
    const { server, api } = setup({
      'POST /blocks': new Response(null, { status: 201 }),
      'GET /blocks': json(200, { blocks: [block] }),
      'DELETE /blocks/a%2Fb': noContent(),
    });

    await expect(api.block('u-bob')).resolves.toBeUndefined();
    await expect(api.listBlocks()).resolves.toEqual([block]);
    await expect(api.unblock('a/b')).resolves.toBeUndefined();

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /blocks', 'GET /blocks', 'DELETE /blocks/a%2Fb']);
    expect(server.to('POST', '/blocks')[0]!.body).toEqual({ user_id: 'u-bob' });
    expect(server.to('POST', '/blocks')[0]!.headers.get('Authorization')).toBe('Bearer tok-1');
  });

  it('maps refusals to ApiError with the server’s code and message', async () => {
    const { api } = setup({
      'POST /connections/requests': apiError(409, 'connection_limit_reached', 'You already have 100 connections.'),
    });
    const error = await api.sendRequest('u-bob').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'connection_limit_reached', message: 'You already have 100 connections.' });
  });

  it('refreshes once on a 401 and retries, like every authenticated call', async () => {
    const { server, api } = setup({
      'GET /tags': [apiError(401, 'invalid_token', 'Expired.'), json(200, { tags: [] })],
      'POST /auth/refresh': json(200, session('tok-2')),
    });
    await expect(api.listTags()).resolves.toEqual([]);
    expect(server.to('GET', '/tags').map((r) => r.headers.get('Authorization'))).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });
});

describe('reports, moderation and invitations API client', () => {
  it('reports a post, a comment (with its post) and a person, and maps already_reported', async () => {
    const { server, api } = setup({
      'POST /reports': [
        json(201, { id: 'r-1' }),
        json(201, { id: 'r-2' }),
        apiError(409, 'already_reported', 'You already reported this.'),
      ],
    });

    await expect(api.report({ target: { type: 'post', id: 'p-1' }, reason: 'spam' })).resolves.toEqual({ id: 'r-1' });
    await api.report({ target: { type: 'comment', id: 'c-1', post_id: 'p-1' }, reason: 'hate', note: 'Slurs.' });
    const error = await api.report({ target: { type: 'user', id: 'u-bob' }, reason: 'impersonation' }).catch((e: unknown) => e);

    expect(server.to('POST', '/reports').map((r) => r.body)).toEqual([
      { target: { type: 'post', id: 'p-1' }, reason: 'spam' },
      { target: { type: 'comment', id: 'c-1', post_id: 'p-1' }, reason: 'hate', note: 'Slurs.' },
      { target: { type: 'user', id: 'u-bob' }, reason: 'impersonation' },
    ]);
    expect(error).toMatchObject({ status: 409, code: 'already_reported' });
  });

  it('lists reports by status and cursor, and acts on them with the reason in the body', async () => {
    const { server, api } = setup({
      'GET /moderation/reports': json(200, { reports: [], next_cursor: 'n1' }),
      'POST /moderation/reports/r%2F1/dismiss': noContent(),
      'DELETE /moderation/posts/p-1': noContent(),
      'DELETE /moderation/posts/p-1/comments/c-1': noContent(),
      'POST /moderation/users/u-bob/suspend': noContent(),
      'POST /moderation/users/u-bob/unsuspend': noContent(),
    });

    await expect(api.listReports('open')).resolves.toEqual({ reports: [], next_cursor: 'n1' });
    await api.listReports('closed', 'n1');
    await api.dismissReport('r/1');
    await api.dismissReport('r/1', 'Not spam: a recipe.');
    await api.removePost('p-1', 'Selling things.');
    await api.removeComment('p-1', 'c-1', 'Threats.');
    await api.suspendUser('u-bob', 'Repeated threats.');
    await api.unsuspendUser('u-bob');

    expect(url(server, 0)).toBe('/api/moderation/reports?status=open');
    expect(url(server, 1)).toBe('/api/moderation/reports?status=closed&cursor=n1');
    expect(server.requests.slice(2).map((r) => [`${r.method} ${r.path}`, r.body])).toEqual([
      ['POST /moderation/reports/r%2F1/dismiss', {}],
      ['POST /moderation/reports/r%2F1/dismiss', { note: 'Not spam: a recipe.' }],
      ['DELETE /moderation/posts/p-1', { reason: 'Selling things.' }],
      ['DELETE /moderation/posts/p-1/comments/c-1', { reason: 'Threats.' }],
      ['POST /moderation/users/u-bob/suspend', { reason: 'Repeated threats.' }],
      ['POST /moderation/users/u-bob/unsuspend', undefined],
    ]);
  });

  it('invites by email (202 with a message), lists invitations and cancels one', async () => {
    const invitation = {
      id: 'i-1',
      email: 'dan@example.com',
      status: 'pending',
      created_at: '2025-03-01T12:00:00Z',
      expires_at: '2025-03-15T12:00:00Z',
    };
    const { server, api } = setup({
      'POST /invitations': json(202, { message: 'If that address can be invited, we sent an invitation.' }),
      'GET /invitations': json(200, { invitations: [invitation] }),
      'DELETE /invitations/i-1': noContent(),
    });

    await expect(api.invite('dan@example.com')).resolves.toEqual({
      message: 'If that address can be invited, we sent an invitation.',
    });
    await expect(api.listInvitations()).resolves.toEqual([invitation]);
    await expect(api.cancelInvitation('i-1')).resolves.toBeUndefined();
    expect(server.to('POST', '/invitations')[0]!.body).toEqual({ email: 'dan@example.com' });
    expect(server.to('DELETE', '/invitations/i-1')).toHaveLength(1);
  });
});
