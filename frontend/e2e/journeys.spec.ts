/**
 * The issue-4 journeys, end to end through the real stack: two people sign up
 * through the UI, find each other, connect, tag, post to each audience and
 * each sees exactly what they should; edit, delete, untag and disconnect
 * change what the other sees; they comment and react under a post and hear of
 * it in their notifications, while a third person the post no longer reaches
 * sees none of it; one changes his password (his other device is signed out)
 * and his email (the code from the mailbox), then signs in with both; sign out
 * and sign out everywhere. Every screen is captured
 * at phone and desktop width and audited with axe.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  DESKTOP,
  PASSWORD,
  PHONE,
  RUN,
  captureScreen,
  compose,
  expectAccessible,
  expectNoSidewaysScroll,
  feedTexts,
  go,
  navigation,
  newPerson,
  postCard,
  signIn,
  signUp,
  type Person,
} from './support/app';
import { mailCount, waitForCode } from './support/ses';

test.describe.configure({ mode: 'serial' });

let ann: Person;
let ben: Person;
let cal: Person;
/** Ben's password after he changes it. */
const NEW_PASSWORD = 'amber kettle 4 meadows';
/** Ann's dinner post, for opening it at its own address. */
let postId: string;

const TEXT = {
  everyone: 'Ann to all her connections',
  close: 'Ann to the people she tagged Close',
  work: 'Ann to the people she tagged Work',
  private: 'Ann, a note to herself',
  edited: 'Ann to all her connections (edited)',
  later: 'Ann, a little later',
  dinner: 'Ann asks: dinner on Friday?',
  benReply: 'Count me in',
  annReply: 'Lovely, see you at 7',
};

/** The notifications a person has now (loaded afresh), as their words. */
async function notificationTexts(page: Page): Promise<string[]> {
  await page.goto('/notifications');
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Loading notifications…' })).toHaveCount(0);
  const texts = await page.locator('.notification__link').allTextContents();
  return texts.map((t) => t.replace(/^Unread:\s*/, '').trim());
}

test.beforeAll(async ({ browser }) => {
  ann = await newPerson(browser, 'ann');
  ben = await newPerson(browser, 'ben');
  cal = await newPerson(browser, 'cal');
});

test.afterAll(async () => {
  await ann?.context.close();
  await ben?.context.close();
  await cal?.context.close();
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

test('a third person connects with Ann, and each hears of it', async () => {
  await signUp(cal);
  await go(cal.page, 'People');
  await cal.page.getByRole('textbox', { name: 'Username', exact: true }).fill(ann.username);
  await cal.page.getByRole('button', { name: 'Search' }).click();
  await cal.page.getByRole('button', { name: 'Connect' }).click();
  await expect(cal.page.getByText(`Waiting for @${ann.username} to accept.`)).toBeVisible();

  await expect.poll(() => notificationTexts(ann.page)).toContain(`@${cal.username} wants to connect with you`);
  await ann.page.goto('/requests');
  await ann.page.getByRole('button', { name: `Accept @${cal.username}` }).click();
  await expect(ann.page.getByText(`You and @${cal.username} are now connected.`)).toBeVisible();
  await expect.poll(() => notificationTexts(cal.page)).toEqual([`@${ann.username} accepted your request`]);
});

test('two people comment and react under a post, and see each other’s reactions and notifications', async () => {
  await go(ann.page, 'Feed');
  await compose(ann.page, TEXT.dinner, 'All my connections');
  await ann.page.getByRole('form', { name: 'Write a post' }).getByRole('button', { name: 'Post' }).click();
  const mine = postCard(ann.page, TEXT.dinner);
  await mine.getByRole('button', { name: 'Who can see this' }).click();
  await expect(mine.getByText('2 people can see this post now:')).toBeVisible();
  const audience = mine.getByRole('list', { name: 'Who can see this' });
  await expect(audience.getByRole('link')).toHaveCount(2);
  await expect(audience).toContainText(`@${ben.username}`);
  await expect(audience).toContainText(`@${cal.username}`);

  // Ben reacts and comments from his feed.
  await feedTexts(ben.page);
  const his = postCard(ben.page, TEXT.dinner);
  await his.getByRole('button', { name: 'heart' }).click();
  await expect(his.getByRole('button', { name: 'heart, 1' })).toHaveAttribute('aria-pressed', 'true');
  await his.getByRole('button', { name: '0 comments' }).click();
  await his.getByRole('textbox', { name: 'Write a comment' }).fill(TEXT.benReply);
  await his.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(his.locator('.comment .post__text')).toHaveText([TEXT.benReply]);
  await expect(his.getByRole('button', { name: '1 comment' })).toBeVisible();
  await captureScreen(ben.page, 'post-thread');

  // Ann hears of both, with the unread count on every screen.
  await expect
    .poll(() => notificationTexts(ann.page))
    .toEqual(expect.arrayContaining([`@${ben.username} commented on your post`, `@${ben.username} reacted to your post`]));
  // Chromium names it "Notifications , 3 unread": the badge's box adds a space.
  await expect(navigation(ann.page).getByRole('link', { name: /^Notifications\b.*, \d+ unread$/ })).toBeVisible();
  await captureScreen(ann.page, 'notifications');

  // On a phone: the tab bar carries the badge, and "More" opens the rest.
  await ann.page.setViewportSize(PHONE);
  const tabs = navigation(ann.page, PHONE);
  await expect(tabs.getByRole('link', { name: /^Notifications\b.*, \d+ unread$/ })).toBeVisible();
  await tabs.getByRole('button', { name: 'More' }).click();
  await expect(tabs.getByRole('link', { name: 'Connections' })).toBeVisible();
  await expectAccessible(ann.page, 'tab bar with More open (phone)');
  await expectNoSidewaysScroll(ann.page, 'tab bar with More open');
  await ann.page.keyboard.press('Escape');
  await expect(tabs.getByRole('link', { name: 'Connections' })).toHaveCount(0);
  await ann.page.setViewportSize(DESKTOP);

  // Opening the notification leads to the post with its thread, and marks it read.
  const note = ann.page.getByRole('link', { name: `Unread: @${ben.username} commented on your post` });
  await note.click();
  await expect(ann.page).toHaveURL(/\/posts\/[^/]+$/);
  const onPage = postCard(ann.page, TEXT.dinner);
  await expect(onPage.locator('.comment .post__text')).toHaveText([TEXT.benReply]);
  await expect(onPage.getByRole('button', { name: 'heart, 1' })).toHaveAttribute('aria-pressed', 'false');
  await onPage.getByRole('button', { name: 'Who reacted' }).click();
  await expect(onPage.getByRole('list', { name: 'Who reacted' })).toContainText(`@${ben.username}`);
  await onPage.getByRole('button', { name: 'thanks' }).click();
  await expect(onPage.getByRole('button', { name: 'thanks, 1' })).toHaveAttribute('aria-pressed', 'true');
  await onPage.getByRole('textbox', { name: 'Write a comment' }).fill(TEXT.annReply);
  await onPage.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(onPage.locator('.comment .post__text')).toHaveText([TEXT.benReply, TEXT.annReply]);
  await captureScreen(ann.page, 'post-page');
  postId = new URL(ann.page.url()).pathname.split('/').pop()!;
  expect(await notificationTexts(ann.page)).toContain(`@${ben.username} commented on your post`);
  await expect(ann.page.getByRole('link', { name: `Unread: @${ben.username} commented on your post` })).toHaveCount(0);

  // Ben hears of Ann's reply and sees her reaction beside his.
  await expect.poll(() => notificationTexts(ben.page)).toContain(`@${ann.username} also commented on a post you commented on`);
  await ben.page.getByRole('link', { name: `Unread: @${ann.username} also commented on a post you commented on` }).click();
  const there = postCard(ben.page, TEXT.dinner);
  await expect(there.locator('.comment .post__text')).toHaveText([TEXT.benReply, TEXT.annReply]);
  await expect(there.getByRole('button', { name: 'heart, 1' })).toHaveAttribute('aria-pressed', 'true');
  await expect(there.getByRole('button', { name: 'thanks, 1' })).toHaveAttribute('aria-pressed', 'false');
});

test('a third person the post no longer reaches sees none of it', async () => {
  // Cal could see it while it went to all of Ann's connections.
  expect(await feedTexts(cal.page)).toContain(TEXT.dinner);

  await go(ann.page, 'My posts');
  const mine = postCard(ann.page, TEXT.dinner);
  await mine.getByRole('button', { name: 'Change audience' }).click();
  const form = mine.getByRole('form', { name: 'Change who can see this post' });
  await form.getByRole('radio', { name: 'People with chosen tags' }).check();
  await form.getByRole('checkbox', { name: 'Work' }).check();
  await expect(form.locator('.audience__summary')).toHaveText('Visible to 1 person tagged Work.');
  await captureScreen(ann.page, 'post-audience');
  await form.getByRole('button', { name: 'Save audience' }).click();
  await expect(mine.locator('.badge')).toHaveText(/Tagged Work/);
  await mine.getByRole('button', { name: 'Who can see this' }).click();
  await expect(mine.getByText('1 person can see this post now:')).toBeVisible();
  await expect(mine.getByRole('list', { name: 'Who can see this' }).getByRole('link')).toHaveText([`@${ben.username}`]);

  // Cal: not in his feed, not at its address, not in his notifications.
  expect(await feedTexts(cal.page)).not.toContain(TEXT.dinner);
  await cal.page.goto(`/posts/${postId}`);
  await expect(cal.page.getByText('it was deleted, or it is no longer shared with you')).toBeVisible();
  await expect(cal.page.getByText(TEXT.benReply)).toHaveCount(0);
  expect(await notificationTexts(cal.page)).toEqual([`@${ann.username} accepted your request`]);
  await expect(cal.page.locator('.notification__link[href^="/posts/"]')).toHaveCount(0);
});

test('a notification goes when what it was about goes', async () => {
  await ben.page.goto(`/posts/${postId}`);
  const his = postCard(ben.page, TEXT.dinner);
  await his.getByRole('button', { name: `Delete comment by @${ben.username}` }).click();
  await his.getByRole('group', { name: /Delete this comment\?/ }).getByRole('button', { name: 'Delete comment' }).click();
  await expect(his.locator('.comment .post__text')).toHaveText([TEXT.annReply]);
  await expect(his.getByRole('button', { name: '1 comment' })).toBeVisible();

  await expect.poll(() => notificationTexts(ann.page)).not.toContain(`@${ben.username} commented on your post`);
  // Ann's own reaction (thanks) is hers: it is not one of the "others" who reacted.
  expect(await notificationTexts(ann.page)).toContain(`@${ben.username} reacted to your post`);

  // Ben takes his reaction back: Ann's post shows only her own.
  await ben.page.goto(`/posts/${postId}`);
  await postCard(ben.page, TEXT.dinner).getByRole('button', { name: 'heart, 1' }).click();
  await expect(postCard(ben.page, TEXT.dinner).getByRole('button', { name: 'heart', exact: true })).toHaveAttribute('aria-pressed', 'false');

  // Cal's part ends here: Ann disconnects, which leaves her with Ben alone.
  await go(ann.page, 'Connections');
  await ann.page.getByRole('button', { name: `Disconnect from @${cal.username}` }).click();
  await ann.page.getByRole('group', { name: new RegExp(`Disconnect from @${cal.username}\\?`) }).getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(ann.page.getByLabel('1 of 100 connections')).toHaveText('1 / 100');
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

test('Ben changes his password: his other devices are signed out, this one stays, and the new one signs him in', async ({ browser }) => {
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, ben);

  await go(ben.page, 'Account', 'Your account');
  const section = ben.page.getByRole('region', { name: 'Change password' });
  await section.getByLabel('Current password', { exact: true }).fill(PASSWORD);
  await section.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await expect(section.getByText(/^Strength:/)).toBeVisible();
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('status')).toHaveText(/Your other devices were signed out; this one stays signed in\./);
  await captureScreen(ben.page, 'account-password-changed');

  // This browser keeps its session (the answer set a new refresh cookie)…
  await ben.page.reload();
  await expect(ben.page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  // …the other one's has ended.
  await second.reload();
  await expect(second).toHaveURL(/\/sign-in\?next=%2Ffeed$/);

  // The old password no longer works there; the new one does.
  await second.getByLabel('Username or email').fill(ben.username);
  await second.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await second.getByRole('button', { name: 'Sign in' }).click();
  await expect(second.getByRole('alert').first()).toBeVisible();
  await signIn(second, ben, { password: NEW_PASSWORD });
  await other.close();
});

test('Ben changes his email with the code from the mailbox, then signs in with the new address', async ({ browser }) => {
  const oldEmail = ben.email;
  const newEmail = `ben.new.${RUN}@example.com`;
  const noticesBefore = await mailCount(oldEmail);
  const codesBefore = await mailCount(newEmail);

  await go(ben.page, 'Account', 'Your account');
  const section = ben.page.getByRole('region', { name: 'Change email address' });
  await section.getByLabel('New email address').fill(newEmail);
  await section.getByLabel('Current password', { exact: true }).fill(NEW_PASSWORD);
  await section.getByRole('button', { name: 'Send code' }).click();
  await expect(section.getByText(`We sent a code to ${newEmail}.`, { exact: false })).toBeVisible();
  await captureScreen(ben.page, 'account-email-code');

  const code = await waitForCode(newEmail, codesBefore);
  await section.getByLabel('Code from the email').fill(code);
  await section.getByRole('button', { name: 'Confirm new address' }).click();
  await expect(section.getByRole('status')).toHaveText(`Your email address is now ${newEmail}. We let ${oldEmail} know about the change.`);
  await expect(ben.page.locator('.details dd').filter({ hasText: newEmail })).toBeVisible();
  // The old address is told.
  await expect.poll(() => mailCount(oldEmail)).toBeGreaterThan(noticesBefore);
  ben.email = newEmail;

  // A fresh browser signs in with the new address.
  const other = await browser.newContext();
  const page = await other.newPage();
  await signIn(page, ben, { login: newEmail, password: NEW_PASSWORD });
  await go(page, 'Account', 'Your account');
  await expect(page.locator('.details dd').filter({ hasText: newEmail })).toBeVisible();
  await other.close();
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
