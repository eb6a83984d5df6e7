// docs/spec.md §9.6 over the whole browser flow: the server runs at debug level with its log in a file
// (playwright.config.ts); after a shop visit, all four labs and the token API, no password,
// session id, cookie value or token the browser held may appear in it.
import * as fs from 'node:fs';
import { BrowserContext } from '@playwright/test';
import { expect, test } from './fixtures';
import { payFor, uniqueUsername, waitForHydration } from './helpers';

const MODES = ['cookie', 'signed-cookie', 'session', 'jwt'];

/** Every cookie value the browser holds now (HttpOnly ones included). */
async function cookieValues(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((cookie) => cookie.value).filter((value) => value.length >= 8);
}

test('no password, session id, cookie value or token reaches the server log', async ({ page, context }) => {
  const logFile = process.env.E2E_SERVER_LOG;
  expect(logFile, 'playwright.config.ts sets E2E_SERVER_LOG').toBeTruthy();
  const username = uniqueUsername('hygiene');
  const password = `hygiene ${Math.random().toString(36).slice(2)} passphrase`;
  const secrets = new Set<string>([password]);

  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);

  // The shop: a wrong password first (it must not be logged either), then the real one.
  for (const attempt of [`${password} wrong`, password]) {
    secrets.add(attempt);
    await page.goto('/shop/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(attempt);
    await page.getByRole('button', { name: 'Log in' }).click();
  }
  await expect(page.getByText('You are now logged in')).toBeVisible();
  (await cookieValues(context)).forEach((value) => secrets.add(value));
  await page.goto('/shop/apple');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Add an apple' }).click();
  await expect(page.getByText('You have 1 apple!')).toBeVisible();
  await payFor(page, 1);

  for (const mode of MODES) {
    await page.goto(`/${mode}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(new RegExp(`/${mode}/profile$`));
    await page.reload();
    (await cookieValues(context)).forEach((value) => secrets.add(value));
    await page.goto('/inspector');
    await waitForHydration(page);
    await page.goto(`/${mode}/profile`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(new RegExp(`/${mode}/login$`));
  }

  // The token API, as the viewer's "take your own token" does it, then /api/me with it.
  const token = await page.evaluate(async ([name, secret]) => {
    const response = await fetch('/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password: secret }),
    });
    const body = await response.json();
    await fetch('/api/me', { headers: { authorization: `Bearer ${body.access_token}` } });
    return body.access_token as string;
  }, [username, password]);
  expect(token.split('.')).toHaveLength(3);
  secrets.add(token);
  secrets.add(token.split('.')[1]);

  // A last request with a path of its own: once its line is in the log, so is every line
  // before it (no fixed wait).
  const marker = `/end-of-flow-${uniqueUsername('log')}`;
  await page.request.get(marker);
  await expect
    .poll(() => fs.readFileSync(logFile!, 'utf8').includes(marker), { timeout: 10_000 })
    .toBe(true);
  const log = fs.readFileSync(logFile!, 'utf8');
  expect(log, 'the flow was logged at debug level').toContain('shop login');
  expect(log).toMatch(/DEBUG/);
  for (const secret of secrets) {
    expect(log.includes(secret), `a secret (${secret.length} characters) appears in the server log`).toBe(false);
  }
});
