import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiClient } from '../api/client';
import { createSocialApi } from '../api/social';
import type { Connection, Post, Tag, UserRef } from '../api/types';
import { Router } from '../router/router';
import { SocialStoreProvider } from '../social/SocialContext';
import { SocialStore } from '../social/store';
import { fakeApi } from './fakeApi';

/** Renders one social component with a signed-in client talking to a scripted fake API. */
export function renderSocial(ui: ReactNode, routes: Parameters<typeof fakeApi>[0] = {}) {
  const server = fakeApi(routes);
  const client = new ApiClient({ baseUrl: '/api', fetch: server.fetch });
  client.setAccessToken('tok-test');
  const store = new SocialStore(createSocialApi(client));
  const user = userEvent.setup();
  const view = render(
    <Router>
      <SocialStoreProvider store={store}>{ui}</SocialStoreProvider>
    </Router>,
  );
  return { server, store, user, view };
}

export const ME: UserRef = { id: '01J0000000000000000000USER', username: 'alice', display_name: null };
export const BOB: UserRef = { id: 'u-bob', username: 'bob', display_name: null };

export function tag(id: string, name: string, color: Tag['color'] = 'generic'): Tag {
  return { id, name, color, created_at: '2025-01-01T00:00:00Z' };
}

export function connection(
  id: string,
  username: string,
  tagIds: string[] = [],
  displayName: string | null = null,
): Connection {
  return { user: { id, username, display_name: displayName }, connected_at: '2025-02-01T00:00:00Z', tag_ids: tagIds };
}

let seq = 0;
export function post(overrides: Partial<Post> & { created_at: string }): Post {
  seq += 1;
  return {
    id: `p-${seq}`,
    author: BOB,
    content: `Post number ${seq}`,
    audience: 'connections',
    edited_at: null,
    comment_count: 0,
    reactions: { counts: {}, mine: null },
    ...overrides,
  };
}
