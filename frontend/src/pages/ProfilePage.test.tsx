import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { USER, apiError, json, session, type fakeApi } from '../test/fakeApi';
import { currentUrl, renderApp } from '../test/renderApp';

const NAMED = { ...USER, display_name: 'Alice W', bio: 'Gardener.' };

function routes(overrides: Parameters<typeof fakeApi>[0] = {}) {
  return {
    'POST /auth/refresh': json(200, session('tok-1', NAMED)),
    'GET /auth/me': json(200, NAMED),
    'PATCH /auth/me': json(200, NAMED),
    ...overrides,
  };
}

async function openProfile(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const app = await renderApp('/profile', routes(overrides));
  await screen.findByRole('heading', { level: 1, name: 'Your profile' });
  return {
    ...app,
    name: await screen.findByLabelText<HTMLInputElement>('Display name'),
    bio: screen.getByLabelText<HTMLTextAreaElement>('Bio'),
    save: screen.getByRole('button', { name: 'Save profile' }),
  };
}

/** What a details row of the profile shows. */
function shown(term: string): string | null {
  return screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent ?? null;
}

describe('Profile screen', () => {
  it('shows the username and email (not editable) and the current name and bio with their counts', async () => {
    const { name, bio } = await openProfile();
    expect(shown('Username')).toBe('@alice Usernames can’t be changed.');
    expect(shown('Email')).toContain(USER.email);
    expect(shown('Shown as')).toBe('Alice W @alice');
    expect(name.value).toBe('Alice W');
    expect(bio.value).toBe('Gardener.');
    expect(screen.queryByRole('textbox', { name: /Username|Email/ })).toBeNull();

    // The counts are part of each field's description.
    const nameCounter = document.getElementById('profile-display-name-counter')!;
    expect(nameCounter.textContent).toBe('7 / 50 characters');
    expect(name.getAttribute('aria-describedby')).toContain(nameCounter.id);
    const bioCounter = document.getElementById('profile-bio-counter')!;
    expect(bioCounter.textContent).toBe('9 / 300 characters');
    expect(bio.getAttribute('aria-describedby')).toContain(bioCounter.id);
  });

  it('saves the trimmed name and bio, says so, and shows the new name', async () => {
    const saved = { ...NAMED, display_name: 'Alice Wren', bio: 'Gardener.\nBaker.' };
    const { user, server, name, bio, save } = await openProfile({ 'PATCH /auth/me': json(200, saved) });

    await user.clear(name);
    await user.type(name, '  Alice Wren ');
    await user.clear(bio);
    await user.type(bio, 'Gardener.{Enter}Baker.  ');
    await user.click(save);

    expect((await screen.findByRole('status')).textContent).toBe('Your profile has been saved.');
    expect(server.to('PATCH', '/auth/me')[0]!.body).toEqual({ display_name: 'Alice Wren', bio: 'Gardener.\nBaker.' });
    expect(server.to('PATCH', '/auth/me')[0]!.headers.get('Authorization')).toBe('Bearer tok-1');
    expect(name.value).toBe('Alice Wren');
    expect(shown('Shown as')).toBe('Alice Wren @alice');
    // Typing again puts the message away.
    await user.type(name, 'x');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('empty fields remove the name and the bio (null)', async () => {
    const { user, server, name, bio, save } = await openProfile({
      'PATCH /auth/me': json(200, { ...NAMED, display_name: null, bio: null }),
    });
    await user.clear(name);
    await user.clear(bio);
    await user.click(save);
    await screen.findByRole('status');
    expect(server.to('PATCH', '/auth/me')[0]!.body).toEqual({ display_name: null, bio: null });
    expect(shown('Shown as')).toBe('@alice');
  });

  it('checks the rules before asking the server, at the field, focusing it', async () => {
    const { user, server, name, bio, save } = await openProfile();
    await user.clear(name);
    await user.type(name, 'x'.repeat(51));
    expect(document.getElementById('profile-display-name-counter')!.textContent).toBe('51 / 50 characters · 1 too many');
    await user.click(save);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Use at most 50 characters.');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(name);

    await user.clear(name);
    await user.type(name, 'Ann');
    await user.clear(bio);
    await user.type(bio, 'é'.repeat(301));
    await user.click(save);
    expect((await screen.findByRole('alert')).textContent).toBe('Use at most 300 characters.');
    expect(document.activeElement).toBe(bio);
    expect(server.to('PATCH', '/auth/me')).toHaveLength(0);
  });

  it('shows the server’s message at the field it names, or on the form', async () => {
    const { user, name, bio, save } = await openProfile({
      'PATCH /auth/me': [
        apiError(400, 'invalid_field', 'Field `display_name`: one line, without control characters.'),
        apiError(400, 'invalid_field', 'Field `bio`: a bio has at most 300 characters; this one has 301.'),
        apiError(429, 'rate_limited', 'Too many changes', { 'Retry-After': '60' }),
      ],
    });

    await user.click(save);
    let alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Field `display_name`: one line, without control characters.');
    expect(name.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(name);

    await user.click(save);
    alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Field `bio`: a bio has at most 300 characters; this one has 301.');
    expect(bio.getAttribute('aria-describedby')).toContain(alert.id);

    await user.click(save);
    alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Too many changes. Try again in 1 min.');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('is reached from the main navigation and from the Account screen', async () => {
    const { user } = await renderApp('/account', routes());
    await user.click(await screen.findByRole('link', { name: 'Edit your profile' }));
    expect(currentUrl()).toBe('/profile');
    expect(await screen.findByRole('heading', { level: 1, name: 'Your profile' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Profile' }).getAttribute('aria-current')).toBe('page');
  });
});
