/**
 * Invitations, end to end through the real stack, with a pair of its own:
 * Ivy (signed up as every journey's people are) invites an address that has
 * no account, from Connections. The invitation email, read from the SES
 * emulator's mailbox, holds a link to /join?invitation=…; Jon opens it in a
 * browser of his own, sees "You were invited", signs up with that address
 * (the code from the mailbox) and lands on Connections, where Ivy is his
 * connection; for Ivy the invitation now says Joined. The Connections screen
 * with the invitation form and the join screen are audited with axe (every
 * violation counts) at phone and desktop width.
 */
import { expect, test } from '@playwright/test';
import { PASSWORD, captureScreen, go, newPerson, signUp, type Person } from './support/app';
import { mailCount, waitForCode, waitForInvitationLink } from './support/ses';

test.describe.configure({ mode: 'serial' });

let ivy: Person;
let jon: Person;
/** The path (and query) of the link in Jon's invitation email. */
let joinPath: string;

test.beforeAll(async ({ browser }) => {
  ivy = await newPerson(browser, 'ivy');
  jon = await newPerson(browser, 'jon');
});

test.afterAll(async () => {
  await ivy?.context.close();
  await jon?.context.close();
});

test('Ivy invites a friend from Connections, and the email holds a join link', async () => {
  await signUp(ivy);
  await go(ivy.page, 'Connections');
  const section = ivy.page.getByRole('region', { name: 'Invite a friend' });
  await expect(section).toContainText(
    'Your friend gets one email from us with a link that works for 14 days. If they join through it, you are connected.',
  );
  await expect(section.getByText('You haven’t invited anyone yet.')).toBeVisible();

  const before = await mailCount(jon.email);
  await section.getByRole('textbox', { name: 'Your friend’s email' }).fill(jon.email);
  await section.getByRole('button', { name: 'Send invitation' }).click();
  // The server's words, the same whether or not the address has an account.
  await expect(section.locator('.notice--info')).toBeVisible();
  await expect(section.getByRole('textbox', { name: 'Your friend’s email' })).toHaveValue('');
  const row = section.getByRole('list', { name: 'Your invitations' }).getByRole('listitem').filter({ hasText: jon.email });
  await expect(row).toContainText('Waiting');
  await expect(row.getByRole('button', { name: `Cancel the invitation to ${jon.email}` })).toBeVisible();
  await captureScreen(ivy.page, 'connections-invite', { strict: true });

  const link = new URL(await waitForInvitationLink(jon.email, before));
  joinPath = link.pathname + link.search;
  expect(joinPath).toMatch(/^\/join\?invitation=[^&]+/);
});

test('Jon opens the link in a new browser, signs up with that address and lands on Connections with Ivy', async () => {
  const { page } = jon;
  await page.goto(joinPath);
  await expect(page.getByRole('heading', { level: 1, name: 'You were invited' })).toBeVisible();
  await captureScreen(page, 'join', { strict: true });

  const before = await mailCount(jon.email);
  await page.getByLabel('Email').fill(jon.email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  const code = await waitForCode(jon.email, before);
  await page.getByLabel('Code from the email').fill(code);
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(jon.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/connections$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();
  const connections = page.getByRole('list', { name: 'Your connections' });
  await expect(connections.getByRole('link', { name: `@${ivy.username}`, exact: true })).toBeVisible();
  await expect(page.getByLabel('1 of 100 connections')).toHaveText('1 / 100');
  await captureScreen(page, 'connections-after-join', { strict: true });
});

test('for Ivy, Jon is a connection and the invitation says Joined', async () => {
  await ivy.page.reload();
  await expect(ivy.page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();
  await expect(
    ivy.page.getByRole('list', { name: 'Your connections' }).getByRole('link', { name: `@${jon.username}`, exact: true }),
  ).toBeVisible();
  const row = ivy.page
    .getByRole('region', { name: 'Invite a friend' })
    .getByRole('listitem')
    .filter({ hasText: jon.email });
  await expect(row).toContainText('Joined');
  await expect(row.getByRole('button')).toHaveCount(0);
});
