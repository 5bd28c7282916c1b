import { screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { Post } from '../api/types';
import { apiError, json } from '../test/fakeApi';
import { BOB, post, renderSocial } from '../test/renderSocial';
import { Reactions } from './Reactions';

/** Holds the post as a list would, so the component's changes show. */
function Harness({ initial }: { initial: Post }) {
  const [p, setP] = useState(initial);
  return <Reactions post={p} onChange={(change) => setP(change)} />;
}

const bar = () => screen.getByRole('group', { name: 'Reactions' });

describe('Reactions', () => {
  it('shows six named emoji buttons with the counts, and one’s own as pressed', () => {
    renderSocial(<Harness initial={post({ created_at: '2025-03-01T12:00:00Z', reactions: { counts: { heart: 3, wow: 1 }, mine: 'wow' } })} />);
    const toggles = within(bar()).getAllByRole('button').filter((b) => b.hasAttribute('aria-pressed'));
    const names = toggles.map((b) => b.getAttribute('aria-label'));
    expect(names).toEqual(['heart, 3', 'thumbs up', 'laugh', 'wow, 1', 'sad', 'thanks']);
    expect(screen.getByRole('button', { name: 'wow, 1' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'heart, 3' }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByRole('button', { name: 'heart, 3' }).textContent).toBe('❤️3');
  });

  it('reacts with one tap at once, then takes what the server says; tapping again takes it back', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', reactions: { counts: { heart: 1 }, mine: null } });
    let answer: (r: Response) => void = () => undefined;
    const { user, server } = renderSocial(<Harness initial={p} />, {
      [`PUT /posts/${p.id}/reaction`]: () => new Promise<Response>((resolve) => (answer = resolve)),
      [`DELETE /posts/${p.id}/reaction`]: json(200, { reactions: { counts: { heart: 4 }, mine: null } }),
    });

    await user.click(screen.getByRole('button', { name: 'heart, 1' }));
    // Before the server answers, the tap already shows.
    expect(screen.getByRole('button', { name: 'heart, 2' }).getAttribute('aria-pressed')).toBe('true');
    expect(server.to('PUT', `/posts/${p.id}/reaction`)[0]!.body).toEqual({ kind: 'heart' });

    answer(json(200, { reactions: { counts: { heart: 5 }, mine: 'heart' } }));
    const mine = await screen.findByRole('button', { name: 'heart, 5' });
    expect(mine.getAttribute('aria-pressed')).toBe('true');

    await user.click(mine);
    expect((await screen.findByRole('button', { name: 'heart, 4' })).getAttribute('aria-pressed')).toBe('false');
    expect(server.to('DELETE', `/posts/${p.id}/reaction`)).toHaveLength(1);
  });

  it('rolls back and says why when the server refuses', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', reactions: { counts: { heart: 1 }, mine: 'heart' } });
    const { user } = renderSocial(<Harness initial={p} />, {
      [`PUT /posts/${p.id}/reaction`]: apiError(404, 'post_not_found', 'That post is no longer there.'),
    });
    await user.click(screen.getByRole('button', { name: 'thanks' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That post is no longer there.');
    expect(screen.getByRole('button', { name: 'heart, 1' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'thanks' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('lists who reacted on demand, with more pages', async () => {
    const p = post({ created_at: '2025-03-01T12:00:00Z', reactions: { counts: { heart: 1, laugh: 1 }, mine: null } });
    const { user, server } = renderSocial(<Harness initial={p} />, {
      [`GET /posts/${p.id}/reactions`]: (r) =>
        r.search.get('cursor') === 'more'
          ? json(200, { reactions: [{ user: { id: 'u-c', username: 'carol', display_name: null }, kind: 'laugh', created_at: 'x' }], next_cursor: null })
          : json(200, { reactions: [{ user: BOB, kind: 'heart', created_at: 'x' }], next_cursor: 'more' }),
    });
    expect(server.requests).toHaveLength(0);
    const who = screen.getByRole('button', { name: 'Who reacted' });
    await user.click(who);
    expect(who.getAttribute('aria-expanded')).toBe('true');
    const list = await screen.findByRole('list', { name: 'Who reacted' });
    expect(list.textContent).toBe('❤️ @bob, heart');
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByRole('link', { name: '@carol' });
    expect(list.textContent).toContain('😂 @carol, laugh');
  });

  it('offers no “Who reacted” when nobody has', () => {
    renderSocial(<Harness initial={post({ created_at: '2025-03-01T12:00:00Z' })} />);
    expect(screen.queryByRole('button', { name: 'Who reacted' })).toBeNull();
  });
});
