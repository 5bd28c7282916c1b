import { screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Post, UserRef } from '../api/types';
import { PostItem } from '../social/PostItem';
import { USER, json, noContent, session } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { ME, connection, post, renderSocial } from '../test/renderSocial';

const signedIn = {
  'POST /auth/refresh': json(200, session('tok-1')),
  'GET /auth/me': json(200, USER),
};

/** Bob as his connections see him. */
const NAMED: UserRef = { id: 'u-bob', username: 'bob', display_name: 'Bob Marsh' };
const CAROL: UserRef = { id: 'u-c', username: 'carol', display_name: null };

describe('Display names on every screen that shows a person', () => {
  it('the feed: the author’s name beside the @username, the link still naming them', async () => {
    await renderApp('/feed', {
      ...signedIn,
      'GET /feed': json(200, { posts: [post({ author: NAMED, created_at: '2025-03-01T12:00:00Z' })], next_cursor: null }),
    });
    const link = await screen.findByRole('link', { name: 'Bob Marsh @bob' });
    expect(link.getAttribute('href')).toBe('/u/bob');
    expect(link.closest('h3')).toBeTruthy();
  });

  it('connections, requests and search', async () => {
    const { user } = await renderApp('/connections', {
      ...signedIn,
      'GET /connections': json(200, {
        connections: [connection(NAMED.id, 'bob', [], 'Bob Marsh'), connection(CAROL.id, 'carol')],
        count: 2,
        limit: 100,
      }),
      'GET /connections/requests': (r) =>
        json(200, {
          requests: r.search.get('direction') === 'incoming' ? [{ user: { ...NAMED, id: 'u-d', username: 'dan', display_name: 'Dan K' }, created_at: '2025-03-01T12:00:00Z' }] : [],
          next_cursor: null,
        }),
      'GET /users/search': json(200, { users: [{ ...NAMED, relationship: 'connected' }] }),
    });

    expect(await screen.findByRole('heading', { level: 2, name: 'Bob Marsh @bob' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2, name: '@carol' })).toBeTruthy();
    // Buttons keep naming the person by the username.
    expect(screen.getByRole('button', { name: 'Disconnect from @bob' })).toBeTruthy();

    await user.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: /Requests/ }));
    expect(await screen.findByRole('link', { name: 'Dan K @dan' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Accept @dan' })).toBeTruthy();

    await user.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'People' }));
    await user.type(await screen.findByLabelText('Username'), 'bob');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const results = await screen.findByRole('list', { name: 'Search results' });
    expect(within(results).getByRole('link').textContent).toBe('Bob Marsh @bob');
  });

  it('notifications', async () => {
    await renderApp('/notifications', {
      ...signedIn,
      'GET /notifications': json(200, {
        notifications: [
          { id: 'n1', kind: 'connection_request', actor: NAMED, others: 0, created_at: '2025-03-01T12:00:00Z', read: false },
          { id: 'n2', kind: 'reactions_on_my_post', actor: NAMED, others: 2, post_id: 'p1', created_at: '2025-03-01T12:00:00Z', read: true },
        ],
        next_cursor: null,
        unread: 1,
      }),
    });
    const list = await screen.findByRole('list', { name: 'Notifications, newest first' });
    expect(within(list).getAllByRole('link').map((a) => a.textContent?.trim())).toEqual([
      'Unread: Bob Marsh @bob wants to connect with you',
      'Bob Marsh @bob and 2 others reacted to your post',
    ]);
  });

  it('a person’s page: the name as the heading, and the bio their connections see', async () => {
    let connected = true;
    const { user } = await renderApp('/u/bob', {
      ...signedIn,
      'GET /users/search': json(200, { users: [{ ...NAMED, relationship: 'connected' }] }),
      'GET /users/u-bob': () =>
        connected
          ? json(200, { user: NAMED, relationship: 'connected', connected_at: '2025-02-01T00:00:00Z', bio: 'Baker.\nRows on Sundays.' })
          : json(200, { user: { ...NAMED, display_name: null }, relationship: 'none', connected_at: null, bio: null }),
      'GET /users/u-bob/posts': json(200, { posts: [], next_cursor: null }),
      'DELETE /connections/u-bob': () => {
        connected = false;
        return noContent();
      },
    });

    const heading = await screen.findByRole('heading', { level: 1, name: 'Bob Marsh @bob' });
    expect(heading.querySelector('bdi')!.textContent).toBe('Bob Marsh');
    // The document title keeps the username: it does not change as the name comes and goes.
    await waitFor(() => expect(document.title).toBe('@bob · Intentional Social'));
    const about = screen.getByRole('region', { name: 'About Bob Marsh (@bob)' });
    expect(about.querySelector('.post__text')!.textContent).toBe('Baker.\nRows on Sundays.');

    // After disconnecting, the bio goes at once, and the name as the server now shows him.
    await user.click(screen.getByRole('button', { name: 'Disconnect' }));
    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
    expect(await screen.findByText('You and @bob are not connected.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: /About/ })).toBeNull();
    expect(await screen.findByRole('heading', { level: 1, name: '@bob' })).toBeTruthy();
  });

  it('a person’s page without a bio shows none', async () => {
    await renderApp('/people/u-bob', {
      ...signedIn,
      'GET /users/u-bob': json(200, { user: NAMED, relationship: 'outgoing_request', connected_at: null, bio: null }),
      'GET /users/u-bob/posts': json(200, { posts: [], next_cursor: null }),
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Bob Marsh @bob' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: /About/ })).toBeNull();
  });
});

function Harness({ initial }: { initial: Post }) {
  const [p, setP] = useState(initial);
  return <PostItem post={p} viewerId={ME.id} tagsById={new Map()} onUpdated={(change) => setP(change)} onDeleted={vi.fn()} />;
}

describe('Display names around a post', () => {
  it('in the comments, in who reacted and in who can see it', async () => {
    const p = post({
      author: ME,
      created_at: '2025-03-01T12:00:00Z',
      comment_count: 1,
      reactions: { counts: { heart: 1 }, mine: null },
    });
    const { user } = renderSocial(<Harness initial={p} />, {
      [`GET /posts/${p.id}/comments`]: json(200, {
        comments: [{ id: 'c1', post_id: p.id, author: NAMED, content: 'lovely', created_at: '2025-03-01T12:00:00Z', edited_at: null }],
        next_cursor: null,
      }),
      [`GET /posts/${p.id}/reactions`]: json(200, { reactions: [{ user: NAMED, kind: 'heart', created_at: 'x' }], next_cursor: null }),
      [`GET /posts/${p.id}/audience`]: json(200, { users: [NAMED, CAROL], count: 2 }),
    });

    await user.click(screen.getByRole('button', { name: '1 comment' }));
    const comment = await screen.findByRole('article', { name: 'Comment by @bob' });
    expect(within(comment).getByRole('link', { name: 'Bob Marsh @bob' }).getAttribute('href')).toBe('/u/bob');

    await user.click(screen.getByRole('button', { name: 'Who reacted' }));
    const reacted = await screen.findByRole('list', { name: 'Who reacted' });
    expect(reacted.textContent).toBe('❤️ Bob Marsh @bob, heart');

    await user.click(screen.getByRole('button', { name: 'Who can see this' }));
    const audience = await screen.findByRole('list', { name: 'Who can see this' });
    expect(within(audience).getAllByRole('link').map((a) => a.textContent)).toEqual(['Bob Marsh @bob', '@carol']);
  });
});
