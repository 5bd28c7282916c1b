/**
 * Reporting, end to end through the real stack, with a pair of its own: Kim
 * and Lou connect and Lou writes a post; Kim reports it from her feed (why,
 * a note, and "Also block @lou"), sees the calm confirmation that Lou is not
 * told who reported him, and once she puts it away his post is gone from her
 * feed and he from her connections; a fresh load says the same. The open
 * report form and its confirmation are audited with axe (every violation
 * counts) at phone and desktop width.
 */
import { expect, test } from '@playwright/test';
import { captureScreen, connect, feedTexts, go, newPerson, post, postCard, signUp, type Person } from './support/app';

test.describe.configure({ mode: 'serial' });

let kim: Person;
let lou: Person;

const LOU_POST = 'Lou: buy followers cheap, message me now';

test.beforeAll(async ({ browser }) => {
  kim = await newPerson(browser, 'kim');
  lou = await newPerson(browser, 'lou');
});

test.afterAll(async () => {
  await kim?.context.close();
  await lou?.context.close();
});

test('Kim and Lou connect, and Lou writes a post Kim sees', async () => {
  await signUp(kim);
  await signUp(lou);
  await connect(kim, lou);
  await post(lou.page, LOU_POST);
  expect(await feedTexts(kim.page)).toEqual([LOU_POST]);
});

test('Kim reports Lou’s post and blocks him with it: a calm confirmation, then his post is gone', async () => {
  const { page } = kim;
  await feedTexts(page);
  const card = postCard(page, LOU_POST);
  // Her own posts have nothing to report; his has.
  await card.getByRole('button', { name: `Report post by @${lou.username}` }).click();
  const form = page.getByRole('form', { name: `Report this post by @${lou.username}` });
  await expect(form).toBeFocused();
  await expect(form.getByRole('radio')).toHaveCount(7);
  await form.getByRole('radio', { name: 'Spam' }).check();
  await form.getByRole('textbox', { name: /Anything else the operators should know/ }).fill('Selling followers.');
  await form.getByRole('checkbox', { name: `Also block @${lou.username}` }).check();
  await captureScreen(page, 'report-form', { strict: true });
  await form.getByRole('button', { name: 'Send report' }).click();

  const confirmation = card.getByRole('status');
  await expect(confirmation).toHaveText(
    `Thanks. An operator will look at it. @${lou.username} is not told who reported them. ` +
      `You blocked @${lou.username}: they can no longer see anything you share.`,
  );
  await captureScreen(page, 'report-done', { strict: true });
  await card.getByRole('button', { name: 'Done' }).click();
  await expect(postCard(page, LOU_POST)).toHaveCount(0);

  // So it stays on a fresh load: blocked, his post is not in her feed, nor he in her connections.
  expect(await feedTexts(page)).toEqual([]);
  await go(page, 'Connections');
  await expect(page.getByText('You have no connections yet.')).toBeVisible();
  await page.goto(`/u/${lou.username}`);
  await expect(page.getByText(`You blocked @${lou.username}.`)).toBeVisible();
});
