// Every page, as a visitor and logged in, in light and dark mode: no serious or critical
// accessibility violation (axe-core, WCAG 2.1 AA, colour contrast included), and nothing
// wider than a 390 px phone screen.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { modeLogin, register, shopLogin, uniqueUsername, waitForHydration } from './helpers';
import type { Page } from '@playwright/test';

/** Pages a visitor reaches without logging in. */
const PUBLIC_PAGES = [
  '/',
  '/register',
  '/account/password',
  '/shop',
  '/shop/login',
  '/shop/apple', // 401: "Error!" with a way to log in
  '/cookie/login',
  '/signed-cookie/login',
  '/session/login',
  '/jwt/login',
  '/inspector',
  '/attacks',
  '/no-such-page',
];

/** Pages that need a login, reached after `logIn`. */
const PRIVATE_PAGES = [
  '/shop/apple',
  '/shop/checkout',
  '/cookie/profile',
  '/signed-cookie/profile',
  '/session/profile',
  '/jwt/profile',
  '/inspector', // the jar full of cookies
  '/account/sessions',
];

const ISLAND_PAGES = new Set(['/', '/inspector', '/shop/apple', '/attacks']);

async function logIn(page: Page): Promise<void> {
  const username = uniqueUsername('a11y');
  await register(page, username);
  await shopLogin(page, username);
  for (const lab of ['cookie', 'signed-cookie', 'session', 'jwt']) await modeLogin(page, lab, username);
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  if (ISLAND_PAGES.has(path) && (await page.locator('leptos-island').count()) > 0) await waitForHydration(page);
  if (path === '/inspector') {
    // A decoded token fills the claims table, the widest thing on the page.
    await page.getByRole('button', { name: 'Use the example token' }).click();
    await expect(page.getByTestId('claims')).toBeVisible();
  }
  if (path === '/attacks') {
    // A run's answers: this server's, and the naive one's, in their coloured boxes.
    const variant = page.locator('#weak-secret [data-testid="variant"]');
    await variant.getByTestId('run').click();
    await expect(variant.getByTestId('naive-answer')).toBeVisible();
  }
}

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no serious violation on any page, ${colorScheme} mode`, async ({ page }) => {
    // Twenty-odd pages, each analysed in full: more than the default 30 s.
    test.slow();
    await page.emulateMedia({ colorScheme });
    const found: string[] = [];
    for (const path of PUBLIC_PAGES) {
      await open(page, path);
      found.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
    }
    await logIn(page);
    for (const path of PRIVATE_PAGES) {
      await open(page, path);
      found.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
    }
    expect(found).toEqual([]);
  });
}

test('no page is wider than a 390 px phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const tooWide: string[] = [];
  const measure = async (path: string) => {
    await open(page, path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) tooWide.push(`${path}: ${width}px`);
  };
  for (const path of PUBLIC_PAGES) await measure(path);
  await logIn(page);
  for (const path of PRIVATE_PAGES) await measure(path);
  expect(tooWide).toEqual([]);
});
