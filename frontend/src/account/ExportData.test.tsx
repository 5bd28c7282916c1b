import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ExportPart } from '../api/account';
import { USER, apiError, json, session, type fakeApi } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { REVOKE_AFTER_MS, localDate } from './exportData';

function part(extra: Partial<ExportPart>): ExportPart {
  return { format: 'intentional-social-export', version: 1, exported_at: '2025-03-01T12:00:00Z', next_cursor: null, ...extra };
}

function routes(overrides: Parameters<typeof fakeApi>[0] = {}) {
  return {
    'POST /auth/refresh': json(200, session('tok-1')),
    'GET /auth/me': json(200, USER),
    ...overrides,
  };
}

/** Catches the file the browser is asked to save. */
function catchDownloads() {
  const blobs: Blob[] = [];
  const links: HTMLAnchorElement[] = [];
  const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    blobs.push(blob as Blob);
    return `blob:http://localhost/${blobs.length}`;
  });
  const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    links.push(this);
  });
  return { blobs, links, create, revoke };
}

function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsText(blob);
  });
}

async function openSection(overrides: Parameters<typeof fakeApi>[0]) {
  const app = await renderApp('/account', routes(overrides));
  const region = await screen.findByRole('region', { name: 'Your data' });
  return { ...app, section: within(region), button: within(region).getByRole('button', { name: 'Download my data' }) };
}

describe('Download my data on the Account screen', () => {
  it('collects every part, shows the progress, then saves one merged file', async () => {
    const downloads = catchDownloads();
    let release: () => void = () => undefined;
    const { user, server, section, button } = await openSection({
      'GET /account/export': (r) => {
        if (r.search.get('cursor') === null) {
          return json(200, part({ profile: { username: 'alice' }, posts: [{ id: 'p1' }, { id: 'p2' }], next_cursor: 'c/1' }));
        }
        // The second part waits, so the progress can be read.
        return new Promise<Response>((resolve) => {
          release = () => resolve(json(200, part({ posts: [{ id: 'p3' }], comments: [{ id: 'k1' }], settings: { on_accept: true } })));
        });
      },
    });

    await user.click(button);

    const status = section.getByRole('status');
    await vi.waitFor(() => expect(status.textContent).toBe('Collected 2 posts…'));
    expect(button.textContent).toBe('Preparing your data…');
    expect(button.getAttribute('aria-disabled')).toBe('true');
    release();

    const fileName = `intentional-social-export-alice-${localDate(new Date())}.json`;
    await vi.waitFor(() => expect(status.textContent).toBe(`Your data is ready. Your browser is saving it as ${fileName}.`));
    expect(button.textContent).toBe('Download my data');
    expect(server.to('GET', '/account/export').map((r) => r.search.get('cursor'))).toEqual([null, 'c/1']);
    expect(vi.mocked(server.fetch).mock.calls.map((call) => call[0])).toContain('/api/account/export?cursor=c%2F1');

    expect(downloads.links).toHaveLength(1);
    expect(downloads.links[0]!.download).toBe(fileName);
    const text = await readBlob(downloads.blobs[0]!);
    expect(JSON.parse(text)).toEqual({
      format: 'intentional-social-export',
      version: 1,
      exported_at: '2025-03-01T12:00:00Z',
      profile: { username: 'alice' },
      posts: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }],
      comments: [{ id: 'k1' }],
      settings: { on_accept: true },
    });
    expect(text).toContain('\n  "posts": [\n');
    await vi.waitFor(() => expect(downloads.revoke).toHaveBeenCalledWith('blob:http://localhost/1'), {
      timeout: REVOKE_AFTER_MS + 1000,
    });
  });

  it('says calmly when it can be tried again after a rate limit, and saves nothing', async () => {
    const downloads = catchDownloads();
    const { user, section, button } = await openSection({
      'GET /account/export': [
        json(200, part({ posts: [1], next_cursor: 'c1' })),
        apiError(429, 'rate_limited', 'Too many attempts. Please wait 30 minutes before trying again.', { 'Retry-After': '1800' }),
      ],
    });

    await user.click(button);

    expect((await section.findByRole('alert')).textContent).toBe(
      'Your data can’t be downloaded again just yet. Please try again in 30 min.',
    );
    expect(section.getByRole('status').textContent).toBe('');
    expect(downloads.create).not.toHaveBeenCalled();
    expect(downloads.links).toHaveLength(0);
    expect(button.getAttribute('aria-disabled')).toBeNull();
  });

  it('shows any other failure as it is, and can be tried again', async () => {
    catchDownloads();
    const { user, section, button } = await openSection({
      'GET /account/export': [
        apiError(500, 'server_error', 'Something went wrong on our side. Please try again in a moment.'),
        json(200, part({ posts: [] })),
      ],
    });

    await user.click(button);
    expect((await section.findByRole('alert')).textContent).toBe(
      'Something went wrong on our side. Please try again in a moment.',
    );

    await user.click(button);
    await vi.waitFor(() => expect(section.getByRole('status').textContent).toMatch(/^Your data is ready\./));
    expect(section.queryByRole('alert')).toBeNull();
  });
});
