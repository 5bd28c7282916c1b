/**
 * The issue-4 journeys, end to end through the real stack: two people sign up
 * through the UI, find each other, connect, tag, post to each audience and
 * each sees exactly what they should; edit, delete, untag and disconnect
 * change what the other sees; sign out and sign out everywhere. Every screen
 * is captured at phone and desktop width and audited with axe.
 */
import { expect, test, type Page } from '@playwright/test';
import { captureScreen, go, newPerson, signIn, signUp, type Person } from './support/app';

test.describe.configure({ mode: 'serial' });

let ann: Person;
let ben: Person;

const TEXT = {
  everyone: 'Ann to all her connections',
  close: 'Ann to the people she tagged Close',
  work: 'Ann to the people she tagged Work',
  private: 'Ann, a note to herself',
  edited: 'Ann to all her connections (edited)',
  later: 'Ann, a little later',
};

/** The post texts a person's feed shows now (loaded afresh). */
async function feedTexts(page: Page): Promise<string[]> {
  await page.goto('/feed');
  await expect(page.getByRole('heading', { level: 1, name: 'Feed' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Loading posts…' })).toHaveCount(0);
  return page.locator('.post__text').allTextContents();
}

async function compose(page: Page, content: string, audience: 'All my connections' | 'People with chosen tags' | 'Only me', tags: string[] = []) {
  const form = page.getByRole('form', { name: 'Write a post' });
  await form.getByLabel('What would you like to share?').fill(content);
  await form.getByRole('radio', { name: audience }).check();
  for (const tag of tags) await form.getByRole('checkbox', { name: tag }).check();
  return form;
}

test.beforeAll(async ({ browser }) => {
  ann = await newPerson(browser, 'ann');
  ben = await newPerson(browser, 'ben');
});

test.afterAll(async () => {
  await ann?.context.close();
  await ben?.context.close();
});

test('two people sign up through the UI with codes from the mailbox', async () => {
  await ann.page.goto('/sign-up');
  await captureScreen(ann.page, 'sign-up');
  await signUp(ann);
  await signUp(ben);
  await captureScreen(ann.page, 'feed-empty');
  await expect(ann.page.getByText('Nothing here yet.')).toBeVisible();
});

test('they find each other and connect', async () => {
  await go(ann.page, 'People');
  await ann.page.getByRole('textbox', { name: 'Username', exact: true }).fill(ben.username);
  await ann.page.getByRole('button', { name: 'Search' }).click();
  await expect(ann.page.getByRole('link', { name: `@${ben.username}` })).toBeVisible();
  await captureScreen(ann.page, 'people-search');
  await ann.page.getByRole('button', { name: 'Connect' }).click();
  await expect(ann.page.getByText(`Waiting for @${ben.username} to accept.`)).toBeVisible();

  // Ben sees the request counted in his navigation, and accepts it.
  await ben.page.goto('/requests');
  const nav = ben.page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /Requests.*1 waiting/ })).toBeVisible();
  await captureScreen(ben.page, 'requests');
  await ben.page.getByRole('button', { name: `Accept @${ann.username}` }).click();
  await expect(ben.page.getByText(`You and @${ann.username} are now connected.`)).toBeVisible();
  await expect(nav.getByRole('link', { name: /Requests.*waiting/ })).toHaveCount(0);

  await ann.page.goto(`/u/${ben.username}`);
  await expect(ann.page.getByText(/Connected since/)).toBeVisible();
  await captureScreen(ann.page, 'person');
});

test('Ann makes tags and tags Ben in place', async () => {
  await go(ann.page, 'Tags');
  for (const [name, color] of [['Close', 'Family (rose)'], ['Work', 'Work (blue)']] as const) {
    await ann.page.getByLabel('Name', { exact: true }).fill(name);
    await ann.page.getByRole('radio', { name: color }).check();
    await ann.page.getByRole('button', { name: 'Create tag' }).click();
    await expect(ann.page.getByRole('button', { name: `Rename ${name}` })).toBeVisible();
  }
  await captureScreen(ann.page, 'tags');

  await go(ann.page, 'Connections');
  await expect(ann.page.getByLabel('1 of 100 connections')).toHaveText('1 / 100');
  await ann.page.getByLabel(`Add a tag to @${ben.username}`).selectOption({ label: 'Close' });
  await expect(ann.page.getByRole('button', { name: `Remove tag Close from @${ben.username}` })).toBeVisible();
  await captureScreen(ann.page, 'connections');
});

test('Ann posts to each audience, told in words who will see it', async () => {
  await go(ann.page, 'Feed');
  const summary = ann.page.locator('.audience__summary');

  let form = await compose(ann.page, TEXT.everyone, 'All my connections');
  await expect(summary).toHaveText('Visible to your 1 connection.');
  await form.getByRole('button', { name: 'Post' }).click();
  await expect(ann.page.locator('.post__text').first()).toHaveText(TEXT.everyone);

  form = await compose(ann.page, TEXT.close, 'People with chosen tags', ['Close']);
  await expect(summary).toHaveText('Visible to 1 person tagged Close.');
  await captureScreen(ann.page, 'feed-composer-tags');
  await form.getByRole('button', { name: 'Post' }).click();
  await expect(ann.page.locator('.post__text').first()).toHaveText(TEXT.close);

  // The tag choice stays; swap Close for Work.
  form = await compose(ann.page, TEXT.work, 'People with chosen tags');
  await form.getByRole('checkbox', { name: 'Close' }).uncheck();
  await form.getByRole('checkbox', { name: 'Work' }).check();
  await expect(summary).toHaveText('Visible to nobody yet: no one is tagged Work. Only you will see it for now.');
  await form.getByRole('button', { name: 'Post' }).click();
  await expect(ann.page.locator('.post__text').first()).toHaveText(TEXT.work);

  form = await compose(ann.page, TEXT.private, 'Only me');
  await expect(summary).toHaveText('Visible only to you.');
  await form.getByRole('button', { name: 'Post' }).click();
  await expect(ann.page.locator('.post__text').first()).toHaveText(TEXT.private);

  expect(await feedTexts(ann.page)).toEqual([TEXT.private, TEXT.work, TEXT.close, TEXT.everyone]);
  const badges = ann.page.locator('.post .badge');
  await expect(badges).toHaveText([/Only me/, /Tagged Work/, /Tagged Close/, /All connections/]);
  await captureScreen(ann.page, 'feed');

  await go(ann.page, 'My posts');
  await expect(ann.page.locator('.post__text')).toHaveText([TEXT.private, TEXT.work, TEXT.close, TEXT.everyone]);
  await captureScreen(ann.page, 'my-posts');
});

test('Ben sees exactly what the rule allows, in his feed and on her page', async () => {
  expect(await feedTexts(ben.page)).toEqual([TEXT.close, TEXT.everyone]);
  await expect(ben.page.getByRole('button', { name: 'Edit post' })).toHaveCount(0);

  await ben.page.goto(`/u/${ann.username}`);
  await expect(ben.page.locator('.post__text')).toHaveText([TEXT.close, TEXT.everyone]);
});

test('a new post is offered to Ben without moving what he is reading', async () => {
  await feedTexts(ben.page);
  await go(ann.page, 'Feed');
  await compose(ann.page, TEXT.later, 'All my connections');
  await ann.page.getByRole('form', { name: 'Write a post' }).getByRole('button', { name: 'Post' }).click();
  await expect(ann.page.locator('.post__text').first()).toHaveText(TEXT.later);

  await ben.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  const offer = ben.page.getByRole('button', { name: 'Show 1 new post' });
  await expect(offer).toBeVisible();
  await expect(ben.page.locator('.post__text')).toHaveText([TEXT.close, TEXT.everyone]);
  await offer.click();
  await expect(ben.page.locator('.post__text')).toHaveText([TEXT.later, TEXT.close, TEXT.everyone]);
});

test('edit, delete and untag change what Ben sees on his next read', async () => {
  await go(ann.page, 'My posts');
  const everyone = ann.page.getByRole('article').filter({ hasText: TEXT.everyone });
  await everyone.getByRole('button', { name: 'Edit post' }).click();
  await ann.page.getByLabel('Edit your post').fill(TEXT.edited);
  await ann.page.getByRole('button', { name: 'Save' }).click();
  await expect(ann.page.getByText(TEXT.edited)).toBeVisible();

  const later = ann.page.getByRole('article').filter({ hasText: TEXT.later });
  await later.getByRole('button', { name: 'Delete post' }).click();
  await later.getByRole('group', { name: /Delete this post\?/ }).getByRole('button', { name: 'Delete post' }).click();
  await expect(ann.page.getByText(TEXT.later)).toHaveCount(0);

  expect(await feedTexts(ben.page)).toEqual([TEXT.close, TEXT.edited]);
  await expect(ben.page.getByText('edited', { exact: true })).toBeVisible();

  await go(ann.page, 'Connections');
  await ann.page.getByRole('button', { name: `Remove tag Close from @${ben.username}` }).click();
  await expect(ann.page.getByRole('button', { name: `Remove tag Close from @${ben.username}` })).toHaveCount(0);
  expect(await feedTexts(ben.page)).toEqual([TEXT.edited]);

  // Tagged Work instead: the Work post reaches him now.
  await ann.page.getByLabel(`Add a tag to @${ben.username}`).selectOption({ label: 'Work' });
  await expect(ann.page.getByRole('button', { name: `Remove tag Work from @${ben.username}` })).toBeVisible();
  expect(await feedTexts(ben.page)).toEqual([TEXT.work, TEXT.edited]);
});

test('disconnecting ends what either sees of the other', async () => {
  await go(ann.page, 'Connections');
  await ann.page.getByRole('button', { name: `Disconnect from @${ben.username}` }).click();
  const confirm = ann.page.getByRole('group', { name: new RegExp(`Disconnect from @${ben.username}\\?`) });
  await expect(confirm).toContainText('stop seeing each other’s posts');
  await captureScreen(ann.page, 'connections-confirm');
  await confirm.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(ann.page.getByText('You have no connections yet.')).toBeVisible();
  await expect(ann.page.getByLabel('0 of 100 connections')).toHaveText('0 / 100');

  expect(await feedTexts(ben.page)).toEqual([]);
  await ben.page.goto(`/u/${ann.username}`);
  await expect(ben.page.getByText(`You and @${ann.username} are not connected.`)).toBeVisible();
  await expect(ben.page.locator('.post__text')).toHaveCount(0);
});

test('sign out, and sign out everywhere', async ({ browser }) => {
  await go(ben.page, 'Account', 'Your account');
  await captureScreen(ben.page, 'account');
  await ben.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(ben.page.getByText('You have signed out.')).toBeVisible();
  await captureScreen(ben.page, 'sign-in');
  await ben.page.goto('/feed');
  await expect(ben.page).toHaveURL(/\/sign-in\?next=%2Ffeed$/);

  // Ann on a second device, then "sign out everywhere" from the first.
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, ann);

  await go(ann.page, 'Account', 'Your account');
  await ann.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(ann.page.getByText('You have signed out on all your devices.')).toBeVisible();

  await second.reload();
  await expect(second.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(second).toHaveURL(/\/sign-in\?next=%2Ffeed$/);
  await other.close();
});
