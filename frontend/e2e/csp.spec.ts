/**
 * The SPA under its production Content Security Policy: the local gateway
 * sends the same headers as the CloudFront response-headers policy, and no
 * page may trigger a violation (no inline script or style, no foreign origin).
 */
import { expect, test } from '@playwright/test';

const screens = ['/', '/sign-in', '/sign-up', '/forgot-password', '/feed', '/people', '/tags'];

test('every screen loads under the production CSP without a violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(message.text())) {
      violations.push(`${page.url()}: ${message.text()}`);
    }
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  for (const path of screens) {
    const response = await page.goto(path);
    expect(response, path).not.toBeNull();
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp, path).toContain("default-src 'self'");
    expect(csp, path).not.toContain('unsafe-inline');
    expect(response!.headers()['x-frame-options'], path).toBe('DENY');
    await page.waitForLoadState('networkidle');
    await expect(page.locator('main, [role="main"]').first(), path).toBeVisible();
  }
  expect(violations).toEqual([]);
});

test('a violation would be caught: an inline script is refused', async ({ page }) => {
  // Guards the guard: proves the listener above sees real violations.
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  await page.goto('/sign-in');
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.body.appendChild(script);
  });
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  expect(seen.length).toBeGreaterThan(0);
});
