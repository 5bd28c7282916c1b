import { describe, expect, it, vi } from 'vitest';
import { createAuthApi } from './auth';
import { ApiClient, SESSION_MARKER_KEY, type MarkerStorage } from './client';
import { ApiError, NETWORK_ERROR_MESSAGE, errorMessage } from './errors';
import { USER, apiError, fakeApi, json, noContent, session } from '../test/fakeApi';

function setup(routes: Parameters<typeof fakeApi>[0], now?: () => number) {
  const server = fakeApi(routes);
  const client = new ApiClient({ baseUrl: '/api', fetch: server.fetch, now });
  const expired = vi.fn();
  client.onSessionExpired(expired);
  return { server, client, auth: createAuthApi(client), expired };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the promise to reject');
}

const bearer = (r: { headers: Headers }) => r.headers.get('Authorization');

describe('ApiClient requests', () => {
  it('posts JSON to /api and keeps the access token from login in memory', async () => {
    const { server, client, auth } = setup({
      'POST /auth/login': json(200, session('tok-1')),
      'GET /auth/me': json(200, USER),
    });

    const result = await auth.login({ login: 'alice', password: 'correct horse battery' });

    expect(result.user).toEqual(USER);
    expect(client.accessToken).toBe('tok-1');
    const [login] = server.to('POST', '/auth/login');
    expect(login!.body).toEqual({ login: 'alice', password: 'correct horse battery' });
    expect(login!.headers.get('Content-Type')).toBe('application/json');
    expect(bearer(login!)).toBeNull();
    expect(vi.mocked(server.fetch).mock.calls[0]![0]).toBe('/api/auth/login');

    await expect(auth.me()).resolves.toEqual(USER);
    expect(bearer(server.to('GET', '/auth/me')[0]!)).toBe('Bearer tok-1');
  });

  it('never writes tokens to Web Storage: only the "a session may exist" marker', async () => {
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    const { auth } = setup({
      'POST /auth/login': json(200, session('tok-1')),
      'POST /auth/refresh': json(200, session('tok-2')),
    });
    await auth.login({ login: 'alice', password: 'x' });
    await auth.restoreSession();
    expect(new Set(setItem.mock.calls.map((call) => call.join('=')))).toEqual(new Set([`${SESSION_MARKER_KEY}=1`]));
    expect(Object.entries(localStorage)).toEqual([[SESSION_MARKER_KEY, '1']]);
    expect(sessionStorage.length).toBe(0);
    setItem.mockRestore();
  });

  it('resolves 204 responses to undefined and 202 bodies to their message', async () => {
    const { auth } = setup({
      'POST /auth/password-reset/confirm': noContent(),
      'POST /auth/otp': json(202, { message: 'Code sent.' }),
    });
    await expect(
      auth.confirmPasswordReset({ email: 'a@b.co', code: '123456', new_password: 'x' }),
    ).resolves.toBeUndefined();
    await expect(auth.requestSignUpCode('a@b.co')).resolves.toEqual({ message: 'Code sent.' });
  });
});

describe('ApiClient refresh and retry', () => {
  it('on a 401 refreshes once, then retries the call with the new token', async () => {
    const { server, client, auth, expired } = setup({
      'GET /auth/me': [apiError(401, 'invalid_token', 'Token expired.'), json(200, USER)],
      'POST /auth/refresh': json(200, session('tok-new')),
    });
    client.setAccessToken('tok-old');

    await expect(auth.me()).resolves.toEqual(USER);

    expect(server.requests.map((r) => `${r.method} ${r.path} ${bearer(r)}`)).toEqual([
      'GET /auth/me Bearer tok-old',
      'POST /auth/refresh null',
      'GET /auth/me Bearer tok-new',
    ]);
    expect(client.accessToken).toBe('tok-new');
    expect(expired).not.toHaveBeenCalled();
  });

  it('does not refresh a second time when the retried call is refused again', async () => {
    const { server, client, auth, expired } = setup({
      'GET /auth/me': apiError(401, 'invalid_token', 'Token rejected.'),
      'POST /auth/refresh': json(200, session('tok-new')),
    });
    client.setAccessToken('tok-old');

    const error = await rejection(auth.me());

    expect(error.status).toBe(401);
    expect(server.to('POST', '/auth/refresh')).toHaveLength(1);
    expect(server.to('GET', '/auth/me')).toHaveLength(2);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(client.accessToken).toBeNull();
  });

  it('ends the session without retrying when the refresh is refused', async () => {
    const { server, client, auth, expired } = setup({
      'GET /auth/me': apiError(401, 'invalid_token', 'Token expired.'),
      'POST /auth/refresh': apiError(401, 'invalid_refresh_token', 'Session ended.'),
    });
    client.setAccessToken('tok-old');

    const error = await rejection(auth.me());

    expect(error.code).toBe('session_expired');
    expect(error.status).toBe(401);
    expect(server.to('GET', '/auth/me')).toHaveLength(1);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(client.accessToken).toBeNull();
  });

  it('shares one refresh between concurrent 401s', async () => {
    let refreshes = 0;
    const { server, client } = setup({
      'GET /auth/me': (r) =>
        bearer(r) === 'Bearer tok-new' ? json(200, USER) : apiError(401, 'invalid_token', 'Expired.'),
      'POST /auth/refresh': async () => {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return json(200, session('tok-new'));
      },
    });
    client.setAccessToken('tok-old');
    const auth = createAuthApi(client);

    const results = await Promise.all([auth.me(), auth.me(), auth.me()]);

    expect(results).toEqual([USER, USER, USER]);
    expect(refreshes).toBe(1);
    expect(server.to('GET', '/auth/me')).toHaveLength(6);
  });

  it('with no token yet, refreshes first instead of sending a call bound to fail', async () => {
    const { server, auth } = setup({
      'POST /auth/refresh': json(200, session('tok-1')),
      'GET /auth/me': json(200, USER),
    });

    await expect(auth.me()).resolves.toEqual(USER);

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /auth/refresh',
      'GET /auth/me',
    ]);
    expect(bearer(server.requests[1]!)).toBe('Bearer tok-1');
  });

  it('keeps the session when the refresh fails for network reasons', async () => {
    const { client, auth, expired } = setup({
      'GET /auth/me': apiError(401, 'invalid_token', 'Expired.'),
      'POST /auth/refresh': new TypeError('Failed to fetch'),
    });
    client.setAccessToken('tok-old');

    const error = await rejection(auth.me());

    expect(error.code).toBe('network_error');
    expect(expired).not.toHaveBeenCalled();
  });

  it('never refreshes for public endpoints: a failed login is just an error', async () => {
    const { server, auth } = setup({
      'POST /auth/login': apiError(401, 'invalid_credentials', 'Wrong username or password.'),
      'POST /auth/refresh': json(200, session('nope')),
    });

    const error = await rejection(auth.login({ login: 'alice', password: 'wrong' }));

    expect({ code: error.code, message: error.message, status: error.status }).toEqual({
      code: 'invalid_credentials',
      message: 'Wrong username or password.',
      status: 401,
    });
    expect(server.to('POST', '/auth/refresh')).toHaveLength(0);
  });

  it('logout forgets the token only once the server confirmed', async () => {
    const { client, auth } = setup({ 'POST /auth/logout': [apiError(500, 'internal', 'Oops.'), noContent()] });
    client.setAccessToken('tok-1');

    await rejection(auth.logout());
    expect(client.accessToken).toBe('tok-1');

    await auth.logout();
    expect(client.accessToken).toBeNull();
  });
});

describe('ApiClient error mapping', () => {
  it('maps the JSON error body and Retry-After seconds', async () => {
    const { auth } = setup({
      'POST /auth/otp': apiError(429, 'rate_limited', 'Too many codes requested', { 'Retry-After': '120' }),
    });

    const error = await rejection(auth.requestSignUpCode('a@b.co'));

    expect({ ...error, message: error.message }).toMatchObject({
      code: 'rate_limited',
      message: 'Too many codes requested',
      status: 429,
      retryAfter: 120,
    });
    expect(errorMessage(error)).toBe('Too many codes requested. Try again in 2 min.');
  });

  it('accepts Retry-After as an HTTP date', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const { auth } = setup(
      {
        'POST /auth/login': apiError(429, 'rate_limited', 'Slow down.', {
          'Retry-After': 'Wed, 01 Jan 2025 00:00:45 GMT',
        }),
      },
      () => now,
    );

    const error = await rejection(auth.login({ login: 'a', password: 'b' }));

    expect(error.retryAfter).toBe(45);
    expect(errorMessage(error)).toBe('Slow down. Try again in 45 s.');
  });

  it('falls back to a clear message when the body is not the JSON error shape', async () => {
    const { auth } = setup({
      'POST /auth/login': new Response('<html>Bad Gateway</html>', { status: 502 }),
      'POST /auth/otp': json(400, { message: 'nope' }),
    });

    const gateway = await rejection(auth.login({ login: 'a', password: 'b' }));
    expect(gateway.code).toBe('server_error');
    expect(gateway.status).toBe(502);
    expect(gateway.message).toMatch(/went wrong on our side/);
    expect(gateway.retryAfter).toBeNull();

    const odd = await rejection(auth.requestSignUpCode('a@b.co'));
    expect(odd.code).toBe('http_error');
    expect(odd.message).toBe('The request failed (HTTP 400).');
  });

  it('maps a network failure to network_error with a clear message', async () => {
    const { auth } = setup({ 'POST /auth/login': new TypeError('Failed to fetch') });

    const error = await rejection(auth.login({ login: 'a', password: 'b' }));

    expect(error.code).toBe('network_error');
    expect(error.status).toBe(0);
    expect(error.message).toBe(NETWORK_ERROR_MESSAGE);
    expect(errorMessage(error)).toBe(NETWORK_ERROR_MESSAGE);
  });

  it('lets a deliberate abort through untouched', async () => {
    const controller = new AbortController();
    const client = new ApiClient({
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
        }),
    });
    client.setAccessToken('tok');
    const pending = createAuthApi(client).me(controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('treats a success response with a broken body as an error', async () => {
    const { auth } = setup({ 'POST /auth/login': new Response('not json', { status: 200 }) });
    const error = await rejection(auth.login({ login: 'a', password: 'b' }));
    expect(error.code).toBe('invalid_response');
  });
});

describe('ApiClient "a session may exist" marker', () => {
  it('is set by a sign-in and removed by the sign-out', async () => {
    const { client, auth } = setup({
      'POST /auth/login': json(200, session('tok-1')),
      'POST /auth/logout': noContent(),
    });
    expect(client.sessionMayExist).toBe(false);

    await auth.login({ login: 'alice', password: 'x' });
    expect(client.sessionMayExist).toBe(true);
    expect(localStorage.getItem(SESSION_MARKER_KEY)).toBe('1');

    await auth.logout();
    expect(client.sessionMayExist).toBe(false);
    expect(localStorage.getItem(SESSION_MARKER_KEY)).toBeNull();
  });

  it('is set by a sign-up and by a refresh, and removed by signing out everywhere', async () => {
    const { client, auth } = setup({
      'POST /auth/register': json(201, session('tok-1')),
      'POST /auth/refresh': json(200, session('tok-2')),
      'POST /auth/logout-all': noContent(),
    });
    await auth.register({ email: 'a@b.co', username: 'alice', password: 'x', code: '123456' });
    expect(client.sessionMayExist).toBe(true);
    await auth.logoutAll();
    expect(client.sessionMayExist).toBe(false);

    // Another tab signed in: this one's refresh finds the session.
    await auth.restoreSession();
    expect(client.sessionMayExist).toBe(true);
  });

  it('is removed by a refused refresh, and kept when the refresh fails for network reasons', async () => {
    const { client, auth } = setup({
      'POST /auth/refresh': [new TypeError('Failed to fetch'), apiError(401, 'invalid_refresh_token', 'Revoked.')],
    });
    client.setAccessToken('tok-1');

    expect((await rejection(auth.restoreSession())).code).toBe('network_error');
    expect(client.sessionMayExist).toBe(true);

    expect((await rejection(auth.restoreSession())).status).toBe(401);
    expect(client.sessionMayExist).toBe(false);
  });

  it('is removed when even a fresh token is refused', async () => {
    const { client, auth, expired } = setup({
      'GET /auth/me': apiError(401, 'invalid_token', 'Token rejected.'),
      'POST /auth/refresh': json(200, session('tok-new')),
    });
    client.setAccessToken('tok-old');
    await rejection(auth.me());
    expect(expired).toHaveBeenCalledTimes(1);
    expect(client.sessionMayExist).toBe(false);
  });

  it('says a session may exist when there is no storage, or it is blocked', () => {
    const blocked: MarkerStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    for (const storage of [null, blocked]) {
      const client = new ApiClient({ storage });
      expect(client.sessionMayExist).toBe(true);
      client.setAccessToken('tok-1');
      client.setAccessToken(null);
      expect(client.sessionMayExist).toBe(true);
    }
  });
});
