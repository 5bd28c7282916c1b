import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mailCount, waitForCode } from './ses';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SCREENS_DIR = fileURLToPath(new URL('../test-results/screens/', import.meta.url));

export const PASSWORD = 'quiet harbour 7 lanterns';

/** A unique suffix per run, so the specs also work on a dev stack that keeps its data. */
export const RUN = Date.now().toString(36).slice(-6);

export interface Person {
  name: string;
  username: string;
  email: string;
  context: BrowserContext;
  page: Page;
}

export async function newPerson(browser: Browser, name: string): Promise<Person> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { name, username: `${name}_${RUN}`, email: `${name}.${RUN}@example.com`, context, page };
}

/** Signs up through the two steps of the UI, reading the code from the SES emulator. */
export async function signUp(person: Person): Promise<void> {
  const { page } = person;
  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { level: 1, name: 'Create an account' })).toBeVisible();
  const before = await mailCount(person.email);
  await page.getByLabel('Email').fill(person.email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  const code = await waitForCode(person.email, before);
  await page.getByLabel('Code from the email').fill(code);
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(person.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Feed' })).toBeVisible();
}

/** Signs in with the username (or `login`, e.g. the email) and the journeys' password (or `password`). */
export async function signIn(
  page: Page,
  person: Person,
  { login = person.username, password = PASSWORD }: { login?: string; password?: string } = {},
): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Feed' })).toBeVisible();
}

/** In-app navigation through the main menu (keeps the in-memory session). */
export async function go(page: Page, label: string | RegExp, heading: string | RegExp = label): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

/**
 * Runs axe-core on the page: no serious or critical violations, or with
 * `strict` none at all (the screens added since, which start clean and
 * should stay so).
 */
export async function expectAccessible(page: Page, screen: string, { strict = false }: { strict?: boolean } = {}): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const counted = strict ? violations : violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(counted, `axe on ${screen}: ${JSON.stringify(counted, null, 2)}`).toEqual([]);
}

export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 900 };

/** Nothing wider than the window: a phone never scrolls sideways. */
export async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${screen} is ${overflow} px wider than the window`).toBeLessThanOrEqual(0);
}

/** The navigation shown at the current width: the top bar, or the phone's tab bar. */
export function navigation(page: Page, size: { width: number } = page.viewportSize() ?? DESKTOP) {
  return page.getByRole('navigation', { name: size.width <= PHONE_MAX ? 'Tab bar' : 'Main' });
}

/** The widest screen that gets the tab bar (styles/navigation.css: 48rem). */
const PHONE_MAX = 768;

/**
 * Screenshots of the current screen at phone and desktop width (test
 * artifacts under e2e/test-results/screens/), each audited with axe
 * (`strict`: every violation counts); neither width may scroll sideways.
 */
export async function captureScreen(page: Page, name: string, { strict = false }: { strict?: boolean } = {}): Promise<void> {
  const original = page.viewportSize() ?? DESKTOP;
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    await page.setViewportSize(size);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${SCREENS_DIR}${name}-${label}.png`, fullPage: true });
    await expectAccessible(page, `${name} (${label})`, { strict });
    await expectNoSidewaysScroll(page, `${name} (${label})`);
  }
  await page.setViewportSize(original);
}

/** The post texts a person's feed shows now (loaded afresh). */
export async function feedTexts(page: Page): Promise<string[]> {
  await page.goto('/feed');
  await expect(page.getByRole('heading', { level: 1, name: 'Feed' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Loading posts…' })).toHaveCount(0);
  return page.locator('.post__text').allTextContents();
}

/** Fills the feed's composer (text, audience, tags) and returns the form, for its Post button. */
export async function compose(
  page: Page,
  content: string,
  audience: 'All my connections' | 'People with chosen tags' | 'Only me',
  tags: string[] = [],
) {
  const form = page.getByRole('form', { name: 'Write a post' });
  await form.getByLabel('What would you like to share?').fill(content);
  await form.getByRole('radio', { name: audience }).check();
  for (const tag of tags) await form.getByRole('checkbox', { name: tag }).check();
  return form;
}

/** One post on screen, by its text (comments are articles too, but never hold the post's text). */
export function postCard(page: Page, text: string) {
  return page.locator('article.post').filter({ has: page.locator('.post__text', { hasText: text }) }).first();
}

/** `from` finds `to` under People and asks to connect; `to` accepts from Requests. */
export async function connect(from: Person, to: Person): Promise<void> {
  await go(from.page, 'People');
  await from.page.getByRole('textbox', { name: 'Username', exact: true }).fill(to.username);
  await from.page.getByRole('button', { name: 'Search' }).click();
  await from.page.getByRole('button', { name: 'Connect' }).click();
  await expect(from.page.getByText(`Waiting for @${to.username} to accept.`)).toBeVisible();
  await to.page.goto('/requests');
  await to.page.getByRole('button', { name: `Accept @${from.username}` }).click();
  await expect(to.page.getByText(`You and @${from.username} are now connected.`)).toBeVisible();
}

/** Posts `content` to all the person's connections from the feed's composer. */
export async function post(page: Page, content: string): Promise<void> {
  await go(page, 'Feed');
  const form = await compose(page, content, 'All my connections');
  await form.getByRole('button', { name: 'Post' }).click();
  await expect(page.locator('.post__text').first()).toHaveText(content);
}
