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
