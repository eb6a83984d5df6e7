// The browser side of the hardening: the Content-Security-Policy is really enforced (an
// injected inline script does not run, and Chromium reports it the way the fixture looks
// for), while the app's own scripts and wasm run under it on every kind of page.
import { test as plainTest } from '@playwright/test';
import { expect, isCspViolation, test } from './fixtures';
import { register, shopLogin, uniqueUsername, waitForHydration } from './helpers';

plainTest('an injected inline script is blocked and reported as a CSP violation', async ({ page }) => {
  const reports: string[] = [];
  page.on('console', (message) => {
    if (isCspViolation(message.text())) reports.push(message.text());
  });
  await page.goto('/');
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.body.append(script);
  });
  expect(await page.evaluate(() => (window as any).__injected)).toBeUndefined();
  await expect.poll(() => reports.length).toBeGreaterThan(0);
});

test('pages hydrate under the policy: home, viewer, shop', async ({ page }) => {
  const username = uniqueUsername('csp');
  await register(page, username);
  await shopLogin(page, username);
  for (const path of ['/', '/inspector', '/shop/apple']) {
    const response = await page.goto(path);
    expect(response?.headers()['content-security-policy']).toContain("'wasm-unsafe-eval'");
    await waitForHydration(page);
  }
});
