import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Invitation } from '../api/types';
import { USER, apiError, json, noContent, session } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const signedIn = {
  'POST /auth/refresh': json(200, session('tok-1')),
  'GET /auth/me': json(200, USER),
};
const SENT = 'If dan@example.com can be invited, we have sent an invitation.';

function invitation(id: string, email: string, status: Invitation['status']): Invitation {
  return { id, email, status, created_at: '2025-03-01T12:00:00Z', expires_at: '2025-03-15T12:00:00Z' };
}

async function openSection(routes: Parameters<typeof renderApp>[1]) {
  const app = await renderApp('/connections', { ...signedIn, ...routes });
  const region = await screen.findByRole('region', { name: 'Invite a friend' });
  return { ...app, region };
}

describe('Invite a friend, on the Connections screen', () => {
  it('says what the friend gets, and lists the invitations with how each stands', async () => {
    const { region } = await openSection({
      'GET /invitations': json(200, {
        invitations: [
          invitation('i-1', 'dan@example.com', 'pending'),
          invitation('i-2', 'eve@example.com', 'joined'),
          invitation('i-3', 'fay@example.com', 'cancelled'),
          invitation('i-4', 'gus@example.com', 'expired'),
        ],
      }),
    });
    expect(
      within(region).getByText(
        'Your friend gets one email from us with a link that works for 14 days. If they join through it, you are connected.',
      ),
    ).toBeTruthy();
    const list = await within(region).findByRole('list', { name: 'Your invitations' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('.badge')!.textContent)).toEqual(['Waiting', 'Joined', 'Cancelled', 'Expired']);
    expect(rows[0]!.textContent).toMatch(/^dan@example\.comWaiting sent .+, the link works until .+Cancel$/);
    // Only a pending one can be cancelled.
    expect(within(list).getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual([
      'Cancel the invitation to dan@example.com',
    ]);
  });

  it('says so when nobody was invited yet (also beside an empty connections list)', async () => {
    const { region } = await openSection({ 'GET /invitations': json(200, { invitations: [] }) });
    expect(await within(region).findByText('You haven’t invited anyone yet.')).toBeTruthy();
    expect(screen.getByText(/or\s+invite a friend below\./)).toBeTruthy();
  });

  it('checks the address first, then shows the server’s message whatever the address, and lists it', async () => {
    let sent = false;
    const { user, server, region } = await openSection({
      'GET /invitations': () =>
        json(200, { invitations: sent ? [invitation('i-1', 'dan@example.com', 'pending')] : [] }),
      'POST /invitations': () => {
        sent = true;
        return json(202, { message: SENT });
      },
    });
    await within(region).findByText('You haven’t invited anyone yet.');
    const field = within(region).getByRole('textbox', { name: 'Your friend’s email' });
    const send = within(region).getByRole('button', { name: 'Send invitation' });

    await user.click(send);
    expect((await within(region).findByRole('alert')).textContent).toBe('Enter your friend’s email address.');
    expect(document.activeElement).toBe(field);
    await user.type(field, 'dan@');
    await user.click(send);
    expect(within(region).getByRole('alert').textContent).toBe('Enter an email address like name@example.com.');
    expect(server.to('POST', '/invitations')).toHaveLength(0);

    await user.type(field, 'example.com ');
    await user.click(send);

    expect(await within(region).findByText(SENT)).toBeTruthy();
    expect(within(region).getByText(SENT).getAttribute('role')).toBe('status');
    expect(server.to('POST', '/invitations')[0]!.body).toEqual({ email: 'dan@example.com' });
    expect((field as HTMLInputElement).value).toBe('');
    expect(await within(region).findByText('dan@example.com')).toBeTruthy();
  });

  it('puts a refused address at the field, and the daily limit on the form in the server’s words', async () => {
    const { user, region } = await openSection({
      'GET /invitations': json(200, { invitations: [] }),
      'POST /invitations': [
        apiError(400, 'invalid_email', 'That email address is not valid.'),
        apiError(429, 'rate_limited', 'You have sent 10 invitations today. You can send more tomorrow.', {
          'Retry-After': '3600',
        }),
      ],
    });
    const field = within(region).getByRole('textbox', { name: 'Your friend’s email' });
    await user.type(field, 'dan@example.com');
    await user.click(within(region).getByRole('button', { name: 'Send invitation' }));
    const alert = await within(region).findByRole('alert');
    expect(alert.textContent).toBe('That email address is not valid.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toContain(alert.id);

    await user.click(within(region).getByRole('button', { name: 'Send invitation' }));
    expect(
      await within(region).findByText(
        'You have sent 10 invitations today. You can send more tomorrow. Try again in 60 min.',
      ),
    ).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBeNull();
  });

  it('cancels a pending invitation after asking', async () => {
    const { user, server, region } = await openSection({
      'GET /invitations': json(200, { invitations: [invitation('i-1', 'dan@example.com', 'pending')] }),
      'DELETE /invitations/i-1': noContent(),
    });
    await user.click(await within(region).findByRole('button', { name: 'Cancel the invitation to dan@example.com' }));
    const confirm = within(region).getByRole('group', { name: /^Cancel the invitation to dan@example\.com\?/ });
    expect(within(confirm).getByText(/The link in their email stops working\./)).toBeTruthy();
    expect(server.to('DELETE', '/invitations/i-1')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Cancel invitation' }));

    expect(await within(region).findByText('The invitation to dan@example.com is cancelled.')).toBeTruthy();
    expect(server.to('DELETE', '/invitations/i-1')).toHaveLength(1);
    expect(within(region).getByRole('listitem').querySelector('.badge')!.textContent).toBe('Cancelled');
    expect(within(region).queryByRole('button', { name: /Cancel the invitation/ })).toBeNull();
    expect(document.activeElement).toBe(within(region).getByRole('heading', { name: 'Invite a friend' }));
  });
});
