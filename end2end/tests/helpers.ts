// Shared steps: make a unique account, log in to the shop, wait for hydration.
import { expect, Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';

export function uniqueUsername(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function register(page: Page, username: string): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);
}

export async function shopLogin(page: Page, username: string): Promise<void> {
  await page.goto('/shop/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('You are now logged in')).toBeVisible();
}

/** A new account, logged in to the shop, on `/shop/apple` with its button live. */
export async function atTheShop(page: Page, username: string): Promise<void> {
  await register(page, username);
  await shopLogin(page, username);
  await page.goto('/shop/apple');
  await waitForHydration(page);
}

/** Logs in to one of the four labs (`cookie`, `signed-cookie`, `session`, `jwt`). */
export async function modeLogin(page: Page, mode: string, username: string): Promise<void> {
  await page.goto(`/${mode}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${mode}/profile$`));
}

/** The wasm entry marks <body data-hydrated> once the page is live. */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Checks the cart holds `apples`, pays, and sees the receipt. */
/** "1 apple", "N apples", as the shop says it. */
export function apples(n: number): string {
  return n === 1 ? '1 apple' : `${n} apples`;
}

export async function payFor(page: Page, count: number): Promise<void> {
  await page.goto('/shop/checkout');
  await expect(page.getByText(`You have ${apples(count)} in your cart`)).toBeVisible();
  await page.getByRole('button', { name: 'Pay' }).click();
  await expect(page.getByText(`You paid for your ${apples(count)}!`)).toBeVisible();
}
