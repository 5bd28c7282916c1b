/**
 * End-to-end tests against the running local stack (`make dev`: the gateway
 * serves the built SPA and /api on http://127.0.0.1:3000; one-time codes are
 * read from the SES emulator's /store). Debian's Chromium is used as is: no
 * browser is ever downloaded.
 *
 *   npm run e2e                       # against make dev's stack
 *   E2E_BASE_URL=http://127.0.0.1:3200 SES_URL=http://127.0.0.1:8205 npm run e2e
 */
import { defineConfig } from '@playwright/test';

const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: './test-results',
  // The journeys build on each other's accounts within one file; keep them in order.
  fullyParallel: false,
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 10_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: './playwright-report' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
