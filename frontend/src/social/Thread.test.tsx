import { screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Comment, Post, UserRef } from '../api/types';
import { apiError, json, noContent } from '../test/fakeApi';
import { BOB, ME, post, renderSocial } from '../test/renderSocial';
import { PostItem } from './PostItem';

const CAROL: UserRef = { id: 'u-carol', username: 'carol', display_name: null };

function comment(id: string, author: UserRef, content: string, postId: string): Comment {
  return { id, post_id: postId, author, content, created_at: '2025-03-01T12:00:00Z', edited_at: null };
}

/** A post kept in state as a list keeps it, so counts and reactions update. */
function Harness({ initial }: { initial: Post }) {
  const [p, setP] = useState(initial);
  return <PostItem post={p} viewerId={ME.id} tagsById={new Map()} onUpdated={(change) => setP(change)} onDeleted={vi.fn()} />;
}

describe('A post’s thread', () => {
  it('opens from the comment count, oldest first, with “Show more”', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', comment_count: 3 });
    const { user, server } = renderSocial(<Harness initial={p} />, {
      [`GET /posts/${p.id}/comments`]: (r) =>
        r.search.get('cursor') === 'c2'
          ? json(200, { comments: [comment('c3', BOB, 'third', p.id)], next_cursor: null })
          : json(200, { comments: [comment('c1', BOB, 'first', p.id), comment('c2', CAROL, 'second', p.id)], next_cursor: 'c2' }),
    });
    const toggle = screen.getByRole('button', { name: '3 comments' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(server.requests).toHaveLength(0);

    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const thread = await screen.findByRole('region', { name: 'Comments on @bob’s post' });
    await within(thread).findByText('first');
    await user.click(within(thread).getByRole('button', { name: 'Show more' }));
    await within(thread).findByText('third');
    const texts = within(thread).getAllByRole('article').map((a) => a.querySelector('.post__text')?.textContent);
    expect(texts).toEqual(['first', 'second', 'third']);
    // Someone else's comment on someone else's post: nothing to edit or delete.
    expect(within(thread).queryByRole('button', { name: /Delete comment/ })).toBeNull();
  });

  it('adds a reply at the end and counts it; a refused one says why and keeps the text', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', comment_count: 1 });
    const { user, server } = renderSocial(<Harness initial={p} />, {
      [`GET /posts/${p.id}/comments`]: json(200, { comments: [comment('c1', BOB, 'first', p.id)], next_cursor: null }),
      [`POST /posts/${p.id}/comments`]: [
        apiError(400, 'invalid_content', 'Remove the control characters.'),
        json(201, comment('c9', ME, 'Lovely!', p.id)),
      ],
    });
    await user.click(screen.getByRole('button', { name: '1 comment' }));
    const box = await screen.findByRole('textbox', { name: 'Write a comment' });
    expect(screen.getByText(/^0 \/ 2,000/)).toBeTruthy();
    await user.type(box, '  Lovely! ');
    await user.click(screen.getByRole('button', { name: 'Comment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Remove the control characters.');
    expect((box as HTMLTextAreaElement).value).toBe('  Lovely! ');

    await user.click(screen.getByRole('button', { name: 'Comment' }));
    expect(await screen.findByText('Lovely!')).toBeTruthy();
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(server.to('POST', `/posts/${p.id}/comments`)[1]!.body).toEqual({ content: 'Lovely!' });
    expect(screen.getByRole('button', { name: '2 comments' })).toBeTruthy();
  });

  it('edits and deletes one’s own comment', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', comment_count: 1 });
    const mine = comment('c1', ME, 'Typo hre', p.id);
    const { user, server } = renderSocial(<Harness initial={p} />, {
      [`GET /posts/${p.id}/comments`]: json(200, { comments: [mine], next_cursor: null }),
      [`PATCH /posts/${p.id}/comments/c1`]: json(200, { ...mine, content: 'Typo here', edited_at: '2025-03-01T12:01:00Z' }),
      [`DELETE /posts/${p.id}/comments/c1`]: noContent(),
    });
    await user.click(screen.getByRole('button', { name: '1 comment' }));
    await user.click(await screen.findByRole('button', { name: 'Edit comment by @alice' }));
    const field = screen.getByRole('textbox', { name: 'Edit your comment' });
    expect(document.activeElement).toBe(field);
    await user.clear(field);
    await user.type(field, 'Typo here');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Typo here')).toBeTruthy();
    expect(screen.getByText('edited')).toBeTruthy();
    expect(server.to('PATCH', `/posts/${p.id}/comments/c1`)[0]!.body).toEqual({ content: 'Typo here' });

    await user.click(screen.getByRole('button', { name: 'Delete comment by @alice' }));
    const confirm = screen.getByRole('group', { name: /Delete this comment\?/ });
    await user.click(within(confirm).getByRole('button', { name: 'Delete comment' }));
    expect(await screen.findByText('No comments yet.')).toBeTruthy();
    expect(screen.getByRole('button', { name: '0 comments' })).toBeTruthy();
  });

  it('lets the post’s author delete anyone’s comment, but edit only their own', async () => {
    const p = post({ author: ME, created_at: '2025-03-01T12:00:00Z', comment_count: 1 });
    const { user } = renderSocial(<Harness initial={p} />, {
      [`GET /posts/${p.id}/comments`]: json(200, { comments: [comment('c1', BOB, 'from bob', p.id)], next_cursor: null }),
    });
    await user.click(screen.getByRole('button', { name: '1 comment' }));
    expect(await screen.findByRole('button', { name: 'Delete comment by @bob' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit comment by @bob' })).toBeNull();
  });
});
