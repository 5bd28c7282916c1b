import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { USER, apiError, json, noContent, session } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';

const noSession = apiError(401, 'invalid_refresh_token', 'No session.');

describe('Sign-in and session handling', () => {
  it('sends a signed-out visitor of /account to sign in, then back', async () => {
    const { user, server } = await renderApp('/account', {
      'POST /auth/refresh': noSession,
      'POST /auth/login': [
        apiError(401, 'invalid_credentials', 'Wrong username, email or password.'),
        json(200, session('tok-1')),
      ],
      'GET /auth/me': json(200, USER),
    });

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in');
    expect(currentUrl()).toBe('/sign-in?next=%2Faccount');
    expect(server.to('POST', '/auth/refresh')).toHaveLength(1);

    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username, email or password.');

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'right password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Your account' })).toBeTruthy();
    expect(currentUrl()).toBe('/account');
    expect(screen.getByText('alice@example.com', { selector: '.details dd' })).toBeTruthy();
    expect(server.to('POST', '/auth/login')[1]!.body).toEqual({ login: 'alice', password: 'right password' });
  });

  it('restores the session on load with a single refresh', async () => {
    const { server } = await renderApp('/account', {
      'POST /auth/refresh': json(200, session('tok-restored')),
      'GET /auth/me': json(200, USER),
    });

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Your account');
    await screen.findByText('alice');
    expect(server.to('POST', '/auth/refresh')).toHaveLength(1);
    expect(server.to('GET', '/auth/me')[0]!.headers.get('Authorization')).toBe('Bearer tok-restored');
  });

  it('returns to sign-in, remembering the page, when the session cannot be renewed', async () => {
    await renderApp('/account', {
      'POST /auth/refresh': [json(200, session('tok-1')), apiError(401, 'invalid_refresh_token', 'Revoked.')],
      'GET /auth/me': apiError(401, 'invalid_token', 'Expired.'),
    });

    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in');
    expect(currentUrl()).toBe('/sign-in?next=%2Faccount');
  });

  it('signs out and says so', async () => {
    const { user, server } = await renderApp('/account', {
      'POST /auth/refresh': json(200, session('tok-1')),
      'GET /auth/me': json(200, USER),
      'POST /auth/logout': noContent(),
    });

    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByText('You have signed out.')).toBeTruthy();
    expect(currentUrl()).toBe('/sign-in');
    expect(server.to('POST', '/auth/logout')).toHaveLength(1);
  });

  it('shows why "sign out everywhere" failed next to the buttons, staying signed in', async () => {
    const { user } = await renderApp('/account', {
      'POST /auth/refresh': json(200, session('tok-1')),
      'GET /auth/me': json(200, USER),
      'POST /auth/logout-all': new TypeError('Failed to fetch'),
    });

    await user.click(screen.getByRole('button', { name: 'Sign out everywhere' }));

    expect((await screen.findByRole('alert')).textContent).toMatch(/Couldn't reach Intentional Social/);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Your account');
  });

  it('sends a signed-in visitor of the sign-in page to the feed', async () => {
    await renderApp('/sign-in', {
      'POST /auth/refresh': json(200, session('tok-1')),
      'GET /auth/me': json(200, USER),
    });
    expect(await screen.findByRole('heading', { name: 'Feed' })).toBeTruthy();
    expect(currentUrl()).toBe('/feed');
  });
});
