import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Notification } from '../api/types';
import { USER, apiError, json, noContent, session } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';
import { BOB, post } from '../test/renderSocial';

const signedIn = {
  'POST /auth/refresh': json(200, session('tok-1')),
  'GET /auth/me': json(200, USER),
};

function note(id: string, kind: Notification['kind'], extra: Partial<Notification> = {}): Notification {
  return { id, kind, actor: BOB, others: 0, created_at: '2025-03-01T12:00:00Z', read: false, ...extra };
}

const NOTES = [
  note('n1', 'connection_request'),
  note('n2', 'request_accepted', { read: true }),
  note('n3', 'comment_on_my_post', { post_id: 'p1', comment_id: 'c1' }),
  note('n4', 'comment_on_thread', { post_id: 'p1', comment_id: 'c2', read: true }),
  note('n5', 'reactions_on_my_post', { post_id: 'p/2', others: 2 }),
];

describe('Notifications screen', () => {
  it('says what happened in words and links each to where it happened', async () => {
    await renderApp('/notifications', {
      ...signedIn,
      'GET /notifications': json(200, { notifications: NOTES, next_cursor: null, unread: 3 }),
    });
    const list = await screen.findByRole('list', { name: 'Notifications, newest first' });
    const links = within(list).getAllByRole('link');
    expect(links.map((a) => a.textContent?.trim())).toEqual([
      'Unread: @bob wants to connect with you',
      '@bob accepted your request',
      'Unread: @bob commented on your post',
      '@bob also commented on a post you commented on',
      'Unread: @bob and 2 others reacted to your post',
    ]);
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['/requests', '/u/bob', '/posts/p1', '/posts/p1', '/posts/p%2F2']);
  });

  it('marks one read when it is opened, and all with “Mark all read”; the badge follows', async () => {
    const { user, server } = await renderApp('/notifications', {
      ...signedIn,
      'GET /notifications/unread': json(200, { unread: 3 }),
      'GET /notifications': json(200, { notifications: NOTES, next_cursor: null, unread: 3 }),
      'POST /notifications/read': noContent(),
      'GET /posts/p1': json(200, post({ id: 'p1', created_at: '2025-03-01T12:00:00Z', content: 'the post' })),
      'GET /posts/p1/comments': json(200, { comments: [], next_cursor: null }),
    });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const link = await within(nav).findByRole('link', { name: 'Notifications, 3 unread' });

    await user.click(await screen.findByRole('link', { name: 'Unread: @bob commented on your post' }));
    expect(currentUrl()).toBe('/posts/p1');
    expect(await screen.findByText('the post')).toBeTruthy();
    expect(server.to('POST', '/notifications/read')[0]!.body).toEqual({ ids: ['n3'] });
    expect(within(nav).getByRole('link', { name: 'Notifications, 2 unread' })).toBe(link);

    await user.click(link);
    await user.click(await screen.findByRole('button', { name: 'Mark all read' }));
    expect(await within(nav).findByRole('link', { name: 'Notifications' })).toBe(link);
    expect(server.to('POST', '/notifications/read')[1]!.body).toEqual({ all: true });
    expect(screen.queryByText(/^Unread:/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Mark all read' })).toBeNull();
  });

  it('has a calm empty state', async () => {
    await renderApp('/notifications', signedIn);
    expect(await screen.findByText(/You’ll hear here when someone asks to connect/)).toBeTruthy();
  });
});

describe('The unread badge', () => {
  it('is read on mount and again when the app becomes visible, with words for the count', async () => {
    const { server } = await renderApp('/feed', {
      ...signedIn,
      'GET /notifications/unread': [json(200, { unread: 1 }), json(200, { unread: 4 })],
    });
    const tabs = screen.getByRole('navigation', { name: 'Tab bar' });
    const link = await within(tabs).findByRole('link', { name: 'Notifications, 1 unread' });
    const before = server.to('GET', '/notifications/unread').length;

    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await within(tabs).findByRole('link', { name: 'Notifications, 4 unread' })).toBe(link);
    expect(server.to('GET', '/notifications/unread').length).toBe(before + 1);
  });
});

describe('The phone tab bar', () => {
  it('has four tabs and “More” with the rest; Escape puts it away', async () => {
    const { user } = await renderApp('/people', signedIn);
    const tabs = screen.getByRole('navigation', { name: 'Tab bar' });
    const list = within(tabs).getAllByRole('list')[0]!;
    expect(within(list).getAllByRole('link').map((a) => a.textContent)).toEqual(['Feed', 'People', 'Notifications', 'Requests']);
    // Every tab a real target.
    expect(within(tabs).getByRole('link', { name: 'Feed' }).className).toBe('tabs__link');
    expect(within(tabs).getByRole('link', { name: 'People' }).getAttribute('aria-current')).toBe('page');

    const more = within(tabs).getByRole('button', { name: 'More' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    await user.click(more);
    expect(more.getAttribute('aria-expanded')).toBe('true');
    const menu = document.getElementById(more.getAttribute('aria-controls')!)!;
    expect(within(menu).getAllByRole('link').map((a) => a.textContent)).toEqual(['My posts', 'Connections', 'Tags', 'Profile', 'Account']);

    await user.keyboard('{Escape}');
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(more);

    // Following a link closes it, and "More" is where that screen now lives.
    await user.click(more);
    await user.click(within(tabs).getByRole('link', { name: 'Tags' }));
    expect(currentUrl()).toBe('/tags');
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(more.getAttribute('aria-current')).toBe('page');
  });

  it('closes “More” on a tap elsewhere', async () => {
    const { user } = await renderApp('/feed', signedIn);
    const more = screen.getByRole('button', { name: 'More' });
    await user.click(more);
    await user.click(screen.getByRole('heading', { level: 1 }));
    expect(more.getAttribute('aria-expanded')).toBe('false');
  });
});

describe('A post’s own page', () => {
  it('shows the post with its comments open', async () => {
    await renderApp('/posts/p1', {
      ...signedIn,
      'GET /posts/p1': json(200, post({ id: 'p1', created_at: '2025-03-01T12:00:00Z', content: 'hello', comment_count: 1 })),
      'GET /posts/p1/comments': json(200, {
        comments: [{ id: 'c1', post_id: 'p1', author: BOB, content: 'a reply', created_at: '2025-03-01T12:00:00Z', edited_at: null }],
        next_cursor: null,
      }),
    });
    expect(await screen.findByText('a reply')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('@bob’s post');
    expect(screen.getByRole('button', { name: '1 comment' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('says so when the post is gone or no longer shared', async () => {
    await renderApp('/posts/p9', {
      ...signedIn,
      'GET /posts/p9': apiError(404, 'post_not_found', 'Not found.'),
    });
    expect(await screen.findByText(/it was deleted, or it is no longer shared with you/)).toBeTruthy();
  });
});

describe('Email settings on the Account screen', () => {
  it('saves each box as it is ticked, and puts it back if saving fails', async () => {
    const { user, server } = await renderApp('/account', {
      ...signedIn,
      'GET /account/email-settings': json(200, { on_request: true, on_accept: false }),
      'PUT /account/email-settings': [
        json(200, { on_request: true, on_accept: true }),
        apiError(503, 'service_unavailable', 'We cannot reach our database right now.'),
      ],
    });
    const onRequest = await screen.findByRole<HTMLInputElement>('checkbox', { name: 'Email me when someone asks to connect' });
    const onAccept = screen.getByRole<HTMLInputElement>('checkbox', { name: 'Email me when my request is accepted' });
    expect([onRequest.checked, onAccept.checked]).toEqual([true, false]);

    await user.click(onAccept);
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(server.to('PUT', '/account/email-settings')[0]!.body).toEqual({ on_request: true, on_accept: true });
    expect(onAccept.checked).toBe(true);

    await user.click(onRequest);
    expect((await screen.findByRole('alert')).textContent).toBe('We cannot reach our database right now.');
    expect(onRequest.checked).toBe(true);
  });
});
