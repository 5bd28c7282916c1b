import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Post } from '../api/types';
import { apiError, json, noContent } from '../test/fakeApi';
import { ME, post, renderSocial, tag } from '../test/renderSocial';
import { PostItem } from './PostItem';

const FAMILY = tag('t-fam', 'Family', 'family');
const TAGS = new Map([[FAMILY.id, FAMILY]]);

function renderPost(p: Post, routes: Parameters<typeof renderSocial>[1] = {}) {
  const onUpdated = vi.fn();
  const onDeleted = vi.fn();
  const result = renderSocial(
    <PostItem post={p} viewerId={ME.id} tagsById={TAGS} onUpdated={onUpdated} onDeleted={onDeleted} />,
    routes,
  );
  return { ...result, onUpdated, onDeleted };
}

describe('PostItem', () => {
  it('renders content as text, never as HTML, and makes web links safe', () => {
    const { view } = renderPost(
      post({
        created_at: '2025-03-01T12:00:00Z',
        content: '<img src=x onerror="alert(1)"> <b>bold?</b>\nhttps://example.org/x',
      }),
    );
    expect(view.container.querySelector('img')).toBeNull();
    expect(view.container.querySelector('b')).toBeNull();
    expect(screen.getByText(/<img src=x onerror="alert\(1\)">/)).toBeTruthy();
    const link = screen.getByRole('link', { name: 'https://example.org/x' });
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(link.getAttribute('href')).toBe('https://example.org/x');
  });

  it('shows the author, a relative time with the exact time on hover', () => {
    renderPost(post({ created_at: new Date(Date.now() - 5 * 60_000).toISOString() }));
    expect(screen.getByRole('link', { name: '@bob' }).getAttribute('href')).toBe('/u/bob');
    const time = screen.getByText('5 min ago');
    expect(time.tagName).toBe('TIME');
    expect(time.getAttribute('datetime')).toMatch(/Z$/);
    expect(time.getAttribute('title')).toMatch(/\d{4}/);
    expect(screen.queryByRole('button', { name: 'Edit post' })).toBeNull();
  });

  it('own posts: audience badge, edit in place with the counter, server errors shown there', async () => {
    const mine = post({ author: ME, audience: 'tags', tag_ids: [FAMILY.id], created_at: '2025-03-01T12:00:00Z', content: 'Dinner?' });
    const { user, server, onUpdated } = renderPost(mine, {
      [`PATCH /posts/${mine.id}`]: [
        apiError(400, 'invalid_content', 'That is too long.'),
        json(200, { ...mine, content: 'Dinner at 7?', edited_at: '2025-03-01T12:05:00Z' }),
      ],
    });
    expect(screen.getByText('Tagged Family')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Edit post' }));
    const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Edit your post' });
    expect(document.activeElement).toBe(box);
    expect(screen.getByText(/^7 \/ 5,000/)).toBeTruthy();
    await user.type(box, ' at 7');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That is too long.');

    await user.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(onUpdated).toHaveBeenCalled());
    expect(server.to('PATCH', `/posts/${mine.id}`)[1]!.body).toEqual({ content: 'Dinner? at 7' });
  });

  it('own posts: delete asks first, then deletes', async () => {
    const mine = post({ author: ME, audience: 'private', tag_ids: [], created_at: '2025-03-01T12:00:00Z' });
    const { user, server, onDeleted } = renderPost(mine, { [`DELETE /posts/${mine.id}`]: noContent() });
    expect(screen.getByText('Only me')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Delete post' }));
    const confirm = screen.getByRole('group', { name: /Delete this post\?/ });
    expect(server.requests).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Delete post' }));

    await vi.waitFor(() => expect(onDeleted).toHaveBeenCalledWith(mine.id));
    expect(server.to('DELETE', `/posts/${mine.id}`)).toHaveLength(1);
  });
});
