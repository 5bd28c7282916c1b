import { StrictMode } from 'react';
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createAuthApi } from '../api/auth';
import { ApiClient, SESSION_MARKER_KEY } from '../api/client';
import { apiError, fakeApi, json, noContent, session } from '../test/fakeApi';
import { AuthProvider, useAuth } from './AuthContext';

function Probe() {
  const { state } = useAuth();
  return <p data-testid="state">{state.status === 'anonymous' ? `anonymous:${state.reason}` : state.status}</p>;
}

/** One page load: a new client and provider, under StrictMode as in main.tsx. */
function load(server: ReturnType<typeof fakeApi>) {
  const api = createAuthApi(new ApiClient({ baseUrl: '/api', fetch: server.fetch }));
  const view = render(
    <StrictMode>
      <AuthProvider api={api}>
        <Probe />
      </AuthProvider>
    </StrictMode>,
  );
  return { api, view, state: () => screen.getByTestId('state').textContent };
}

describe('AuthProvider session restore on load', () => {
  it('sends no request for a visitor who never signed in here', () => {
    const server = fakeApi({});
    const { state } = load(server);

    expect(state()).toBe('anonymous:initial');
    expect(server.requests).toHaveLength(0);
  });

  it('with the marker, restores the session with a single refresh', async () => {
    localStorage.setItem(SESSION_MARKER_KEY, '1');
    const server = fakeApi({ 'POST /auth/refresh': json(200, session('tok-1')) });
    const { state } = load(server);

    expect(state()).toBe('loading');
    expect(await screen.findByText('authenticated')).toBeTruthy();
    expect(server.to('POST', '/auth/refresh')).toHaveLength(1);
  });

  it('after a refused refresh, the next load asks nothing', async () => {
    localStorage.setItem(SESSION_MARKER_KEY, '1');
    const first = fakeApi({ 'POST /auth/refresh': apiError(401, 'invalid_refresh_token', 'Expired.') });
    const { view } = load(first);
    expect(await screen.findByText('anonymous:initial')).toBeTruthy();
    view.unmount();

    const second = fakeApi({});
    expect(load(second).state()).toBe('anonymous:initial');
    expect(second.requests).toHaveLength(0);
  });

  it('a sign-in here makes the next load restore, and a sign-out stops it again', async () => {
    const first = fakeApi({ 'POST /auth/login': json(200, session('tok-1')) });
    const { api, view } = load(first);
    await act(async () => {
      await api.login({ login: 'alice', password: 'x' });
    });
    view.unmount();

    const second = fakeApi({ 'POST /auth/refresh': json(200, session('tok-2')), 'POST /auth/logout': noContent() });
    const reloaded = load(second);
    expect(await screen.findByText('authenticated')).toBeTruthy();
    await act(async () => {
      await reloaded.api.logout();
    });
    reloaded.view.unmount();

    const third = fakeApi({});
    expect(load(third).state()).toBe('anonymous:initial');
    expect(third.requests).toHaveLength(0);
  });
});

describe('AuthProvider forgetSession', () => {
  function Forget() {
    const { forgetSession } = useAuth();
    return (
      <button type="button" onClick={() => forgetSession()}>
        forget
      </button>
    );
  }

  it('signs out here without asking the server, and the next load asks nothing', async () => {
    localStorage.setItem(SESSION_MARKER_KEY, '1');
    const server = fakeApi({ 'POST /auth/refresh': json(200, session('tok-1')) });
    const api = createAuthApi(new ApiClient({ baseUrl: '/api', fetch: server.fetch }));
    const view = render(
      <AuthProvider api={api}>
        <Probe />
        <Forget />
      </AuthProvider>,
    );
    expect(await screen.findByText('authenticated')).toBeTruthy();
    expect(api.client.accessToken).toBe('tok-1');

    act(() => screen.getByRole('button', { name: 'forget' }).click());

    expect(screen.getByTestId('state').textContent).toBe('anonymous:account-deleted');
    expect(api.client.accessToken).toBeNull();
    expect(localStorage.getItem(SESSION_MARKER_KEY)).toBeNull();
    expect(server.requests.map((r) => r.path)).toEqual(['/auth/refresh']);
    view.unmount();

    const next = fakeApi({});
    expect(load(next).state()).toBe('anonymous:initial');
    expect(next.requests).toHaveLength(0);
  });
});
