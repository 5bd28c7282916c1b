import { StrictMode } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../App';
import { ApiClient, SESSION_MARKER_KEY } from '../api/client';
import { createAuthApi } from '../api/auth';
import { fakeApi, json } from './fakeApi';

/** Empty answers for the social endpoints every signed-in screen touches (nav counts, tags…). */
export function socialDefaults(): Parameters<typeof fakeApi>[0] {
  return {
    'GET /connections/requests': json(200, { requests: [], next_cursor: null }),
    'GET /tags': json(200, { tags: [] }),
    'GET /connections': json(200, { connections: [], count: 0, limit: 100 }),
    'GET /feed': json(200, { posts: [], next_cursor: null }),
    'GET /posts/mine': json(200, { posts: [], next_cursor: null }),
    'GET /notifications/unread': json(200, { unread: 0 }),
    'GET /notifications': json(200, { notifications: [], next_cursor: null, unread: 0 }),
    'GET /account/email-settings': json(200, { on_request: true, on_accept: true }),
    'GET /blocks': json(200, { blocks: [] }),
    'GET /invitations': json(200, { invitations: [] }),
  };
}

/** Renders the whole app at `path`, talking to a scripted fake API (social endpoints default to empty). */
export async function renderApp(path: string, routes: Parameters<typeof fakeApi>[0]) {
  window.history.replaceState(null, '', path);
  const server = fakeApi({ ...socialDefaults(), ...routes });
  // A test that scripts the refresh is about a browser that may hold a
  // session: it has the marker that makes the app try the refresh on load.
  if ('POST /auth/refresh' in routes) localStorage.setItem(SESSION_MARKER_KEY, '1');
  const api = createAuthApi(new ApiClient({ baseUrl: '/api', fetch: server.fetch }));
  const user = userEvent.setup();
  // StrictMode as in main.tsx: effects run twice, which must not double the refresh.
  const view = render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
  // Wait for the session restore on load to settle.
  await screen.findByRole('heading', { level: 1 });
  return { server, api, user, view };
}

export function currentUrl(): string {
  return window.location.pathname + window.location.search;
}
