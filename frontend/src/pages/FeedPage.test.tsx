import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Post } from '../api/types';
import { findNewPosts, prependPosts } from '../social/newPosts';
import { USER, json, session, type RecordedRequest } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { post, tag } from '../test/renderSocial';

const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 12, minute)).toISOString();
const FAMILY = tag('t-fam', 'Family', 'family');

/** The feed as the server has it right now; a test changes it between steps. */
function feedServer(initial: Post[], pageSize = 20) {
  const server = { posts: initial };
  const handler = (r: RecordedRequest) => {
    const cursor = r.search.get('cursor');
    const start = cursor ? Number(cursor) : 0;
    const page = server.posts.slice(start, start + pageSize);
    const next = start + pageSize < server.posts.length ? String(start + pageSize) : null;
    return json(200, { posts: page, next_cursor: next });
  };
  return { server, handler };
}

async function renderFeed(feed: ReturnType<typeof feedServer>, extra: Parameters<typeof renderApp>[1] = {}) {
  const view = await renderApp('/feed', {
    'POST /auth/refresh': json(200, session('tok-1')),
    'GET /auth/me': json(200, USER),
    'GET /tags': json(200, { tags: [FAMILY] }),
    'GET /feed': feed.handler,
    ...extra,
  });
  await screen.findByRole('list', { name: 'Posts, newest first' });
  return view;
}

const shownContents = () =>
  within(screen.getByRole('list', { name: 'Posts, newest first' }))
    .getAllByRole('article')
    .map((a) => a.querySelector('.post__text')!.textContent);

async function checkForNewPosts() {
  await act(async () => {
    fireEvent.focus(window);
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

describe('findNewPosts', () => {
  const a = post({ created_at: at(10) });
  const b = post({ created_at: at(20) });
  const c = post({ created_at: at(30) });
  const d = post({ created_at: at(40) });

  it('counts only posts newer than the newest on screen; never slips one in below', () => {
    const older = post({ created_at: at(15) });
    expect(findNewPosts([c, b, a], [d, c, b, older, a], false)).toEqual({ fresh: [d], gap: false });
    expect(findNewPosts([c, b, a], [c, b, older, a], false)).toEqual({ fresh: [], gap: false });
  });

  it('flags a gap when every fetched post is new and more exist', () => {
    expect(findNewPosts([a], [d, c, b], true)).toEqual({ fresh: [d, c, b], gap: true });
    expect(findNewPosts([a], [d, c, b], false)).toEqual({ fresh: [d, c, b], gap: false });
  });

  it('puts new posts on top, the rest in the same order', () => {
    expect(prependPosts([b, a], [d, c, b]).map((p) => p.id)).toEqual([d.id, c.id, b.id, a.id]);
  });
});

describe('Feed screen', () => {
  it('offers new posts without moving anything on screen, then shows them on top', async () => {
    const first = [post({ created_at: at(30), content: 'third' }), post({ created_at: at(20), content: 'second' }), post({ created_at: at(10), content: 'first' })];
    const feed = feedServer(first);
    await renderFeed(feed);
    expect(shownContents()).toEqual(['third', 'second', 'first']);

    // Meanwhile: two new posts, and an older post (a new connection's) that belongs in the middle.
    feed.server.posts = [
      post({ created_at: at(50), content: 'fifth' }),
      post({ created_at: at(40), content: 'fourth' }),
      first[0]!,
      first[1]!,
      post({ created_at: at(15), content: 'older, newly visible' }),
      first[2]!,
    ];
    await checkForNewPosts();

    const offer = await screen.findByRole('button', { name: 'Show 2 new posts' });
    expect(offer.closest('[aria-live="polite"]')).toBeTruthy();
    expect(shownContents()).toEqual(['third', 'second', 'first']);

    fireEvent.click(offer);

    expect(shownContents()).toEqual(['fifth', 'fourth', 'third', 'second', 'first']);
    expect(screen.queryByRole('button', { name: /new post/ })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('list', { name: 'Posts, newest first' }));
  });

  it('says nothing when there is nothing new', async () => {
    const feed = feedServer([post({ created_at: at(10), content: 'only' })]);
    const { server } = await renderFeed(feed);
    const before = server.to('GET', '/feed').length;
    await checkForNewPosts();
    expect(server.to('GET', '/feed').length).toBe(before + 1);
    expect(screen.queryByRole('button', { name: /new post/ })).toBeNull();
  });

  it('loads more with the cursor, appending below', async () => {
    const posts = Array.from({ length: 25 }, (_, i) => post({ created_at: at(59 - i), content: `post ${i}` }));
    const feed = feedServer(posts);
    const { user, server } = await renderFeed(feed);
    expect(shownContents()).toHaveLength(20);

    await user.click(screen.getByRole('button', { name: 'Load more' }));

    await screen.findByText('That’s everything.');
    expect(shownContents()).toEqual(posts.map((p) => p.content));
    expect(server.to('GET', '/feed').at(-1)!.search.get('cursor')).toBe('20');
  });

  it('narrows the feed with the tag pills', async () => {
    const feed = feedServer([post({ created_at: at(10), content: 'hello' })]);
    const { user, server } = await renderFeed(feed);

    const pill = screen.getByRole('button', { name: 'Family' });
    expect(pill.getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByRole('button', { name: 'Everyone' }).getAttribute('aria-pressed')).toBe('true');
    await user.click(pill);

    expect(pill.getAttribute('aria-pressed')).toBe('true');
    expect(await screen.findByRole('heading', { name: 'Posts from people tagged Family' })).toBeTruthy();
    expect(server.to('GET', '/feed').at(-1)!.search.get('tag_ids')).toBe(FAMILY.id);
  });

  it('puts one’s own new post on top, with its audience badge', async () => {
    const feed = feedServer([post({ created_at: at(10), content: 'older' })]);
    const { user } = await renderFeed(feed, {
      'GET /connections': json(200, { connections: [], count: 0, limit: 100 }),
      'POST /posts': json(201, {
        id: 'mine-1',
        author: { id: USER.id, username: USER.username },
        content: 'Just mine',
        audience: 'private',
        tag_ids: [],
        created_at: at(59),
        edited_at: null,
      }),
    });

    await user.type(screen.getByRole('textbox', { name: 'What would you like to share?' }), 'Just mine');
    await user.click(screen.getByRole('radio', { name: 'Only me' }));
    await user.click(screen.getByRole('button', { name: 'Post' }));

    await screen.findByText('Just mine');
    expect(shownContents()).toEqual(['Just mine', 'older']);
    const mine = screen.getAllByRole('article')[0]!;
    expect(within(mine).getByText('Only me')).toBeTruthy();
    expect(within(mine).getByRole('button', { name: 'Edit post' })).toBeTruthy();
    expect(within(screen.getAllByRole('article')[1]!).queryByRole('button', { name: 'Edit post' })).toBeNull();
  });

  it('shows an empty state, and an error with a way to try again', async () => {
    let fail = true;
    await renderApp('/feed', {
      'POST /auth/refresh': json(200, session('tok-1')),
      'GET /feed': () =>
        fail
          ? json(503, { error: { code: 'unavailable', message: 'The feed is resting. Try again shortly.' } })
          : json(200, { posts: [], next_cursor: null }),
    });
    expect((await screen.findByRole('alert')).textContent).toBe('The feed is resting. Try again shortly.');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/Nothing here yet/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Find people you know' }).getAttribute('href')).toBe('/people');
  });
});
