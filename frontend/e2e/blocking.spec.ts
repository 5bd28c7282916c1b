/**
 * The issue-15 journey, end to end through the real stack, with a pair of
 * its own: Fay and Gil connect and Gil writes a post; Fay blocks him from his
 * page, after a confirmation that says what happens. At once his post leaves
 * her feed and he leaves her connections; for Gil she is not there at all
 * (search finds no one, exactly as for a name nobody has; her page is no
 * one's; his connections are empty), and nothing tells him why. Fay unblocks
 * him under Account › Blocked people: the list empties, he can find her
 * again, and they are not reconnected. The person page in the blocked state
 * and the Blocked people list are audited with axe (every violation counts)
 * at phone and desktop width.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  RUN,
  captureScreen,
  connect,
  feedTexts,
  go,
  newPerson,
  post,
  postCard,
  signUp,
  type Person,
} from './support/app';

test.describe.configure({ mode: 'serial' });

let fay: Person;
let gil: Person;

const GIL_POST = 'Gil: the allotment gave us far too many courgettes';

/** What People answers for `username` (searched through the form), as the words on screen. */
async function searchFor(page: Page, username: string) {
  await go(page, 'People');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`/people\\?q=${username}$`));
  await expect(page.getByRole('button', { name: 'Search' })).not.toHaveAttribute('aria-busy', 'true');
  return page.locator('.results');
}

test.beforeAll(async ({ browser }) => {
  fay = await newPerson(browser, 'fay');
  gil = await newPerson(browser, 'gil');
});

test.afterAll(async () => {
  await fay?.context.close();
  await gil?.context.close();
});

test('Fay and Gil connect, and Gil writes a post Fay sees', async () => {
  await signUp(fay);
  await signUp(gil);
  await connect(fay, gil);
  await post(gil.page, GIL_POST);

  expect(await feedTexts(fay.page)).toEqual([GIL_POST]);
  await go(fay.page, 'Connections');
  await expect(fay.page.getByRole('link', { name: `@${gil.username}`, exact: true })).toBeVisible();
});

test('Fay blocks Gil from his page, after a confirmation that says what happens', async () => {
  await feedTexts(fay.page);
  await postCard(fay.page, GIL_POST).getByRole('link', { name: `@${gil.username}`, exact: true }).click();
  await expect(fay.page.getByRole('heading', { level: 1, name: `@${gil.username}` })).toBeVisible();
  await expect(fay.page.getByText(/Connected since/)).toBeVisible();

  // Asking first, in place; Cancel leaves everything as it was.
  await fay.page.getByRole('button', { name: 'Block', exact: true }).click();
  const confirm = fay.page.getByRole('group', { name: new RegExp(`^Block @${gil.username}\\?`) });
  await expect(confirm).toContainText(
    `Block @${gil.username}? Your connection and any requests between you end now. They won’t be able to find you, ` +
      'see your profile or anything you share, or ask to connect. They are not told.',
  );
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(fay.page.getByText(/Connected since/)).toBeVisible();

  await fay.page.getByRole('button', { name: 'Block', exact: true }).click();
  await captureScreen(fay.page, 'person-block-confirm', { strict: true });
  await confirm.getByRole('button', { name: `Block @${gil.username}` }).click();

  await expect(fay.page.getByText(`You blocked @${gil.username}.`)).toBeVisible();
  await expect(fay.page.getByRole('button', { name: 'Unblock' })).toBeVisible();
  await expect(fay.page.getByRole('button', { name: 'Connect' })).toHaveCount(0);
  await expect(fay.page.getByRole('button', { name: 'Block', exact: true })).toHaveCount(0);
  await expect(fay.page.getByText(GIL_POST)).toHaveCount(0);

  // So it stays on a fresh load: the server says "blocked".
  await fay.page.reload();
  await expect(fay.page.getByText(`You blocked @${gil.username}.`)).toBeVisible();
  await expect(fay.page.getByRole('button', { name: 'Connect' })).toHaveCount(0);
  await captureScreen(fay.page, 'person-blocked', { strict: true });
});

test('Gil’s post leaves Fay’s feed and he leaves her connections', async () => {
  expect(await feedTexts(fay.page)).toEqual([]);
  await go(fay.page, 'Connections');
  await expect(fay.page.getByText('You have no connections yet.')).toBeVisible();
  await expect(fay.page.getByRole('link', { name: `@${gil.username}` })).toHaveCount(0);
});

test('for Gil, Fay is not there: search finds no one, as for a name nobody has', async () => {
  const nobody = `nobody_${RUN}`;
  const noOne = await searchFor(gil.page, nobody);
  await expect(noOne).toHaveText(`Nobody has the username “${nobody}”. Usernames are exact: check the spelling with the person.`);

  const results = await searchFor(gil.page, fay.username);
  await expect(results).toHaveText(
    `Nobody has the username “${fay.username}”. Usernames are exact: check the spelling with the person.`,
  );
  await expect(gil.page.getByRole('button', { name: 'Connect' })).toHaveCount(0);

  // Her page is no one's, and his connections are empty.
  await gil.page.goto(`/u/${fay.username}`);
  await expect(gil.page.getByText('There is no one with that username here.')).toBeVisible();
  await gil.page.goto('/connections');
  await expect(gil.page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();
  await expect(gil.page.getByText('You have no connections yet.')).toBeVisible();
  await expect(gil.page.getByLabel('0 of 100 connections')).toHaveText('0 / 100');
  expect(await feedTexts(gil.page)).toEqual([GIL_POST]);
});

test('Fay unblocks Gil under Blocked people: the list empties, and they are not reconnected', async () => {
  await go(fay.page, 'Account', 'Your account');
  const section = fay.page.getByRole('region', { name: 'Blocked people' });
  const list = section.getByRole('list', { name: 'People you blocked' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('link', { name: `@${gil.username}`, exact: true })).toBeVisible();
  await captureScreen(fay.page, 'account-blocked', { strict: true });

  await section.getByRole('button', { name: `Unblock @${gil.username}` }).click();
  await expect(section.getByRole('status')).toHaveText(
    `You unblocked @${gil.username}. You are not connected; either of you can ask again.`,
  );
  await expect(section.getByText('You haven’t blocked anyone.')).toBeVisible();
  await expect(list).toHaveCount(0);
  await captureScreen(fay.page, 'account-blocked-empty', { strict: true });

  // Still so on a fresh load.
  await fay.page.reload();
  await expect(fay.page.getByRole('region', { name: 'Blocked people' }).getByText('You haven’t blocked anyone.')).toBeVisible();

  // Gil can find her again; neither is connected until one asks and the other accepts.
  const results = await searchFor(gil.page, fay.username);
  await expect(results.getByRole('link', { name: `@${fay.username}`, exact: true })).toBeVisible();
  await expect(results.getByText(`You and @${fay.username} are not connected.`)).toBeVisible();
  await expect(results.getByRole('button', { name: 'Connect' })).toBeVisible();
  await go(fay.page, 'Connections');
  await expect(fay.page.getByText('You have no connections yet.')).toBeVisible();
});
