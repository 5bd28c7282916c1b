import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { SESSION_MARKER_KEY } from '../api/client';
import { navigate } from '../router/router';
import { USER, apiError, json, noContent, session, type fakeApi } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';

function routes(overrides: Parameters<typeof fakeApi>[0] = {}) {
  return {
    'POST /auth/refresh': json(200, session('tok-1')),
    'GET /auth/me': json(200, USER),
    'DELETE /account': noContent(),
    'POST /account/deletion-code': json(202, { message: "We sent a code to your account's email address. It expires in 10 minutes." }),
    ...overrides,
  };
}

async function openSection(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const app = await renderApp('/account', routes(overrides));
  const region = await screen.findByRole('region', { name: 'Delete your account' });
  const section = within(region);
  return {
    ...app,
    region,
    section,
    understood: section.getByRole('checkbox', { name: 'I understand this cannot be undone' }),
    remove: section.getByRole('button', { name: 'Delete my account' }),
  };
}

/** What reaches the goodbye page: the heading, and the session gone everywhere in the app. */
async function expectGoodbye() {
  expect(await screen.findByRole('heading', { level: 1, name: 'Your account has been deleted' })).toBeTruthy();
  expect(currentUrl()).toBe('/goodbye');
  expect(screen.getByText(/We sent a confirmation to/).textContent).toBe(`We sent a confirmation to ${USER.email}.`);
  expect(screen.getByRole('link', { name: 'Go to the start page' }).getAttribute('href')).toBe('/');
  // Signed out here: no navigation, no marker for the next load.
  expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  expect(localStorage.getItem(SESSION_MARKER_KEY)).toBeNull();
}

describe('Delete your account on the Account screen', () => {
  it('comes last, set apart, and says exactly what goes, that it cannot be undone, and what follows', async () => {
    const { region } = await openSection();
    const sections = [...document.querySelectorAll('main section.section')];
    expect(sections.at(-1)).toBe(region);
    expect(region.className).toContain('section--danger');

    const items = within(within(region).getByRole('list')).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual([
      'your profile, your email address and your username;',
      'all your posts, comments and reactions;',
      'your connections: they will no longer see you or anything you shared;',
      'your tags, your requests and your notifications.',
    ]);
    expect(region.textContent).toContain('This cannot be undone.');
    expect(region.textContent).toContain('download it first with “Download my data” above');
    expect(region.textContent).toContain(`Afterwards, we send a confirmation to ${USER.email}.`);
    expect(region.textContent).toContain('Your username is held for 30 days, so nobody can use it to pretend to be you');
    expect(region.textContent).toContain('after that, it becomes available to others again');
  });

  it('points at “Download my data”', async () => {
    const { user, section } = await openSection();
    await user.click(section.getByRole('button', { name: 'Go to “Download my data”' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Download my data' }));
  });

  it('asks for the password and the “I understand” before asking the server', async () => {
    const { user, server, section, understood, remove } = await openSection();
    await user.click(remove);

    const password = section.getByLabelText('Your password');
    expect(section.getByText('Enter your password.')).toBeTruthy();
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(password);
    const notChecked = section.getByText('Tick the box to confirm that you understand this cannot be undone.');
    expect(understood.getAttribute('aria-invalid')).toBe('true');
    expect(understood.getAttribute('aria-describedby')).toBe(notChecked.id);

    await user.type(password, 'quiet harbour 7 lanterns');
    await user.click(remove);
    expect(document.activeElement).toBe(understood);
    expect(server.to('DELETE', '/account')).toHaveLength(0);

    await user.click(understood);
    expect(section.queryByText(/Tick the box/)).toBeNull();
  });

  it('shows a wrong password at the field, then deletes and says goodbye without a session', async () => {
    const { user, server, section, understood, remove } = await openSection({
      'DELETE /account': [apiError(400, 'wrong_password', 'Your password is not right.'), noContent()],
    });
    const password = section.getByLabelText('Your password');
    await user.type(password, 'not my password');
    await user.click(understood);
    await user.click(remove);

    const alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('Your password is not right.');
    expect(password.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(password);
    expect((understood as HTMLInputElement).checked).toBe(true);

    await user.clear(password);
    await user.type(password, 'quiet harbour 7 lanterns');
    await user.click(remove);

    await expectGoodbye();
    const [, deleted] = server.to('DELETE', '/account');
    expect(deleted!.body).toEqual({ password: 'quiet harbour 7 lanterns' });
    expect(deleted!.headers.get('Authorization')).toBe('Bearer tok-1');

    // Back on a screen that needs the account, the goodbye page again (not sign-in), and no call is made.
    const before = server.requests.length;
    act(() => navigate('/feed'));
    await vi.waitFor(() => expect(currentUrl()).toBe('/goodbye'));
    expect(server.requests.slice(before).map((r) => r.path)).toEqual([]);
  });

  it('without the password: a code by email, errors at the code, then deletes with the code', async () => {
    const { user, server, section, understood, remove } = await openSection({
      'DELETE /account': [
        apiError(400, 'invalid_code', 'That code is not right; 4 tries left.'),
        apiError(400, 'code_expired', 'That code has expired. Ask for a new one.'),
        noContent(),
      ],
    });

    await user.click(section.getByRole('button', { name: 'Forgot your password?' }));

    const code = await section.findByLabelText<HTMLInputElement>('Code from the email');
    expect(document.activeElement).toBe(code);
    expect(section.getByText(/We sent a code to/).textContent).toMatch(`We sent a code to ${USER.email}.`);
    expect(server.to('POST', '/account/deletion-code')).toHaveLength(1);
    expect(server.to('POST', '/account/deletion-code')[0]!.body).toBeUndefined();
    expect(section.queryByLabelText('Your password')).toBeNull();
    expect(section.getByRole('button', { name: /Resend code in \d+ s/ }).getAttribute('aria-disabled')).toBe('true');

    await user.type(code, '111 111');
    await user.click(understood);
    await user.click(remove);
    let alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('That code is not right; 4 tries left.');
    expect(code.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(code);

    await user.click(remove);
    alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('That code has expired. Ask for a new one.');

    await user.clear(code);
    await user.type(code, '123456');
    await user.click(remove);

    await expectGoodbye();
    expect(server.to('DELETE', '/account').map((r) => r.body)).toEqual([
      { code: '111111' },
      { code: '111111' },
      { code: '123456' },
    ]);
  });

  it('can go back to the password', async () => {
    const { user, section } = await openSection();
    await user.click(section.getByRole('button', { name: 'Forgot your password?' }));
    await user.click(await section.findByRole('button', { name: 'Use my password instead' }));
    const password = section.getByLabelText('Your password');
    expect(document.activeElement).toBe(password);
    expect(section.queryByLabelText('Code from the email')).toBeNull();
  });

  it('shows a rate limit or a locked sign-in with the server’s words, and deletes nothing', async () => {
    const { user, section, understood, remove } = await openSection({
      'DELETE /account': apiError(
        429,
        'sign_in_locked',
        'Too many failed sign-ins with this login. Wait 15 minutes and try again, or reset your password with "Forgot password": a reset lets you sign in at once.',
        { 'Retry-After': '900' },
      ),
      'POST /account/deletion-code': apiError(429, 'rate_limited', 'Too many attempts. Please wait 10 minutes before trying again.', {
        'Retry-After': '600',
      }),
    });

    await user.type(section.getByLabelText('Your password'), 'a guess');
    await user.click(understood);
    await user.click(remove);
    expect((await section.findByRole('alert')).textContent).toMatch(/^Too many failed sign-ins with this login\. Wait 15 minutes/);
    expect(section.getByLabelText('Your password').getAttribute('aria-invalid')).toBeNull();

    await user.click(section.getByRole('button', { name: 'Forgot your password?' }));
    expect((await section.findByRole('alert')).textContent).toBe('Too many attempts. Please wait 10 minutes before trying again.');
    // Still on the password: no code was sent.
    expect(section.getByLabelText('Your password')).toBeTruthy();
    expect(currentUrl()).toBe('/account');
  });
});

describe('The goodbye page', () => {
  it('needs no session', async () => {
    const { server } = await renderApp('/goodbye', {});
    expect(screen.getByRole('heading', { level: 1, name: 'Your account has been deleted' })).toBeTruthy();
    expect(screen.getByText('We sent a confirmation to your email address.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toBeTruthy();
    expect(server.requests).toHaveLength(0);
  });
});
