import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { apiError, json } from '../test/fakeApi';
import { ME, connection, renderSocial, tag } from '../test/renderSocial';
import { Composer } from './Composer';

const FAMILY = tag('t-fam', 'Family', 'family');
const WORK = tag('t-work', 'Work', 'work');

function routes(overrides: Parameters<typeof renderSocial>[1] = {}) {
  return {
    'GET /tags': json(200, { tags: [FAMILY, WORK] }),
    'GET /connections': json(200, {
      connections: [connection('u1', 'bob', [FAMILY.id]), connection('u2', 'carol', [WORK.id]), connection('u3', 'dan')],
      count: 3,
      limit: 100,
    }),
    ...overrides,
  };
}

const created = (body: Record<string, unknown>) =>
  json(201, {
    id: 'p-new',
    author: ME,
    content: body.content,
    audience: body.audience,
    tag_ids: body.tag_ids,
    created_at: '2025-03-01T12:00:00Z',
    edited_at: null,
  });

const postButton = () => screen.getByRole('button', { name: 'Post' });
const textbox = () => screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'What would you like to share?' });
/** Typing 5,000 characters key by key is slow: paste-like change instead. */
const setText = (value: string) => fireEvent.change(textbox(), { target: { value } });

describe('Composer', () => {
  it('counts characters to 5,000 (code points, trimmed), and the counter describes the field', async () => {
    const { user } = renderSocial(<Composer onPosted={vi.fn()} />, routes());
    const counter = screen.getByText(/\/ 5,000/);
    expect(counter.textContent).toMatch(/^0 \/ 5,000/);
    expect(textbox().getAttribute('aria-describedby')).toContain(counter.id);

    await user.type(textbox(), '  hi 🙂 ');
    expect(counter.textContent).toMatch(/^4 \/ 5,000/);

    setText('x'.repeat(4950));
    expect(counter.textContent).toMatch(/^4,950 \/ 5,000/);
    expect(screen.getByText('Fewer than 100 characters left.')).toBeTruthy();
  });

  it('is disabled when empty, over the limit, or tags are wanted but none chosen', async () => {
    const { user, server } = renderSocial(<Composer onPosted={vi.fn()} />, routes());
    await screen.findByText('Visible to all 3 of your connections.');

    expect(postButton().getAttribute('aria-disabled')).toBe('true');
    await user.click(postButton());
    setText('   \n  ');
    expect(postButton().getAttribute('aria-disabled')).toBe('true');

    setText('x'.repeat(5001));
    expect(postButton().getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText(/1 too many/)).toBeTruthy();
    expect(textbox().getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Over the 5,000 character limit.')).toBeTruthy();
    expect(screen.getByText('Shorten the post to post it.')).toBeTruthy();
    await user.click(postButton());

    setText('x'.repeat(5000));
    expect(postButton().getAttribute('aria-disabled')).toBeNull();

    await user.click(screen.getByRole('radio', { name: 'People with chosen tags' }));
    expect(postButton().getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText('Choose at least one tag to post.')).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: 'Work' }));
    expect(postButton().getAttribute('aria-disabled')).toBeNull();
    expect(screen.getByText('Visible to 1 person tagged Work.')).toBeTruthy();

    expect(server.to('POST', '/posts')).toHaveLength(0);
  });

  it('posts to the chosen audience, clears the text and hands the post over', async () => {
    const onPosted = vi.fn();
    const { user, server } = renderSocial(
      <Composer onPosted={onPosted} />,
      routes({ 'POST /posts': (r) => created(r.body as Record<string, unknown>) }),
    );
    await screen.findByText('Visible to all 3 of your connections.');

    await user.type(textbox(), '  Dinner on Sunday?  ');
    await user.click(screen.getByRole('radio', { name: 'People with chosen tags' }));
    await user.click(screen.getByRole('checkbox', { name: 'Family' }));
    await user.click(screen.getByRole('checkbox', { name: 'Work' }));
    await user.click(postButton());

    expect(await screen.findByText('Posted.')).toBeTruthy();
    expect(server.to('POST', '/posts')[0]!.body).toEqual({
      content: 'Dinner on Sunday?',
      audience: 'tags',
      tag_ids: [FAMILY.id, WORK.id],
    });
    expect(onPosted).toHaveBeenCalledWith(expect.objectContaining({ id: 'p-new', audience: 'tags' }));
    expect(textbox().value).toBe('');
    expect(document.activeElement).toBe(textbox());

    // The audience choice stays for the next post; other audiences send no tags.
    await user.click(screen.getByRole('radio', { name: 'Only me' }));
    await user.type(textbox(), 'Note to self');
    await user.click(postButton());
    await vi.waitFor(() => expect(server.to('POST', '/posts')).toHaveLength(2));
    expect(server.to('POST', '/posts')[1]!.body).toEqual({ content: 'Note to self', audience: 'private', tag_ids: [] });
  });

  it('shows the server’s message next to the control that caused it, and keeps the text', async () => {
    const { user } = renderSocial(
      <Composer onPosted={vi.fn()} />,
      routes({
        'POST /posts': [
          apiError(400, 'invalid_content', 'Posts cannot contain control characters.'),
          apiError(404, 'tag_not_found', 'One of those tags no longer exists.'),
          apiError(429, 'rate_limited', 'You are posting quickly.', { 'Retry-After': '30' }),
        ],
      }),
    );
    await screen.findByText('Visible to all 3 of your connections.');
    await user.type(textbox(), 'Hello');

    await user.click(postButton());
    const contentError = await screen.findByRole('alert');
    expect(contentError.textContent).toBe('Posts cannot contain control characters.');
    expect(textbox().getAttribute('aria-describedby')).toContain(contentError.id);
    expect(textbox().value).toBe('Hello');

    await user.click(screen.getByRole('radio', { name: 'People with chosen tags' }));
    await user.click(screen.getByRole('checkbox', { name: 'Family' }));
    await user.click(postButton());
    const tagError = await screen.findByText('One of those tags no longer exists.');
    expect(tagError.closest('fieldset')?.querySelector('legend')?.textContent).toBe('Who can see this?');

    await user.click(postButton());
    expect((await screen.findByText(/You are posting quickly/)).textContent).toBe(
      'You are posting quickly. Try again in 30 s.',
    );
  });

  it('says "Posting…" and ignores further clicks while the post is on its way', async () => {
    let release: () => void = () => {};
    const { user, server } = renderSocial(
      <Composer onPosted={vi.fn()} />,
      routes({
        'POST /posts': (r) =>
          new Promise((resolve) => {
            release = () => resolve(created(r.body as Record<string, unknown>));
          }),
      }),
    );
    await screen.findByText('Visible to all 3 of your connections.');
    await user.type(textbox(), 'Once');
    await user.click(postButton());

    const busy = await screen.findByRole('button', { name: 'Posting…' });
    expect(busy.getAttribute('aria-busy')).toBe('true');
    await user.click(busy);
    expect(server.to('POST', '/posts')).toHaveLength(1);
    release();
    expect(await screen.findByText('Posted.')).toBeTruthy();
  });
});
