// `make test`'s Lighthouse step (run by infra/local/lighthouse.sh): Google's
// page audits, mobile form factor with Lighthouse's default simulated
// throttling, on Debian's Chromium (never a downloaded browser), against the
// built SPA on a real local gateway. Two pages: the welcome page of an
// anonymous visitor, then the feed of a seeded person signed in through the
// sign-in form (the browser keeps the refresh cookie and the "a session may
// exist" marker; Lighthouse clears the HTTP cache before each page, not
// those). Each page must score at least MIN below; otherwise the failing
// audits are printed and the exit status is 1. Reports (HTML and JSON) go to
// $REPORT_DIR.
//
// Environment: GATEWAY_URL, REPORT_DIR, CHROME_PATH (/usr/bin/chromium),
// LIGHTHOUSE_LOGIN and LIGHTHOUSE_PASSWORD (the seeded person).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const MIN = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 };

const base = required('GATEWAY_URL').replace(/\/+$/, '');
const reportDir = required('REPORT_DIR');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Audits `url` in `page`; writes the reports; returns the failures, printed. */
async function audit(page, name, url) {
  const started = Date.now();
  const result = await lighthouse(
    url,
    { logLevel: 'error', output: ['html', 'json'], onlyCategories: Object.keys(MIN) },
    undefined,
    page,
  );
  if (!result) throw new Error(`lighthouse gave no result for ${url}`);
  const [html, json] = result.report;
  await writeFile(join(reportDir, `${name}.html`), html);
  await writeFile(join(reportDir, `${name}.json`), json);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`${name}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);

  const scores = Object.entries(MIN).map(([id, min]) => {
    const score = Math.round((lhr.categories[id]?.score ?? 0) * 100);
    return { id, min, score };
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${name} (${lhr.finalDisplayedUrl}, ${seconds}s): ${scores.map((s) => `${s.id} ${s.score}`).join(', ')}`);
  const failed = scores.filter((s) => s.score < s.min);
  for (const { id, min, score } of failed) {
    console.log(`  ${id} ${score} < ${min}; the audits that cost it:`);
    for (const ref of lhr.categories[id].auditRefs) {
      const found = lhr.audits[ref.id];
      if (ref.weight > 0 && found.score !== null && found.score < 1) {
        const value = found.displayValue ? ` (${found.displayValue})` : '';
        console.log(`    - ${found.id}: ${found.title}${value}, score ${Math.round(found.score * 100)}`);
      }
    }
  }
  for (const warning of lhr.runWarnings) console.log(`  warning: ${warning}`);
  return failed.map((s) => `${name} ${s.id} ${s.score} < ${s.min}`);
}

async function signIn(page) {
  await page.goto(`${base}/sign-in`, { waitUntil: 'networkidle0' });
  await page.locator('::-p-aria(Username or email)').fill(required('LIGHTHOUSE_LOGIN'));
  await page.locator('input[type="password"]').fill(required('LIGHTHOUSE_PASSWORD'));
  await page.locator('::-p-aria([name="Sign in"][role="button"])').click();
  await page.waitForFunction(() => window.location.pathname === '/feed', { timeout: 30_000 });
}

await mkdir(reportDir, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  // Root in CI cannot use Chromium's sandbox; the rest keeps the browser quiet.
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
try {
  const page = await browser.newPage();
  failures.push(...(await audit(page, 'welcome', `${base}/`)));
  await signIn(page);
  failures.push(...(await audit(page, 'feed', `${base}/feed`)));
} finally {
  await browser.close();
}
console.log(`reports: ${reportDir}`);
if (failures.length > 0) {
  console.error(`lighthouse: below the thresholds: ${failures.join('; ')}`);
  process.exit(1);
}
