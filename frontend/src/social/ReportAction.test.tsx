import { screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Comment, Post, UserRef } from '../api/types';
import { USER, apiError, json, session } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { BOB, ME, post, renderSocial } from '../test/renderSocial';
import { PostItem } from './PostItem';

const CAROL: UserRef = { id: 'u-carol', username: 'carol', display_name: null };
/** POST /api/blocks answers 201 without a body. */
const created = () => new Response(null, { status: 201 });
const signedIn = {
  'POST /auth/refresh': json(200, session('tok-1')),
  'GET /auth/me': json(200, USER),
};
const quiet = { 'GET /connections/requests': json(200, { requests: [], next_cursor: null }) };

function renderPost(p: Post, routes: Parameters<typeof renderSocial>[1] = {}) {
  const onDeleted = vi.fn();
  const result = renderSocial(
    <PostItem post={p} viewerId={ME.id} tagsById={new Map()} onUpdated={vi.fn()} onDeleted={onDeleted} />,
    { ...quiet, ...routes },
  );
  return { ...result, onDeleted };
}

describe('Reporting a post', () => {
  it('is offered on other people’s posts only', () => {
    const { view } = renderPost(post({ created_at: '2025-03-01T12:00:00Z' }));
    expect(screen.getByRole('button', { name: 'Report post by @bob' })).toBeTruthy();
    view.unmount();

    renderPost(post({ author: ME, tag_ids: [], created_at: '2025-03-01T12:00:00Z' }));
    expect(screen.queryByRole('button', { name: /Report/ })).toBeNull();
  });

  it('asks why in plain words, sends the report, then blocks, and confirms calmly', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z' });
    const { user, server, onDeleted } = renderPost(p, {
      'POST /reports': json(201, { id: 'r-1' }),
      'POST /blocks': created(),
    });

    await user.click(screen.getByRole('button', { name: 'Report post by @bob' }));
    const form = screen.getByRole('form', { name: 'Report this post by @bob' });
    expect(document.activeElement).toBe(form);
    const reasons = within(form).getByRole('group', { name: 'What’s wrong with this post?' });
    expect(within(reasons).getAllByRole('radio').map((r) => r.closest('label')!.textContent)).toEqual([
      'Spam',
      'Harassment or bullying',
      'Hate',
      'Violence or self-harm',
      'Sexual content',
      'Impersonation',
      'Something else',
    ]);
    expect(within(form).getByText(/@bob is not told who reported them/)).toBeTruthy();

    // A reason is needed: said at the group, and nothing is sent.
    await user.click(within(form).getByRole('button', { name: 'Send report' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('Choose what is wrong.');
    expect(document.activeElement).toBe(within(reasons).getByRole('radio', { name: 'Spam' }));
    expect(server.requests).toHaveLength(0);

    await user.click(within(reasons).getByRole('radio', { name: 'Harassment or bullying' }));
    expect(within(form).queryByRole('alert')).toBeNull();
    const note = within(form).getByRole('textbox', { name: 'Anything else the operators should know? (optional)' });
    await user.type(note, '  Keeps mocking my sister. ');
    expect(within(form).getByText(/^24 \/ 500/)).toBeTruthy();
    await user.click(within(form).getByRole('checkbox', { name: 'Also block @bob' }));
    expect(within(form).getByText(/They are not told\./)).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Send report' }));

    const done = await screen.findByRole('status');
    expect(done.textContent).toBe(
      'Thanks. An operator will look at it. @bob is not told who reported them. ' +
        'You blocked @bob: they can no longer see anything you share.',
    );
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.body])).toEqual([
      ['/reports', { target: { type: 'post', id: p.id }, reason: 'harassment', note: 'Keeps mocking my sister.' }],
      ['/blocks', { user_id: 'u-bob' }],
    ]);
    expect(onDeleted).not.toHaveBeenCalled();

    // Their post goes once the confirmation is put away.
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(onDeleted).toHaveBeenCalledWith(p.id);
  });

  it('takes an earlier report as done (already_reported), sends no note when there is none, and blocks nobody unasked', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z' });
    const { user, server, onDeleted } = renderPost(p, {
      'POST /reports': apiError(409, 'already_reported', 'You already reported this.'),
    });

    await user.click(screen.getByRole('button', { name: 'Report post by @bob' }));
    await user.click(screen.getByRole('radio', { name: 'Spam' }));
    await user.click(screen.getByRole('button', { name: 'Send report' }));

    expect((await screen.findByRole('status')).textContent).toBe(
      'You already reported this post by @bob; an operator will look at it. @bob is not told who reported them.',
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(server.to('POST', '/reports')[0]!.body).toEqual({ target: { type: 'post', id: p.id }, reason: 'spam' });
    expect(server.to('POST', '/blocks')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Report post by @bob' }));
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it('shows a refusal in the form and keeps what was chosen; Escape backs out', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z' });
    const { user } = renderPost(p, {
      'POST /reports': [
        apiError(404, 'not_found', 'That post is no longer there.'),
        apiError(429, 'rate_limited', 'You have sent a lot of reports', { 'Retry-After': '120' }),
      ],
    });
    await user.click(screen.getByRole('button', { name: 'Report post by @bob' }));
    await user.click(screen.getByRole('radio', { name: 'Hate' }));
    await user.click(screen.getByRole('button', { name: 'Send report' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That post is no longer there.');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Hate' }).checked).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Send report' }));
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('You have sent a lot of reports. Try again in 2 min.'),
    );

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Report post by @bob' }));
  });

  it('refuses a note over 500 characters at the field', async () => {
    const { user, server } = renderPost(post({ created_at: '2025-03-01T12:00:00Z' }));
    await user.click(screen.getByRole('button', { name: 'Report post by @bob' }));
    await user.click(screen.getByRole('radio', { name: 'Something else' }));
    const note = screen.getByRole('textbox', { name: /Anything else/ });
    await user.click(note);
    await user.paste('x'.repeat(501));
    expect(screen.getByText(/1 too many/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Send report' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Use at most 500 characters.');
    expect(document.activeElement).toBe(note);
    expect(server.to('POST', '/reports')).toHaveLength(0);
  });

  it('when the block fails, the report stands and blocking can be tried again', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z' });
    const { user, server } = renderPost(p, {
      'POST /reports': json(201, { id: 'r-1' }),
      'POST /blocks': [new TypeError('Failed to fetch'), created()],
    });
    await user.click(screen.getByRole('button', { name: 'Report post by @bob' }));
    await user.click(screen.getByRole('radio', { name: 'Spam' }));
    await user.click(screen.getByRole('checkbox', { name: 'Also block @bob' }));
    await user.click(screen.getByRole('button', { name: 'Send report' }));

    expect((await screen.findByRole('status')).textContent).toBe(
      'Thanks. An operator will look at it. @bob is not told who reported them.',
    );
    expect(screen.getByRole('alert').textContent).toMatch(/^Blocking @bob didn’t work\. Couldn't reach/);
    await user.click(screen.getByRole('button', { name: 'Block @bob' }));
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/You blocked @bob/));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(server.to('POST', '/reports')).toHaveLength(1);
    expect(server.to('POST', '/blocks')).toHaveLength(2);
  });

  it('in the feed, blocking the author takes all their posts away', async () => {
    const posts = [
      post({ created_at: '2025-03-02T12:00:00Z', content: 'bob one' }),
      post({ created_at: '2025-03-01T12:00:00Z', content: 'carol’s', author: CAROL }),
      post({ created_at: '2025-03-01T10:00:00Z', content: 'bob two' }),
    ];
    const { user } = await renderApp('/feed', {
      ...signedIn,
      'GET /feed': json(200, { posts, next_cursor: null }),
      'POST /reports': json(201, { id: 'r-1' }),
      'POST /blocks': created(),
    });
    await screen.findByText('bob one');
    await user.click(screen.getAllByRole('button', { name: 'Report post by @bob' })[1]!);
    await user.click(screen.getByRole('radio', { name: 'Spam' }));
    await user.click(screen.getByRole('checkbox', { name: 'Also block @bob' }));
    await user.click(screen.getByRole('button', { name: 'Send report' }));
    await screen.findByText(/You blocked @bob/);
    await user.click(screen.getByRole('button', { name: 'Done' }));

    const feed = screen.getByRole('list', { name: 'Posts, newest first' });
    expect(within(feed).getAllByRole('article').map((a) => a.querySelector('.post__text')?.textContent)).toEqual([
      'carol’s',
    ]);
    expect(document.activeElement).toBe(feed);
  });
});

function comment(id: string, author: UserRef, content: string, postId: string): Comment {
  return { id, post_id: postId, author, content, created_at: '2025-03-01T12:00:00Z', edited_at: null };
}

describe('Reporting a comment', () => {
  it('is offered on other people’s comments, sends the post’s id, and blocking takes their comments away', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', comment_count: 3 });
    function Harness() {
      const [shown, setShown] = useState(p);
      return (
        <PostItem post={shown} viewerId={ME.id} tagsById={new Map()} onUpdated={(change) => setShown(change)} onDeleted={vi.fn()} />
      );
    }
    const { user, server } = renderSocial(<Harness />, {
      ...quiet,
      [`GET /posts/${p.id}/comments`]: json(200, {
        comments: [comment('c1', CAROL, 'rude one', p.id), comment('c2', ME, 'mine', p.id), comment('c3', CAROL, 'rude two', p.id)],
        next_cursor: null,
      }),
      'POST /reports': json(201, { id: 'r-2' }),
      'POST /blocks': created(),
    });
    await user.click(screen.getByRole('button', { name: '3 comments' }));
    const thread = await screen.findByRole('region', { name: 'Comments on @bob’s post' });
    await within(thread).findByText('rude one');
    expect(within(thread).getAllByRole('button', { name: 'Report comment by @carol' })).toHaveLength(2);
    expect(within(thread).queryByRole('button', { name: 'Report comment by @alice' })).toBeNull();

    await user.click(within(thread).getAllByRole('button', { name: 'Report comment by @carol' })[0]!);
    const form = within(thread).getByRole('form', { name: 'Report this comment by @carol' });
    expect(within(form).getByRole('group', { name: 'What’s wrong with this comment?' })).toBeTruthy();
    await user.click(within(form).getByRole('radio', { name: 'Harassment or bullying' }));
    await user.click(within(form).getByRole('checkbox', { name: 'Also block @carol' }));
    await user.click(within(form).getByRole('button', { name: 'Send report' }));

    await within(thread).findByText(/Thanks\. An operator will look at it\./);
    expect(server.to('POST', '/reports')[0]!.body).toEqual({
      target: { type: 'comment', id: 'c1', post_id: p.id },
      reason: 'harassment',
    });
    expect(server.to('POST', '/blocks')[0]!.body).toEqual({ user_id: 'u-carol' });

    await user.click(within(thread).getByRole('button', { name: 'Done' }));
    expect(within(thread).queryByText('rude one')).toBeNull();
    expect(within(thread).queryByText('rude two')).toBeNull();
    expect(within(thread).getByText('mine')).toBeTruthy();
    expect(screen.getByRole('button', { name: '1 comment' })).toBeTruthy();
    expect(document.activeElement).toBe(thread);
  });
});

describe('Reporting a person from their page', () => {
  it('reports them and, when asked, blocks them: the page shows the blocked state', async () => {
    let relationship: 'connected' | 'blocked' = 'connected';
    const { user, server } = await renderApp('/people/u-bob', {
      ...signedIn,
      'GET /users/u-bob': () =>
        json(200, { user: BOB, relationship, connected_at: relationship === 'connected' ? '2025-02-01T00:00:00Z' : null, bio: null }),
      'GET /users/u-bob/posts': json(200, { posts: [], next_cursor: null }),
      'POST /reports': json(201, { id: 'r-3' }),
      'POST /blocks': () => {
        relationship = 'blocked';
        return created();
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Report @bob' }));
    const form = screen.getByRole('form', { name: 'Report @bob' });
    expect(within(form).getByRole('group', { name: 'What’s wrong with this account?' })).toBeTruthy();
    await user.click(within(form).getByRole('radio', { name: 'Impersonation' }));
    await user.type(within(form).getByRole('textbox'), 'Pretends to be my brother.');
    await user.click(within(form).getByRole('checkbox', { name: 'Also block @bob' }));
    await user.click(within(form).getByRole('button', { name: 'Send report' }));

    expect(await screen.findByText('You blocked @bob.')).toBeTruthy();
    expect(screen.getByText(/^Thanks\. An operator will look at it\. @bob is not told who reported them\./)).toBeTruthy();
    expect(server.to('POST', '/reports')[0]!.body).toEqual({
      target: { type: 'user', id: 'u-bob' },
      reason: 'impersonation',
      note: 'Pretends to be my brother.',
    });
    expect(screen.getByRole('button', { name: 'Unblock' })).toBeTruthy();

    // Reporting again: blocking is no longer offered, they are blocked already.
    await user.click(screen.getByRole('button', { name: 'Done' }));
    await user.click(screen.getByRole('button', { name: 'Report @bob' }));
    expect(screen.queryByRole('checkbox', { name: /Also block/ })).toBeNull();
  });

  it('is not offered on one’s own page', async () => {
    await renderApp('/people/01J0000000000000000000USER', {
      ...signedIn,
      'GET /users/01J0000000000000000000USER': json(200, { user: ME, relationship: 'self', connected_at: null, bio: null }),
      'GET /users/01J0000000000000000000USER/posts': json(200, { posts: [], next_cursor: null }),
    });
    expect(await screen.findByText('This is you.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Report/ })).toBeNull();
  });
});
