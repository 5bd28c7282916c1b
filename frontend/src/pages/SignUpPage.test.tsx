import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { USER, apiError, json, session, type fakeApi } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';

const noSession = apiError(401, 'invalid_refresh_token', 'No session.');

function routes(overrides: Parameters<typeof fakeApi>[0] = {}) {
  return {
    'POST /auth/refresh': noSession,
    'POST /auth/otp': json(202, { message: 'Code sent.' }),
    'POST /auth/register': json(201, session('tok-1')),
    'GET /auth/me': json(200, USER),
    ...overrides,
  };
}

describe('Sign-up screen', () => {
  it('walks email → the code with the message → signed in on the feed', async () => {
    const { user, server } = await renderApp('/sign-up', routes({
      'POST /auth/register': [
        apiError(400, 'invalid_code', 'That code is wrong or has expired.'),
        json(201, session('tok-1')),
      ],
    }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Create an account');

    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.click(screen.getByRole('button', { name: 'Send code' }));

    expect(await screen.findByRole('heading', { name: 'Check your email' })).toBeTruthy();
    expect(screen.getByText('alice@example.com')).toBeTruthy();
    expect(server.to('POST', '/auth/otp')[0]!.body).toEqual({ email: 'alice@example.com' });
    // Resend is on a cooldown right after sending.
    const resend = screen.getByRole('button', { name: /Resend code in \d+ s/ });
    expect(resend.getAttribute('aria-disabled')).toBe('true');

    // The code field is right there with the message: no extra step to reach it.
    expect(screen.queryByRole('button', { name: 'I have the code' })).toBeNull();
    const code = screen.getByLabelText<HTMLInputElement>('Code from the email');

    const username = screen.getByLabelText<HTMLInputElement>('Username');
    await user.type(username, 'Alice_W');
    expect(username.value).toBe('alice_w');

    await user.type(screen.getByLabelText('Password'), 'tidy otter lamp river');
    expect(screen.getByText('Strength: Strong.')).toBeTruthy();

    await user.type(code, '111111');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    // The server's message appears next to the code field and is announced.
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That code is wrong or has expired.');
    expect(code.getAttribute('aria-invalid')).toBe('true');
    expect(code.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(code);

    await user.clear(code);
    await user.type(code, '123456');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { name: 'Feed' })).toBeTruthy();
    expect(currentUrl()).toBe('/feed');
    expect(server.to('POST', '/auth/register')[1]!.body).toEqual({
      email: 'alice@example.com',
      username: 'alice_w',
      password: 'tidy otter lamp river',
      code: '123456',
    });
    // The feed is fetched with the token from registration (no refresh needed).
    await screen.findByText(/Nothing here yet/);
    expect(server.to('GET', '/feed')[0]!.headers.get('Authorization')).toBe('Bearer tok-1');
    expect(server.to('POST', '/auth/refresh')).toHaveLength(1);
  });

  it('validates on the client before asking the server', async () => {
    const { user, server } = await renderApp('/sign-up', routes());

    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.click(screen.getByRole('button', { name: 'Send code' }));

    expect((await screen.findByRole('alert')).textContent).toMatch(/email address like/);
    expect(document.activeElement).toBe(screen.getByLabelText('Email'));
    expect(server.to('POST', '/auth/otp')).toHaveLength(0);
  });

  it('shows a rate limit with the time to wait', async () => {
    const { user } = await renderApp('/sign-up', routes({
      'POST /auth/otp': apiError(429, 'rate_limited', 'Too many codes requested', { 'Retry-After': '42' }),
    }));

    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.click(screen.getByRole('button', { name: 'Send code' }));

    const form = screen.getByRole('button', { name: 'Send code' }).closest('form')!;
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Too many codes requested. Try again in 42 s.',
    );
  });

  it('can go back and use a different email', async () => {
    const { user } = await renderApp('/sign-up', routes());
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.click(screen.getByRole('button', { name: 'Send code' }));
    await screen.findByRole('heading', { name: 'Check your email' });

    await user.click(screen.getByRole('button', { name: 'Use a different email' }));

    expect(await screen.findByRole('heading', { name: 'Create an account' })).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Email').value).toBe('alice@example.com');
  });
});

describe('Joining through an invitation (/join?invitation=…)', () => {
  /** From the email step to the details, filled in. */
  async function toDetails({ user }: Pick<Awaited<ReturnType<typeof renderApp>>, 'user'>) {
    await user.type(screen.getByLabelText('Email'), 'dan@example.com');
    await user.click(screen.getByRole('button', { name: 'Send code' }));
    await screen.findByRole('heading', { name: 'Check your email' });
    await user.type(screen.getByLabelText('Code from the email'), '123456');
    await user.type(screen.getByLabelText('Username'), 'dan');
    await user.type(screen.getByLabelText('Password'), 'tidy otter lamp river');
  }

  it('shows the sign-up flow as “You were invited”, carries the token and lands on Connections', async () => {
    const app = await renderApp('/join?invitation=tok%2Ben', routes());
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('You were invited');
    // The title is set in an effect, which may run after the heading shows.
    await waitFor(() => expect(document.title).toBe('You were invited · Intentional Social'));
    expect(screen.getByText(/Someone you know invited you/)).toBeTruthy();

    await toDetails(app);
    await app.user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Connections' })).toBeTruthy();
    expect(currentUrl()).toBe('/connections');
    expect(app.server.to('POST', '/auth/register')[0]!.body).toEqual({
      email: 'dan@example.com',
      username: 'dan',
      password: 'tidy otter lamp river',
      code: '123456',
      invitation: 'tok+en',
    });
  });

  it('when the invitation is no longer valid, says why and signs up without it on request', async () => {
    const app = await renderApp('/join?invitation=old', routes({
      'POST /auth/register': [
        apiError(400, 'invitation_not_valid', 'This invitation has expired or was cancelled.'),
        json(201, session('tok-1')),
      ],
    }));
    await toDetails(app);
    await app.user.click(screen.getByRole('button', { name: 'Create account' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^This invitation has expired or was cancelled\.You can still create your account without it/);
    expect(screen.queryByRole('button', { name: 'Create account' })).toBeNull();
    await app.user.click(screen.getByRole('button', { name: 'Sign up without the invitation' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Feed' })).toBeTruthy();
    const [first, second] = app.server.to('POST', '/auth/register');
    expect(first!.body).toMatchObject({ invitation: 'old', code: '123456' });
    expect(second!.body).toEqual({
      email: 'dan@example.com',
      username: 'dan',
      password: 'tidy otter lamp river',
      code: '123456',
    });
  });

  it('without a token it is the plain sign-up', async () => {
    const { server, user } = await renderApp('/join', routes());
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Create an account');
    await toDetails({ user });
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Feed' })).toBeTruthy();
    expect(server.to('POST', '/auth/register')[0]!.body).not.toHaveProperty('invitation');
  });
});
