import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Block } from '../api/types';
import { USER, apiError, json, noContent, session } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { BOB, post } from '../test/renderSocial';

const signedIn = {
  'POST /auth/refresh': json(200, session('tok-1')),
  'GET /auth/me': json(200, USER),
};
/** POST /api/blocks answers 201 without a body. */
const created = () => new Response(null, { status: 201 });
const buttonNames = (within: HTMLElement) =>
  Array.from(within.querySelectorAll('button')).map((b) => b.getAttribute('aria-label') ?? b.textContent);

function blocked(id: string, username: string, displayName: string | null = null): Block {
  return { user: { id, username, display_name: displayName }, created_at: '2025-03-01T12:00:00Z' };
}

describe('Blocking from a person’s page', () => {
  it('blocks after a calm confirmation in place, then unblocks', async () => {
    let relationship: 'connected' | 'blocked' | 'none' = 'connected';
    const hi = post({ created_at: '2025-03-01T12:00:00Z', content: 'hi from bob' });
    const { user, server } = await renderApp('/u/bob', {
      ...signedIn,
      'GET /users/search': json(200, { users: [{ ...BOB, relationship: 'connected' }] }),
      'GET /users/u-bob': () =>
        json(200, {
          user: BOB,
          relationship,
          connected_at: relationship === 'connected' ? '2025-02-01T00:00:00Z' : null,
          bio: null,
        }),
      'GET /users/u-bob/posts': () =>
        json(200, { posts: relationship === 'connected' ? [hi] : [], next_cursor: null }),
      'POST /blocks': () => {
        relationship = 'blocked';
        return created();
      },
      'DELETE /blocks/u-bob': () => {
        relationship = 'none';
        return noContent();
      },
    });

    expect(await screen.findByText('hi from bob')).toBeTruthy();
    const confirmWindow = vi.spyOn(window, 'confirm');

    await user.click(screen.getByRole('button', { name: 'Block' }));
    const confirm = screen.getByRole('group', { name: /^Block @bob\?/ });
    expect(within(confirm).getByText(/^Block @bob\?/).textContent).toBe(
      'Block @bob? Your connection and any requests between you end now. They won’t be able to find you, ' +
        'see your profile or anything you share, or ask to connect. They are not told.',
    );
    expect(buttonNames(confirm)).toEqual(['Block @bob', 'Cancel']);
    expect(server.to('POST', '/blocks')).toHaveLength(0);

    await user.click(within(confirm).getByRole('button', { name: 'Block @bob' }));

    expect(await screen.findByText('You blocked @bob.')).toBeTruthy();
    expect(server.to('POST', '/blocks').map((r) => r.body)).toEqual([{ user_id: 'u-bob' }]);
    expect(screen.queryByRole('button', { name: 'Connect' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Disconnect' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Block' })).toBeNull();
    // Nothing of his is shown any more.
    expect(screen.queryByText('hi from bob')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Posts you can see' })).toBeNull();
    expect(confirmWindow).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Unblock' }));

    expect(
      await screen.findByText('You unblocked @bob. You are not connected; either of you can ask again.'),
    ).toBeTruthy();
    expect(server.to('DELETE', '/blocks/u-bob')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Connect' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Block' })).toBeTruthy();
    // Not connected: the posts section is back, with nothing of his to see.
    expect(await screen.findByText(/You’ll see what @bob shares with you once you are connected/)).toBeTruthy();
  });

  it('opens straight into the blocked state when the server says so', async () => {
    const { server } = await renderApp('/people/u-bob', {
      ...signedIn,
      'GET /users/u-bob': json(200, { user: BOB, relationship: 'blocked', connected_at: null, bio: null }),
    });
    expect(await screen.findByText('You blocked @bob.')).toBeTruthy();
    const main = screen.getByRole('main');
    // Reporting them stays possible (without "Also block": they are blocked already).
    expect(buttonNames(main)).toEqual(['Unblock', 'Report @bob']);
    // Their posts are not even asked for.
    expect(server.to('GET', '/users/u-bob/posts')).toHaveLength(0);
  });
});

async function openSection(routes: Parameters<typeof renderApp>[1]) {
  const app = await renderApp('/account', { ...signedIn, ...routes });
  const region = await screen.findByRole('region', { name: 'Blocked people' });
  return { ...app, region };
}

describe('Blocked people on the Account screen', () => {
  it('lists each person with their name and “Unblock @username”, and unblocks down to the empty state', async () => {
    const { user, server, region } = await openSection({
      'GET /blocks': json(200, { blocks: [blocked('u-bob', 'bob', 'Bob Marsh'), blocked('u-c', 'carol')] }),
      'DELETE /blocks/u-bob': noContent(),
      'DELETE /blocks/u-c': apiError(404, 'not_blocked', 'You have not blocked this person.'),
    });
    const list = await within(region).findByRole('list', { name: 'People you blocked' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => within(r).getByRole('link').textContent)).toEqual(['Bob Marsh @bob', '@carol']);
    expect(within(rows[0]!).getByRole('link').getAttribute('href')).toBe('/u/bob');
    expect(rows[0]!.textContent).toMatch(/blocked since/);

    await user.click(within(region).getByRole('button', { name: 'Unblock @bob' }));

    expect(within(region).getByRole('status').textContent).toBe(
      'You unblocked @bob. You are not connected; either of you can ask again.',
    );
    await vi.waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(server.to('DELETE', '/blocks/u-bob')).toHaveLength(1);
    // The row (and its button) went: the keyboard continues from the section's heading.
    expect(document.activeElement).toBe(within(region).getByRole('heading', { name: 'Blocked people' }));

    // Already unblocked elsewhere: the outcome wanted.
    await user.click(within(region).getByRole('button', { name: 'Unblock @carol' }));
    expect(await within(region).findByText('You haven’t blocked anyone.')).toBeTruthy();
    expect(within(region).getByRole('status').textContent).toBe('@carol is no longer blocked.');
    expect(within(region).queryByRole('list')).toBeNull();
  });

  it('says so when nobody is blocked', async () => {
    const { region } = await openSection({ 'GET /blocks': json(200, { blocks: [] }) });
    expect(await within(region).findByText('You haven’t blocked anyone.')).toBeTruthy();
  });

  it('shows loading, then an error with Try again that loads the list', async () => {
    let up = false;
    const waiting: (() => void)[] = [];
    const { user, region } = await openSection({
      'GET /blocks': () =>
        up
          ? json(200, { blocks: [blocked('u-bob', 'bob')] })
          : new Promise<Response>((resolve) => {
              waiting.push(() => resolve(apiError(503, 'unavailable', 'The service is busy. Please try again.')));
            }),
    });
    expect(within(region).getByText('Loading the people you blocked…').getAttribute('role')).toBe('status');
    for (const release of waiting) release();
    expect((await within(region).findByRole('alert')).textContent).toBe('The service is busy. Please try again.');

    up = true;
    await user.click(within(region).getByRole('button', { name: 'Try again' }));
    expect(await within(region).findByRole('button', { name: 'Unblock @bob' })).toBeTruthy();
  });

  it('keeps the row and shows why when unblocking fails', async () => {
    const { user, region } = await openSection({
      'GET /blocks': json(200, { blocks: [blocked('u-bob', 'bob')] }),
      'DELETE /blocks/u-bob': new TypeError('Failed to fetch'),
    });
    await user.click(await within(region).findByRole('button', { name: 'Unblock @bob' }));
    const row = within(region).getByRole('listitem');
    expect((await within(row).findByRole('alert')).textContent).toMatch(/Couldn't reach/);
    expect(within(row).getByRole('button', { name: 'Unblock @bob' })).toBeTruthy();
  });
});
