/**
 * The issue-14 journeys, end to end through the real stack, with a pair of
 * their own (the issue-4 journey ends with its people apart and signed out):
 * Dee and Eve connect and write to each other; Dee sets a display name and a
 * bio, which Eve then sees beside her @username; Dee downloads her data and
 * the file holds everything of hers and nothing of Eve's; Dee deletes her
 * account, lands on the goodbye page, and is gone from Eve's feed,
 * connections and thread, and cannot sign in again. The new screens are
 * audited with axe (every violation counts) at phone and desktop width.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  PASSWORD,
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
import { mailCount, subjectsTo } from './support/ses';

test.describe.configure({ mode: 'serial' });

let dee: Person;
let eve: Person;

const DEE_NAME = 'Dee Okafor';
const DEE_BIO = 'Potter and slow reader. Ask me about glazes.';
/** Eve's display name: a connection's, so it must stay out of Dee's export. */
const EVE_NAME = 'Eve Lindqvist';

const TEXT = {
  deeFirst: 'Dee: the kiln is finally fixed',
  deeSecond: 'Dee: who wants a mug?',
  eve: 'Eve: back from the mountains',
  deeComment: 'Dee says: welcome back!',
  eveComment: 'Eve says: one for me, please',
};

/** Comments under the post with `text` in the person's feed (opening its thread). */
async function comment(page: Page, text: string, content: string): Promise<void> {
  await feedTexts(page);
  const card = postCard(page, text);
  await card.getByRole('button', { name: '0 comments' }).click();
  await card.getByRole('textbox', { name: 'Write a comment' }).fill(content);
  await card.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(card.locator('.comment .post__text')).toHaveText([content]);
}

/** Saves the person's display name (and bio, when given) on /profile. */
async function saveProfile(page: Page, displayName: string, bio?: string): Promise<void> {
  await go(page, 'Profile', 'Your profile');
  await page.getByRole('textbox', { name: 'Display name' }).fill(displayName);
  if (bio !== undefined) await page.getByRole('textbox', { name: 'Bio', exact: true }).fill(bio);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your profile has been saved.' })).toBeVisible();
}

/** The link to `person` in a list or on a post: its name is all the screen shows of them. */
function personLink(within: Page | Locator, person: Person, displayName?: string) {
  const name = displayName ? `${displayName} @${person.username}` : `@${person.username}`;
  return within.getByRole('link', { name, exact: true });
}

test.beforeAll(async ({ browser }) => {
  dee = await newPerson(browser, 'dee');
  eve = await newPerson(browser, 'eve');
});

test.afterAll(async () => {
  await dee?.context.close();
  await eve?.context.close();
});

test('two people connect, post, and comment and react under each other’s posts', async () => {
  await signUp(dee);
  await signUp(eve);
  await connect(dee, eve);

  await post(dee.page, TEXT.deeFirst);
  await post(dee.page, TEXT.deeSecond);
  await post(eve.page, TEXT.eve);

  await comment(dee.page, TEXT.eve, TEXT.deeComment);
  const evePost = postCard(dee.page, TEXT.eve);
  await evePost.getByRole('button', { name: 'heart' }).click();
  await expect(evePost.getByRole('button', { name: 'heart, 1' })).toHaveAttribute('aria-pressed', 'true');
  await comment(eve.page, TEXT.deeSecond, TEXT.eveComment);

  expect(await feedTexts(eve.page)).toEqual([TEXT.eve, TEXT.deeSecond, TEXT.deeFirst]);
});

test('Dee sets a display name and a bio, and Eve sees them beside her @username', async () => {
  // Before: Eve knows her by her username alone.
  await feedTexts(eve.page);
  await expect(personLink(postCard(eve.page, TEXT.deeFirst), dee)).toBeVisible();

  await go(dee.page, 'Profile', 'Your profile');
  const shownAs = dee.page.locator('.details dd .person-name');
  await expect(shownAs).toHaveText(`@${dee.username}`);
  await captureScreen(dee.page, 'profile', { strict: true });
  await saveProfile(dee.page, DEE_NAME, DEE_BIO);
  await expect(shownAs).toHaveText(`${DEE_NAME} @${dee.username}`);
  await captureScreen(dee.page, 'profile-saved', { strict: true });

  // Saved on the server, not just on screen: a fresh load shows it.
  await dee.page.reload();
  await expect(dee.page.getByRole('textbox', { name: 'Display name' })).toHaveValue(DEE_NAME);
  await expect(dee.page.getByRole('textbox', { name: 'Bio', exact: true })).toHaveValue(DEE_BIO);

  // Eve: on Dee's posts in her feed, the name beside the @username…
  await feedTexts(eve.page);
  for (const text of [TEXT.deeFirst, TEXT.deeSecond]) {
    const card = postCard(eve.page, text);
    await expect(card.locator('.post__author .person-name__display')).toHaveText(DEE_NAME);
    await expect(personLink(card, dee, DEE_NAME)).toBeVisible();
  }
  // …in her connections…
  await go(eve.page, 'Connections');
  await expect(personLink(eve.page, dee, DEE_NAME)).toBeVisible();
  // …and on Dee's page, with the bio (Eve is a connection).
  await personLink(eve.page, dee, DEE_NAME).click();
  await expect(eve.page.getByRole('heading', { level: 1, name: `${DEE_NAME} @${dee.username}` })).toBeVisible();
  await expect(eve.page.getByRole('region', { name: `About ${DEE_NAME} (@${dee.username})` }).locator('.post__text')).toHaveText(DEE_BIO);
});

test('Dee downloads her data: everything of hers in one JSON file, nothing of Eve’s', async () => {
  // Eve's display name too, so its absence from the file below means something.
  await saveProfile(eve.page, EVE_NAME);

  await go(dee.page, 'Account', 'Your account');
  await captureScreen(dee.page, 'account-data', { strict: true });
  const section = dee.page.getByRole('region', { name: 'Your data' });
  const dayBefore = localDate(new Date());
  const downloading = dee.page.waitForEvent('download');
  await section.getByRole('button', { name: 'Download my data' }).click();
  const download = await downloading;
  const dayAfter = localDate(new Date());

  const fileName = download.suggestedFilename();
  const pattern = new RegExp(`^intentional-social-export-${dee.username}-(\\d{4}-\\d{2}-\\d{2})\\.json$`);
  expect(fileName).toMatch(pattern);
  expect([dayBefore, dayAfter]).toContain(pattern.exec(fileName)![1]);
  await expect(section.getByRole('status')).toHaveText(
    `Your data is ready. Your browser is saving it as ${fileName}.`,
  );
  // The long message wraps on a phone rather than widening the page.
  await captureScreen(dee.page, 'account-export-ready', { strict: true });

  expect(await download.failure()).toBeNull();
  const raw = await readFile(await download.path(), 'utf8');
  const data = JSON.parse(raw) as ExportFile;
  expect(data.format).toBe('intentional-social-export');
  expect(data.version).toBe(1);
  expect(Number.isNaN(Date.parse(data.exported_at))).toBe(false);
  expect(data).not.toHaveProperty('next_cursor');
  expect(data.profile).toMatchObject({ username: dee.username, email: dee.email, display_name: DEE_NAME, bio: DEE_BIO });

  // Her posts, her comment (under Eve's post) and her reaction, each exactly once.
  expect(data.posts.map((p) => p.content).sort()).toEqual([TEXT.deeFirst, TEXT.deeSecond].sort());
  expect(data.comments.map((c) => c.content)).toEqual([TEXT.deeComment]);
  expect(data.reactions.map((r) => r.kind)).toEqual(['heart']);
  expect(data.reactions[0].post_id).toBe(data.comments[0].post_id);
  expect(data.posts.map((p) => p.id)).not.toContain(data.comments[0].post_id);
  expect(data.connections.map((c) => c.user.username)).toEqual([eve.username]);

  // Eve appears by id and username only: none of her words, name or address.
  for (const hers of [TEXT.eve, TEXT.eveComment, EVE_NAME, eve.email]) expect(raw).not.toContain(hers);
});

test('Dee deletes her account with her password, and is gone for Eve', async ({ browser }) => {
  // Before: Eve has her as a connection, and her posts and comment.
  expect(await feedTexts(eve.page)).toEqual([TEXT.eve, TEXT.deeSecond, TEXT.deeFirst]);
  await expect(postCard(eve.page, TEXT.eve).getByRole('button', { name: '1 comment' })).toBeVisible();
  await go(eve.page, 'Connections');
  await expect(personLink(eve.page, dee, DEE_NAME)).toBeVisible();

  await go(dee.page, 'Account', 'Your account');
  const section = dee.page.getByRole('region', { name: 'Delete your account' });
  await section.getByLabel('Your password', { exact: true }).fill(PASSWORD);
  // Not without the box ticked: nothing happens but the reminder.
  await section.getByRole('button', { name: 'Delete my account' }).click();
  await expect(section.getByRole('alert')).toHaveText(
    'Tick the box to confirm that you understand this cannot be undone.',
  );
  await expect(dee.page).toHaveURL(/\/account$/);
  await captureScreen(dee.page, 'account-delete-unticked', { strict: true });

  const mailsBefore = await mailCount(dee.email);
  await section.getByRole('checkbox', { name: 'I understand this cannot be undone' }).check();
  await section.getByRole('button', { name: 'Delete my account' }).click();
  await expect(dee.page).toHaveURL(/\/goodbye$/);
  await expect(dee.page.getByRole('heading', { level: 1, name: 'Your account has been deleted' })).toBeVisible();
  await expect(dee.page.getByText(`We sent a confirmation to ${dee.email}.`)).toBeVisible();
  await expect(dee.page.getByRole('link', { name: 'Go to the start page' })).toBeVisible();
  await expect.poll(async () => (await subjectsTo(dee.email)).slice(mailsBefore)).toContain(
    'Your Intentional Social account was deleted',
  );
  await captureScreen(dee.page, 'goodbye', { strict: true });

  // The server ended her session too: a fresh load of a screen asks her to sign in.
  await dee.page.goto('/feed');
  await expect(dee.page).toHaveURL(/\/sign-in\?next=%2Ffeed$/);

  // Eve, on her next read: no posts of Dee's, no comment or reaction of hers, no connection, no page.
  expect(await feedTexts(eve.page)).toEqual([TEXT.eve]);
  const evePost = postCard(eve.page, TEXT.eve);
  await expect(evePost.getByRole('button', { name: '0 comments' })).toBeVisible();
  await expect(evePost.getByRole('button', { name: 'heart', exact: true })).toBeVisible();
  await go(eve.page, 'Connections');
  await expect(eve.page.getByText('You have no connections yet.')).toBeVisible();
  await expect(eve.page.getByRole('link', { name: `@${dee.username}` })).toHaveCount(0);
  await eve.page.goto(`/u/${dee.username}`);
  await expect(eve.page.getByText('There is no one with that username here.')).toBeVisible();

  // Signing in as Dee fails as any wrong password does, in a browser that never knew her.
  const other = await browser.newContext();
  const page = await other.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(dee.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'That username or email and password do not match an account. Check both and try again.',
  );
  await expect(page).toHaveURL(/\/sign-in$/);
  await other.close();
});

/** YYYY-MM-DD in this machine's time zone, which is also the browser's. */
function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The parts of the export this journey reads (docs/data-model.md, "The data export"). */
interface ExportFile {
  format: string;
  version: number;
  exported_at: string;
  profile: Record<string, unknown>;
  posts: { id: string; content: string }[];
  comments: { post_id: string; content: string }[];
  reactions: { post_id: string; kind: string }[];
  connections: { user: { username: string } }[];
}
