import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, json, noContent } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';

describe('Forgot password screen', () => {
  it('sends a code, shows a weak-password rejection at the field, then returns to sign-in', async () => {
    const { user, server } = await renderApp('/forgot-password', {
      'POST /auth/refresh': apiError(401, 'invalid_refresh_token', 'No session.'),
      'POST /auth/password-reset': json(202, { message: 'If the account exists, a code was sent.' }),
      'POST /auth/password-reset/confirm': [
        apiError(400, 'weak_password', 'This password is too easy to guess.'),
        noContent(),
      ],
    });

    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.click(screen.getByRole('button', { name: 'Send code' }));
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeTruthy();
    expect(server.to('POST', '/auth/password-reset')[0]!.body).toEqual({ email: 'alice@example.com' });

    await user.type(screen.getByLabelText('Code from the email'), '654321');
    const password = screen.getByLabelText('New password');
    await user.type(password, 'password1234');
    expect(screen.getByText('Strength: Too weak.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('This password is too easy to guess.');
    expect(password.getAttribute('aria-describedby')).toContain(alert.id);

    await user.clear(password);
    await user.type(password, 'quiet harbour 7 lanterns');
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(currentUrl()).toBe('/sign-in');
    expect(screen.getByRole('status').textContent).toMatch(/password has been changed/);
    expect(screen.getByLabelText<HTMLInputElement>('Username or email').value).toBe('alice@example.com');
    expect(server.to('POST', '/auth/password-reset/confirm')[1]!.body).toEqual({
      email: 'alice@example.com',
      code: '654321',
      new_password: 'quiet harbour 7 lanterns',
    });
  });
});
