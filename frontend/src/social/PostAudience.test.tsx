import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Post } from '../api/types';
import { apiError, json } from '../test/fakeApi';
import { BOB, ME, connection, post, renderSocial, tag } from '../test/renderSocial';
import { PostItem } from './PostItem';

const FAMILY = tag('t-fam', 'Family', 'family');

function renderOwn(p: Post, routes: Parameters<typeof renderSocial>[1]) {
  const onUpdated = vi.fn();
  const result = renderSocial(
    <PostItem post={p} viewerId={ME.id} tagsById={new Map([[FAMILY.id, FAMILY]])} onUpdated={onUpdated} onDeleted={vi.fn()} />,
    {
      'GET /tags': json(200, { tags: [FAMILY] }),
      'GET /connections': json(200, { connections: [connection(BOB.id, BOB.username, [FAMILY.id])], count: 1, limit: 100 }),
      ...routes,
    },
  );
  return { ...result, onUpdated };
}

describe('A post’s audience (own posts)', () => {
  it('changes the audience with the picker and sends the chosen tags', async () => {
    const mine = post({ author: ME, created_at: '2025-03-01T12:00:00Z', audience: 'connections', tag_ids: [] });
    const updated = { ...mine, audience: 'tags' as const, tag_ids: [FAMILY.id] };
    const { user, server, onUpdated } = renderOwn(mine, {
      [`PATCH /posts/${mine.id}`]: [apiError(400, 'invalid_audience', 'That tag is gone.'), json(200, updated)],
    });

    await user.click(screen.getByRole('button', { name: 'Change audience' }));
    const form = screen.getByRole('form', { name: 'Change who can see this post' });
    await user.click(within(form).getByRole('radio', { name: 'People with chosen tags' }));
    // No tag chosen yet: nothing to save.
    await user.click(within(form).getByRole('button', { name: 'Save audience' }));
    expect(server.to('PATCH', `/posts/${mine.id}`)).toHaveLength(0);

    await user.click(await within(form).findByRole('checkbox', { name: 'Family' }));
    expect(within(form).getByText('Visible to 1 person tagged Family.')).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Save audience' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('That tag is gone.');

    await user.click(within(form).getByRole('button', { name: 'Save audience' }));
    await vi.waitFor(() => expect(onUpdated).toHaveBeenCalled());
    expect(server.to('PATCH', `/posts/${mine.id}`)[1]!.body).toEqual({ audience: 'tags', tag_ids: [FAMILY.id] });
    const change = onUpdated.mock.calls[0]![0] as (p: Post) => Post;
    expect(change(mine)).toEqual(updated);
    // Done: the form closes and focus goes back to where it was opened.
    expect(screen.queryByRole('form', { name: 'Change who can see this post' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Change audience' }));
  });

  it('Escape backs out of the audience editor without saving', async () => {
    const mine = post({ author: ME, created_at: '2025-03-01T12:00:00Z' });
    const { user, server } = renderOwn(mine, {});
    await user.click(screen.getByRole('button', { name: 'Change audience' }));
    await user.click(screen.getByRole('radio', { name: 'Only me' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'Change who can see this post' })).toBeNull();
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('shows who can see it now, with the count', async () => {
    const mine = post({ author: ME, created_at: '2025-03-01T12:00:00Z' });
    const { user } = renderOwn(mine, {
      [`GET /posts/${mine.id}/audience`]: json(200, { users: [BOB, { id: 'u-c', username: 'carol', display_name: null }], count: 2 }),
    });
    const button = screen.getByRole('button', { name: 'Who can see this' });
    await user.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(await screen.findByText('2 people can see this post now:')).toBeTruthy();
    const list = screen.getByRole('list', { name: 'Who can see this' });
    expect(within(list).getAllByRole('link').map((a) => a.textContent)).toEqual(['@bob', '@carol']);
  });

  it('says when only the author can see it, and offers none of this on others’ posts', async () => {
    const mine = post({ author: ME, created_at: '2025-03-01T12:00:00Z', audience: 'private' });
    const { user, view } = renderOwn(mine, {
      [`GET /posts/${mine.id}/audience`]: json(200, { users: [], count: 0 }),
    });
    await user.click(screen.getByRole('button', { name: 'Who can see this' }));
    expect(await screen.findByText('Only you can see this post now.')).toBeTruthy();
    view.unmount();

    renderOwn(post({ created_at: '2025-03-01T12:00:00Z' }), {});
    expect(screen.queryByRole('button', { name: 'Change audience' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Who can see this' })).toBeNull();
  });
});
