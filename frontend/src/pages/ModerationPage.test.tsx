import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ModerationReport, User } from '../api/types';
import { USER, apiError, json, noContent, session } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { BOB } from '../test/renderSocial';

const OPERATOR: User = { ...USER, operator: true };
const asOperator = {
  'POST /auth/refresh': json(200, session('tok-1', OPERATOR)),
  'GET /auth/me': json(200, OPERATOR),
};
const CAROL = { id: 'u-carol', username: 'carol', display_name: 'Carol Vey' };

function report(overrides: Partial<ModerationReport> = {}): ModerationReport {
  return {
    id: 'r-1',
    status: 'open',
    reason: 'harassment',
    note: 'Keeps mocking my sister.',
    created_at: '2025-03-01T12:00:00Z',
    reporter: CAROL,
    target: { type: 'post', id: 'p-1', post_id: null },
    subject: BOB,
    subject_suspended: false,
    content: { text: 'You are all fools.', created_at: '2025-03-01T11:00:00Z' },
    closed_at: null,
    resolution: null,
    closing_note: null,
    ...overrides,
  };
}

const page = (reports: ModerationReport[], next_cursor: string | null = null) => json(200, { reports, next_cursor });

describe('The moderation desk is for operators only', () => {
  it('is “Page not found” for everyone else, with no navigation entry and nothing asked', async () => {
    const { server } = await renderApp('/moderation', {
      'POST /auth/refresh': json(200, session('tok-1')),
      'GET /auth/me': json(200, USER),
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Page not found');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Moderation' })).toBeNull();
    expect(server.to('GET', '/moderation/reports')).toHaveLength(0);
  });

  it('is in the navigation for an operator (the top bar and the tab bar’s More)', async () => {
    const { user } = await renderApp('/feed', { ...asOperator, 'GET /moderation/reports': page([]) });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Moderation' }).getAttribute('href')).toBe('/moderation');
    const tabs = screen.getByRole('navigation', { name: 'Tab bar' });
    await user.click(within(tabs).getByRole('button', { name: 'More' }));
    expect(within(tabs).getByRole('link', { name: 'Moderation' })).toBeTruthy();

    await user.click(within(nav).getByRole('link', { name: 'Moderation' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Moderation' })).toBeTruthy();
    expect(await screen.findByText('No open reports. Nothing is waiting.')).toBeTruthy();
  });
});

describe('The moderation desk', () => {
  it('shows each open report: why, what, about whom, who sent it, when, the note and the content now', async () => {
    const { server } = await renderApp('/moderation', {
      ...asOperator,
      'GET /moderation/reports': page(
        [
          report(),
          report({
            id: 'r-2',
            reason: 'impersonation',
            note: null,
            reporter: null,
            target: { type: 'user', id: 'u-bob', post_id: null },
            content: { text: null, created_at: '2025-01-01T00:00:00Z' },
            subject_suspended: true,
          }),
          report({ id: 'r-3', reason: 'spam', target: { type: 'comment', id: 'c-1', post_id: 'p-9' }, content: null, subject: null }),
        ],
        'n1',
      ),
    });
    const list = await screen.findByRole('list', { name: 'Open reports' });
    expect(server.to('GET', '/moderation/reports')[0]!.search.get('status')).toBe('open');
    const cards = within(list).getAllByRole('article');
    expect(cards.map((c) => within(c).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'Harassment or bullying · Post',
      'Impersonation · Person',
      'Spam · Comment',
    ]);

    const first = cards[0]!;
    const facts = Array.from(first.querySelectorAll('dt')).map((dt) => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`);
    expect(facts[0]).toBe('About: @bob');
    expect(facts[1]).toBe('Reported by: Carol Vey @carol');
    expect(facts[2]).toMatch(/^When: /);
    expect(first.querySelector('time')!.getAttribute('datetime')).toBe('2025-03-01T12:00:00Z');
    expect(facts[3]).toBe('Their note: Keeps mocking my sister.');
    expect(within(first).getByText('The post now')).toBeTruthy();
    expect(first.querySelector('blockquote')!.textContent).toBe('You are all fools.');
    expect(within(first).getByRole('button', { name: 'Dismiss the report about @bob' })).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Remove the post by @bob' })).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Suspend @bob' })).toBeTruthy();

    const person = cards[1]!;
    expect(within(person).getByText('Suspended')).toBeTruthy();
    expect(within(person).getByText('Their bio now')).toBeTruthy();
    expect(within(person).getByText('No bio.')).toBeTruthy();
    expect(within(person).getByText('No note')).toBeTruthy();
    expect(within(person).getByText('An account that is gone')).toBeTruthy();
    expect(within(person).queryByRole('button', { name: /Remove/ })).toBeNull();
    expect(within(person).queryByRole('button', { name: 'Suspend @bob' })).toBeNull();
    expect(within(person).getByRole('button', { name: 'Unsuspend @bob' })).toBeTruthy();

    const gone = cards[2]!;
    expect(within(gone).getByText('Gone: deleted, or no longer there.')).toBeTruthy();
    expect(within(gone).queryByRole('button', { name: /Remove/ })).toBeNull();
    expect(within(gone).queryByRole('button', { name: /Suspend/ })).toBeNull();
    expect(within(gone).getByRole('button', { name: 'Dismiss the report about the account' })).toBeTruthy();

    expect(screen.getByRole('button', { name: 'Load more' })).toBeTruthy();
  });

  it('shows closed reports newest first with how they were closed, and no actions but Unsuspend', async () => {
    const { user, server } = await renderApp('/moderation', {
      ...asOperator,
      'GET /moderation/reports': (r) =>
        r.search.get('status') === 'closed'
          ? page([
              report({
                id: 'r-9',
                status: 'closed',
                content: null,
                closed_at: '2025-03-02T09:00:00Z',
                resolution: 'removed',
                closing_note: 'Insults, removed.',
              }),
              report({
                id: 'r-8',
                status: 'closed',
                reason: 'other',
                closed_at: '2025-03-02T08:00:00Z',
                resolution: 'suspended',
                subject_suspended: true,
              }),
            ])
          : page([]),
    });
    await screen.findByText('No open reports. Nothing is waiting.');
    await user.click(screen.getByRole('radio', { name: 'Closed' }));

    const list = await screen.findByRole('list', { name: 'Closed reports' });
    // (StrictMode runs the first load twice.)
    expect(new Set(server.to('GET', '/moderation/reports').map((r) => r.search.get('status')))).toEqual(
      new Set(['open', 'closed']),
    );
    expect(server.to('GET', '/moderation/reports').at(-1)!.search.get('status')).toBe('closed');
    const [removed, suspended] = within(list).getAllByRole('article');
    expect(removed!.querySelector('.report-card__closed')!.textContent).toMatch(/^The post was removed .+\.Insults, removed\.$/);
    expect(within(removed!).getByText('Removed')).toBeTruthy();
    expect(within(removed!).queryByRole('button')).toBeNull();
    expect(within(suspended!).getByRole('heading', { level: 3 }).textContent).toBe('Something else · Post');
    expect(suspended!.querySelector('.report-card__closed')!.textContent).toMatch(/^The account was suspended /);
    expect(within(suspended!).getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Unsuspend @bob']);
  });

  it('dismisses with an optional note, then loads the list again', async () => {
    let open = [report()];
    const { user, server } = await renderApp('/moderation', {
      ...asOperator,
      'GET /moderation/reports': () => page(open),
      'POST /moderation/reports/r-1/dismiss': () => {
        open = [];
        return noContent();
      },
    });
    await screen.findByRole('list', { name: 'Open reports' });
    const loads = server.to('GET', '/moderation/reports').length;
    await user.click(screen.getByRole('button', { name: 'Dismiss the report about @bob' }));
    const confirm = screen.getByRole('group', { name: /^Dismiss this report\?/ });
    expect(within(confirm).getByText(/Nothing changes for @bob; the report moves to Closed\./)).toBeTruthy();
    await user.type(within(confirm).getByRole('textbox', { name: 'Note for the record (optional)' }), 'A joke between friends.');
    await user.click(within(confirm).getByRole('button', { name: 'Dismiss report' }));

    expect(await screen.findByText('No open reports. Nothing is waiting.')).toBeTruthy();
    expect(server.to('POST', '/moderation/reports/r-1/dismiss')[0]!.body).toEqual({ note: 'A joke between friends.' });
    expect(server.to('GET', '/moderation/reports')).toHaveLength(loads + 1);
    expect(screen.getByText('The report was dismissed.').closest('[role="status"]')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Open reports' }));
  });

  it('removes a post or a comment only with a reason (1–500 characters), after asking', async () => {
    const { user, server } = await renderApp('/moderation', {
      ...asOperator,
      'GET /moderation/reports': page([
        report(),
        report({ id: 'r-2', subject: CAROL, target: { type: 'comment', id: 'c-1', post_id: 'p-9' } }),
      ]),
      'DELETE /moderation/posts/p-1': noContent(),
      'DELETE /moderation/posts/p-9/comments/c-1': apiError(404, 'not_found', 'That comment is already gone.'),
    });
    await screen.findByRole('list', { name: 'Open reports' });

    await user.click(screen.getByRole('button', { name: 'Remove the post by @bob' }));
    const confirm = screen.getByRole('group', { name: /^Remove this post for everyone\?/ });
    expect(within(confirm).getByText(/@bob is emailed the reason you give\./)).toBeTruthy();
    await user.click(within(confirm).getByRole('button', { name: 'Remove post' }));
    const reason = within(confirm).getByRole('textbox', { name: 'Reason' });
    expect((await within(confirm).findByRole('alert')).textContent).toBe('Give a reason.');
    expect(document.activeElement).toBe(reason);
    expect(server.to('DELETE', '/moderation/posts/p-1')).toHaveLength(0);

    await user.click(reason);
    await user.paste('x'.repeat(501));
    await user.click(within(confirm).getByRole('button', { name: 'Remove post' }));
    expect((await within(confirm).findByRole('alert')).textContent).toBe('Use at most 500 characters.');

    await user.clear(reason);
    await user.type(reason, 'Insults against other members.');
    await user.click(within(confirm).getByRole('button', { name: 'Remove post' }));
    expect(await screen.findByText('The post was removed. @bob is emailed the reason.')).toBeTruthy();
    expect(server.to('DELETE', '/moderation/posts/p-1')[0]!.body).toEqual({ reason: 'Insults against other members.' });

    // A refusal stays beside the buttons, and the list stays as it was.
    const comment = await screen.findByRole('article', { name: /Comment$/ });
    await user.click(within(comment).getByRole('button', { name: 'Remove the comment by @carol' }));
    await user.type(within(comment).getByRole('textbox', { name: 'Reason' }), 'Threats.');
    await user.click(within(comment).getByRole('button', { name: 'Remove comment' }));
    await vi.waitFor(() => expect(within(comment).getByRole('alert').textContent).toBe('That comment is already gone.'));
    expect(server.to('DELETE', '/moderation/posts/p-9/comments/c-1')[0]!.body).toEqual({ reason: 'Threats.' });
  });

  it('suspends with a reason, and unsuspends', async () => {
    let suspended = false;
    const { user, server } = await renderApp('/moderation', {
      ...asOperator,
      'GET /moderation/reports': () => page([report({ subject_suspended: suspended })]),
      'POST /moderation/users/u-bob/suspend': () => {
        suspended = true;
        return noContent();
      },
      'POST /moderation/users/u-bob/unsuspend': () => {
        suspended = false;
        return noContent();
      },
    });
    await screen.findByRole('list', { name: 'Open reports' });
    await user.click(screen.getByRole('button', { name: 'Suspend @bob' }));
    const confirm = screen.getByRole('group', { name: /^Suspend @bob\?/ });
    await user.type(within(confirm).getByRole('textbox', { name: 'Reason' }), 'Threatened several members.');
    await user.click(within(confirm).getByRole('button', { name: 'Suspend @bob' }));

    expect(await screen.findByText('@bob is suspended.')).toBeTruthy();
    expect(server.to('POST', '/moderation/users/u-bob/suspend')[0]!.body).toEqual({ reason: 'Threatened several members.' });
    await user.click(await screen.findByRole('button', { name: 'Unsuspend @bob' }));
    expect(await screen.findByText('@bob is no longer suspended.')).toBeTruthy();
    expect(server.to('POST', '/moderation/users/u-bob/unsuspend')).toHaveLength(1);
    expect(await screen.findByRole('button', { name: 'Suspend @bob' })).toBeTruthy();
  });
});
