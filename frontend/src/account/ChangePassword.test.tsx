import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { USER, apiError, json, noContent, session, type fakeApi } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';

function routes(overrides: Parameters<typeof fakeApi>[0] = {}) {
  return {
    'POST /auth/refresh': json(200, session('tok-1')),
    'GET /auth/me': json(200, USER),
    'POST /auth/password': noContent(),
    ...overrides,
  };
}

async function openSection(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const app = await renderApp('/account', routes(overrides));
  const section = await screen.findByRole('region', { name: 'Change password' });
  const ui = within(section);
  return {
    ...app,
    section: ui,
    current: ui.getByLabelText<HTMLInputElement>('Current password'),
    next: ui.getByLabelText<HTMLInputElement>('New password'),
    submit: ui.getByRole('button', { name: 'Change password' }),
  };
}

describe('Change password on the Account screen', () => {
  it('checks both fields before asking the server', async () => {
    const { user, server, section, current, next, submit } = await openSection();

    await user.click(submit);

    expect(section.getByText('Enter your current password.')).toBeTruthy();
    expect(current.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(current);
    await user.type(next, 'short');
    await user.click(submit);
    expect(section.getByText('Use at least 10 characters.')).toBeTruthy();
    expect(server.to('POST', '/auth/password')).toHaveLength(0);
  });

  it('puts a wrong current password and a weak new one beside their fields, then says the other devices were signed out', async () => {
    const { user, server, section, current, next, submit } = await openSection({
      'POST /auth/password': [
        apiError(400, 'wrong_password', 'Your current password is not right.'),
        apiError(400, 'weak_password', 'This password is too easy to guess.'),
        noContent(),
      ],
    });

    await user.type(current, 'not my password');
    await user.type(next, 'password1234');
    // The strength meter of sign-up, with the account's name and address as things to avoid.
    expect(section.getByText('Strength: Too weak.')).toBeTruthy();
    await user.click(submit);

    let alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('Your current password is not right.');
    expect(current.getAttribute('aria-describedby')).toContain(alert.id);
    expect(next.getAttribute('aria-invalid')).toBeNull();
    expect(document.activeElement).toBe(current);

    await user.clear(current);
    await user.type(current, 'old harbour 7 lanterns');
    expect(section.queryByRole('alert')).toBeNull();
    await user.click(submit);

    alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('This password is too easy to guess.');
    expect(next.getAttribute('aria-describedby')).toContain(alert.id);
    expect(current.getAttribute('aria-invalid')).toBeNull();

    await user.clear(next);
    await user.type(next, 'quiet harbour 7 lanterns');
    await user.click(submit);

    expect((await section.findByRole('status')).textContent).toBe(
      'Your password has been changed. Your other devices were signed out; this one stays signed in.',
    );
    expect(current.value).toBe('');
    expect(next.value).toBe('');
    expect(server.to('POST', '/auth/password')[2]!.body).toEqual({
      current_password: 'old harbour 7 lanterns',
      new_password: 'quiet harbour 7 lanterns',
    });
    expect(server.to('POST', '/auth/password')[2]!.headers.get('Authorization')).toBe('Bearer tok-1');
    // Still signed in, still here.
    expect(currentUrl()).toBe('/account');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Your account');
  });

  it('shows a rate limit on the form with the time to wait', async () => {
    const { user, section, current, next, submit } = await openSection({
      'POST /auth/password': apiError(429, 'rate_limited', 'Too many attempts', { 'Retry-After': '120' }),
    });

    await user.type(current, 'old harbour 7 lanterns');
    await user.type(next, 'quiet harbour 7 lanterns');
    await user.click(submit);

    expect((await section.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 2 min.');
    expect(current.getAttribute('aria-invalid')).toBeNull();
    expect(next.getAttribute('aria-invalid')).toBeNull();
    expect(section.queryByRole('status')).toBeNull();
  });
});
