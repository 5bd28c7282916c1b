import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { USER, apiError, json, noContent, session } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';
import { BOB, connection, post, tag } from '../test/renderSocial';

const signedIn = {
  'POST /auth/refresh': json(200, session('tok-1')),
  'GET /auth/me': json(200, USER),
};
const FAMILY = tag('t-fam', 'Family', 'family');
const WORK = tag('t-work', 'Work', 'work');

describe('Connections screen', () => {
  it('shows "count / limit" and edits tags in place', async () => {
    const bob = connection(BOB.id, BOB.username, [FAMILY.id]);
    const { user, server } = await renderApp('/connections', {
      ...signedIn,
      'GET /tags': json(200, { tags: [FAMILY, WORK] }),
      'GET /connections': json(200, { connections: [bob, connection('u-c', 'carol')], count: 37, limit: 100 }),
      'PUT /connections/u-bob/tags': [
        json(200, { connection: { ...bob, tag_ids: [FAMILY.id, WORK.id] } }),
        apiError(404, 'tag_not_found', 'That tag no longer exists.'),
      ],
    });

    const cap = await screen.findByLabelText('37 of 100 connections');
    expect(cap.textContent).toBe('37 / 100');

    const row = screen.getByRole('heading', { name: '@bob' }).closest('li')!;
    expect(within(row).getByRole('list', { name: 'Your tags on @bob' }).textContent).toContain('Family');

    await user.selectOptions(within(row).getByLabelText('Add a tag to @bob'), WORK.id);
    expect(await within(row).findByRole('button', { name: 'Remove tag Work from @bob' })).toBeTruthy();
    expect(server.to('PUT', '/connections/u-bob/tags')[0]!.body).toEqual({ tag_ids: [FAMILY.id, WORK.id] });

    await user.click(within(row).getByRole('button', { name: 'Remove tag Family from @bob' }));
    expect((await within(row).findByRole('alert')).textContent).toBe('That tag no longer exists.');
    expect(server.to('PUT', '/connections/u-bob/tags')[1]!.body).toEqual({ tag_ids: [WORK.id] });
  });

  it('disconnects after a confirmation that says what it does', async () => {
    const { user, server } = await renderApp('/connections', {
      ...signedIn,
      'GET /connections': json(200, { connections: [connection(BOB.id, BOB.username)], count: 1, limit: 100 }),
      'DELETE /connections/u-bob': noContent(),
    });
    await user.click(await screen.findByRole('button', { name: 'Disconnect from @bob' }));
    const confirm = screen.getByRole('group', { name: /Disconnect from @bob\?/ });
    expect(confirm.textContent).toMatch(/stop seeing each other’s posts/);
    await user.click(within(confirm).getByRole('button', { name: 'Yes, disconnect' }));

    expect(await screen.findByText('You have no connections yet.')).toBeTruthy();
    expect(screen.getByLabelText('0 of 100 connections')).toBeTruthy();
    expect(server.to('DELETE', '/connections/u-bob')).toHaveLength(1);
  });
});

describe('Tags screen', () => {
  it('creates, shows server errors at the name, and deletes saying how many carry it', async () => {
    const { user, server } = await renderApp('/tags', {
      ...signedIn,
      'GET /tags': json(200, { tags: [FAMILY] }),
      'GET /connections': json(200, {
        connections: [connection('a', 'a', [FAMILY.id]), connection('b', 'b', [FAMILY.id]), connection('c', 'c')],
        count: 3,
        limit: 100,
      }),
      'POST /tags': [apiError(409, 'tag_name_taken', 'You already have a tag called Work.'), json(201, WORK)],
      'DELETE /tags/t-fam': noContent(),
    });

    expect(await screen.findByText('On 2 connections')).toBeTruthy();

    await user.type(screen.getByLabelText('Name'), 'Work');
    await user.click(screen.getByRole('radio', { name: /Work \(blue\)/ }));
    await user.click(screen.getByRole('button', { name: 'Create tag' }));
    const error = await screen.findByRole('alert');
    expect(error.textContent).toBe('You already have a tag called Work.');
    expect(screen.getByLabelText('Name').getAttribute('aria-describedby')).toContain(error.id);

    await user.click(screen.getByRole('button', { name: 'Create tag' }));
    expect(await screen.findByRole('button', { name: 'Rename Work' })).toBeTruthy();
    expect(server.to('POST', '/tags')[1]!.body).toEqual({ name: 'Work', color: 'work' });

    await user.click(screen.getByRole('button', { name: 'Delete Family' }));
    const confirm = screen.getByRole('group', { name: /Delete the tag Family\?/ });
    expect(confirm.textContent).toMatch(/It is on 2 connections; it will be taken off all of them\./);
    await user.click(within(confirm).getByRole('button', { name: 'Delete tag' }));
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'Rename Family' })).toBeNull());
  });

  it('renames and recolours in place', async () => {
    const { user, server } = await renderApp('/tags', {
      ...signedIn,
      'GET /tags': json(200, { tags: [FAMILY] }),
      'PATCH /tags/t-fam': [json(200, { ...FAMILY, name: 'Kin' }), json(200, { ...FAMILY, name: 'Kin', color: 'inner' })],
    });
    await user.click(await screen.findByRole('button', { name: 'Rename Family' }));
    const field = screen.getByLabelText('New name for Family');
    expect(document.activeElement).toBe(field);
    await user.clear(field);
    await user.type(field, 'Kin');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    expect(await screen.findByRole('button', { name: 'Rename Kin' })).toBeTruthy();

    await user.selectOptions(screen.getByLabelText('Colour of Kin'), 'inner');
    await vi.waitFor(() => expect(server.to('PATCH', '/tags/t-fam')).toHaveLength(2));
    expect(server.to('PATCH', '/tags/t-fam').map((r) => r.body)).toEqual([{ name: 'Kin' }, { color: 'inner' }]);
  });
});

describe('Requests screen and navigation counts', () => {
  it('lists incoming and outgoing, accepts, and keeps the count in the navigation', async () => {
    const { user, server } = await renderApp('/requests', {
      ...signedIn,
      'GET /connections/requests': (r) =>
        r.search.get('direction') === 'incoming'
          ? json(200, {
              requests: [
                { user: BOB, created_at: '2025-03-01T12:00:00Z' },
                { user: { id: 'u-c', username: 'carol', display_name: null }, created_at: '2025-03-01T11:00:00Z' },
              ],
              next_cursor: null,
            })
          : json(200, { requests: [{ user: { id: 'u-d', username: 'dan', display_name: null }, created_at: '2025-03-01T10:00:00Z' }], next_cursor: null }),
      'POST /connections/requests/u-bob/accept': json(200, { connection: connection(BOB.id, BOB.username) }),
      'DELETE /connections/requests/u-d': noContent(),
    });

    const nav = screen.getByRole('navigation', { name: 'Main' });
    const requestsLink = within(nav).getByRole('link', { name: /Requests/ });
    await vi.waitFor(() => expect(requestsLink.textContent).toContain('2'));
    expect(requestsLink.getAttribute('aria-current')).toBe('page');

    await user.click(await screen.findByRole('button', { name: 'Accept @bob' }));
    expect((await screen.findByText('You and @bob are now connected.')).closest('[role="status"]')).toBeTruthy();
    await vi.waitFor(() => expect(requestsLink.textContent).toContain('1'));
    expect(server.to('POST', '/connections/requests/u-bob/accept')).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Cancel request to @dan' }));
    expect(await screen.findByText(/You have no requests waiting/)).toBeTruthy();
  });
});

describe('People and a person’s page', () => {
  it('finds someone by exact username and opens their page with their posts', async () => {
    const { user, server } = await renderApp('/people', {
      ...signedIn,
      'GET /users/search': json(200, { users: [{ ...BOB, relationship: 'none' }] }),
      'GET /users/u-bob': json(200, { user: BOB, relationship: 'connected', connected_at: '2025-02-01T00:00:00Z' }),
      'GET /users/u-bob/posts': json(200, { posts: [post({ created_at: '2025-03-01T12:00:00Z', content: 'hi from bob' })], next_cursor: null }),
    });

    await user.type(screen.getByLabelText('Username'), '@Bob ');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const result = await screen.findByRole('link', { name: '@bob' });
    expect(currentUrl()).toBe('/people?q=bob');
    expect(server.to('GET', '/users/search')[0]!.search.get('q')).toBe('bob');
    expect(screen.getByRole('button', { name: 'Connect' })).toBeTruthy();

    await user.click(result);
    expect(currentUrl()).toBe('/u/bob');
    expect(await screen.findByText('hi from bob')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('@bob');
    expect(screen.getByText(/Connected since/)).toBeTruthy();
  });

  it('says so when nobody has that username', async () => {
    await renderApp('/u/nobody', {
      ...signedIn,
      'GET /users/search': json(200, { users: [] }),
    });
    expect(await screen.findByText(/There is no one with that username here/)).toBeTruthy();
  });

  it('opens a person by id too', async () => {
    await renderApp('/people/u-bob', {
      ...signedIn,
      'GET /users/u-bob': json(200, { user: BOB, relationship: 'incoming_request', connected_at: null }),
      'GET /users/u-bob/posts': json(200, { posts: [], next_cursor: null }),
    });
    expect(await screen.findByText('@bob asked to connect with you.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Accept' })).toBeTruthy();
    // The posts section renders after its own request: wait for it too.
    expect(await screen.findByText(/You’ll see what @bob shares with you once you are connected/)).toBeTruthy();
  });
});
