// The pages every whole-site browser test walks (accessibility, width, screenshots), and how
// to open each in the state worth looking at.
import { expect, type Page } from '@playwright/test';
import { modeLogin, register, shopLogin, waitForHydration } from './helpers';

/** Pages a visitor reaches without logging in. */
export const PUBLIC_PAGES = [
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
export const PRIVATE_PAGES = [
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

/** A new account, logged in to the shop and all four labs. */
export async function logIn(page: Page, username: string): Promise<void> {
  await register(page, username);
  await shopLogin(page, username);
  for (const lab of ['cookie', 'signed-cookie', 'session', 'jwt']) await modeLogin(page, lab, username);
}

/** Opens a page, hydrated, in the state worth looking at. */
export async function open(page: Page, path: string): Promise<void> {
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

