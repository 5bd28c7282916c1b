import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { USER, apiError, json, session, type fakeApi } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const NEW_EMAIL = 'alice.w@example.org';
const MOVED = { ...USER, email: NEW_EMAIL };

function routes(overrides: Parameters<typeof fakeApi>[0] = {}) {
  return {
    'POST /auth/refresh': json(200, session('tok-1')),
    'GET /auth/me': json(200, USER),
    'POST /auth/email': json(202, { message: 'If the address can be used, a code was sent to it.' }),
    'POST /auth/email/confirm': json(200, MOVED),
    ...overrides,
  };
}

async function openSection(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const app = await renderApp('/account', routes(overrides));
  const region = await screen.findByRole('region', { name: 'Change email address' });
  return { ...app, section: within(region) };
}

type Section = Awaited<ReturnType<typeof openSection>>['section'];
type User = Awaited<ReturnType<typeof openSection>>['user'];

async function askForCode(user: User, section: Section, address = NEW_EMAIL, password = 'quiet harbour 7 lanterns') {
  await user.type(section.getByLabelText('New email address'), address);
  await user.type(section.getByLabelText('Current password'), password);
  await user.click(section.getByRole('button', { name: 'Send code' }));
}

/** The address the Account screen's details show. */
function shownEmail(): string | null {
  const term = screen.getByText('Email', { selector: 'dt' });
  return term.nextElementSibling?.textContent ?? null;
}

describe('Change email on the Account screen', () => {
  it('sends a code to the new address, shows a wrong code at its field, then shows the new address', async () => {
    const { user, server, section } = await openSection({
      'POST /auth/email/confirm': [
        apiError(400, 'invalid_code', 'That code is not right. Check the latest email; 4 tries left.'),
        json(200, MOVED),
      ],
    });
    expect(shownEmail()).toBe(USER.email);

    await askForCode(user, section, `  ${NEW_EMAIL} `);

    // The message and the code field on the same step, the code field focused.
    const message = await section.findByText(/We sent a code to/);
    expect(message.textContent).toMatch(`We sent a code to ${NEW_EMAIL}.`);
    const code = section.getByLabelText<HTMLInputElement>('Code from the email');
    expect(document.activeElement).toBe(code);
    expect(server.to('POST', '/auth/email')[0]!.body).toEqual({
      new_email: NEW_EMAIL,
      password: 'quiet harbour 7 lanterns',
    });
    expect(section.getByRole('button', { name: /Resend code in \d+ s/ }).getAttribute('aria-disabled')).toBe('true');

    await user.type(code, '111 111');
    expect(code.value).toBe('111111');
    await user.click(section.getByRole('button', { name: 'Confirm new address' }));

    const alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('That code is not right. Check the latest email; 4 tries left.');
    expect(code.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(code);
    expect(shownEmail()).toBe(USER.email);

    await user.clear(code);
    await user.type(code, '123456');
    await user.click(section.getByRole('button', { name: 'Confirm new address' }));

    expect((await section.findByRole('status')).textContent).toBe(
      `Your email address is now ${NEW_EMAIL}. We let ${USER.email} know about the change.`,
    );
    expect(shownEmail()).toBe(NEW_EMAIL);
    expect(server.to('POST', '/auth/email/confirm')[1]!.body).toEqual({ new_email: NEW_EMAIL, code: '123456' });
    // Back at the start, empty, for another change.
    expect(section.getByLabelText<HTMLInputElement>('New email address').value).toBe('');
    expect(section.getByLabelText<HTMLInputElement>('Current password').value).toBe('');
    expect(section.queryByLabelText('Code from the email')).toBeNull();
  });

  it('checks the address and the password before asking the server', async () => {
    const { user, server, section } = await openSection();

    await user.click(section.getByRole('button', { name: 'Send code' }));
    expect(section.getByText('Enter your email address.')).toBeTruthy();
    expect(section.getByText('Enter your current password.')).toBeTruthy();
    expect(document.activeElement).toBe(section.getByLabelText('New email address'));

    await askForCode(user, section, USER.email.toUpperCase());
    expect(section.getByText('This is already your email address.')).toBeTruthy();
    expect(server.to('POST', '/auth/email')).toHaveLength(0);
  });

  it('shows a wrong password and an invalid address beside their fields', async () => {
    const { user, section } = await openSection({
      'POST /auth/email': [
        apiError(400, 'wrong_password', 'Your password is not right.'),
        apiError(400, 'invalid_email', 'Field `new_email`: this is not an email address.'),
      ],
    });

    await askForCode(user, section, NEW_EMAIL, 'not my password');
    let alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('Your password is not right.');
    const password = section.getByLabelText('Current password');
    expect(password.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(password);

    await user.click(section.getByRole('button', { name: 'Send code' }));
    alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('Field `new_email`: this is not an email address.');
    expect(section.getByLabelText('New email address').getAttribute('aria-describedby')).toContain(alert.id);
    expect(section.queryByLabelText('Code from the email')).toBeNull();
  });

  it('goes back to the address when it turns out to be taken', async () => {
    const { user, section } = await openSection({
      'POST /auth/email/confirm': apiError(409, 'email_taken', 'This email address already has an account.'),
    });
    await askForCode(user, section);
    await user.type(await section.findByLabelText('Code from the email'), '123456');
    await user.click(section.getByRole('button', { name: 'Confirm new address' }));

    const alert = await section.findByRole('alert');
    expect(alert.textContent).toBe('This email address already has an account.');
    const address = section.getByLabelText<HTMLInputElement>('New email address');
    expect(address.value).toBe(NEW_EMAIL);
    expect(address.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(address);
    expect(shownEmail()).toBe(USER.email);
  });

  it('resends the code once the wait is over, and honours a rate limit', async () => {
    const { user, server, section } = await openSection({
      'POST /auth/email': [
        json(202, { message: 'Sent.' }),
        json(202, { message: 'Sent.' }),
        apiError(429, 'rate_limited', 'Too many codes requested', { 'Retry-After': '300' }),
      ],
    });
    await askForCode(user, section);
    await section.findByLabelText('Code from the email');

    // 31 s later the cooldown is over (the countdown ticks once a second).
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 31_000);
    await user.click(await section.findByRole('button', { name: 'Resend code' }, { timeout: 2_000 }));

    expect((await section.findByRole('status')).textContent).toBe(`We sent a new code to ${NEW_EMAIL}.`);
    expect(server.to('POST', '/auth/email')).toHaveLength(2);
    expect(server.to('POST', '/auth/email')[1]!.body).toEqual({
      new_email: NEW_EMAIL,
      password: 'quiet harbour 7 lanterns',
    });

    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 62_000);
    await user.click(await section.findByRole('button', { name: 'Resend code' }, { timeout: 2_000 }));
    expect((await section.findByRole('alert')).textContent).toBe(
      'Too many codes requested. Try again in 5 min.',
    );
    // Still on the code step, and the resend waits as long as the server said.
    expect(section.getByLabelText('Code from the email')).toBeTruthy();
    expect(section.getByRole('button', { name: /Resend code in [56] min/ }).getAttribute('aria-disabled')).toBe('true');
  });

  it('can go back and use a different address', async () => {
    const { user, section } = await openSection();
    await askForCode(user, section);
    await user.click(await section.findByRole('button', { name: 'Use a different email' }));

    const address = section.getByLabelText<HTMLInputElement>('New email address');
    expect(address.value).toBe(NEW_EMAIL);
    expect(document.activeElement).toBe(address);
    expect(section.queryByLabelText('Code from the email')).toBeNull();
  });
});
