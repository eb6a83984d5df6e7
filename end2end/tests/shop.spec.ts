// The apple shop in a real browser: with wasm (count updates in place), without JavaScript
// (plain forms and redirects), and across two tabs of one browser.
import { expect, test } from './fixtures';
import { apples, atTheShop, payFor, register, shopLogin, uniqueUsername, waitForHydration } from './helpers';

test('register, log in, add three apples in place, pay, log out', async ({ page }) => {
  const username = uniqueUsername('e2e');
  await register(page, username);
  await shopLogin(page, username);

  await page.goto('/shop/apple');
  await expect(page.getByText('You have 0 apples!')).toBeVisible();
  await waitForHydration(page);
  // A full page load would wipe this marker: it proves the count changes in place.
  await page.evaluate(() => ((window as any).__samePage = true));
  for (const n of [1, 2, 3]) {
    await page.getByRole('button', { name: 'Add an apple' }).click();
    await expect(page.getByText(`You have ${apples(n)}!`)).toBeVisible();
  }
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
  expect(new URL(page.url()).pathname).toBe('/shop/apple');

  await payFor(page, 3);

  await page.goto('/shop');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/shop$/);
  const response = await page.goto('/shop/apple');
  expect(response?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Error!' })).toBeVisible();
  await expect(page.getByText('You are not logged in')).toBeVisible();
});

test('a second tab of the same browser sees the same cart', async ({ context }) => {
  const username = uniqueUsername('tabs');
  const first = await context.newPage();
  await atTheShop(first, username);
  await first.getByRole('button', { name: 'Add an apple' }).click();
  await expect(first.getByText('You have 1 apple!')).toBeVisible();

  const second = await context.newPage();
  await second.goto('/shop/apple');
  await expect(second.getByText('You have 1 apple!')).toBeVisible();
  await waitForHydration(second);
  await second.getByRole('button', { name: 'Add an apple' }).click();
  await expect(second.getByText('You have 2 apples!')).toBeVisible();

  await first.reload();
  await expect(first.getByText('You have 2 apples!')).toBeVisible();
});

test('"Add an apple" after a logout in another tab shows the server\'s reason, and clears it on success', async ({ context }) => {
  const username = uniqueUsername('gone');
  const page = await context.newPage();
  await atTheShop(page, username);
  const other = await context.newPage();
  await other.goto('/shop');
  await other.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Add an apple' }).click();
  await expect(page.getByRole('alert')).toHaveText('You are not logged in');
  await expect(page.getByRole('alert')).toHaveCount(1);
  await shopLogin(other, username);
  await page.getByRole('button', { name: 'Add an apple' }).click();
  await expect(page.getByText('You have 1 apple!')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the whole shop works with plain forms and redirects', async ({ page }) => {
    const username = uniqueUsername('nojs');
    await register(page, username);
    await shopLogin(page, username);

    await page.goto('/shop/apple');
    for (const n of [1, 2, 3]) {
      await page.getByRole('button', { name: 'Add an apple' }).click();
      await expect(page).toHaveURL(/\/shop\/apple$/);
      await expect(page.getByText(`You have ${apples(n)}!`)).toBeVisible();
    }
    await expect(page.locator('body[data-hydrated]')).toHaveCount(0);

    await payFor(page, 3);

    await page.goto('/shop');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.goto('/shop/apple');
    await expect(page.getByText('You are not logged in')).toBeVisible();
  });

  test('a wrong password shows one generic error', async ({ page }) => {
    const username = uniqueUsername('wrong');
    await register(page, username);
    await page.goto('/shop/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByText('Invalid username or password')).toBeVisible();
  });
});
