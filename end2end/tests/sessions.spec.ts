// Where you're signed in (docs/spec.md §11): one browser ends another's login, and "Sign out
// everywhere else" leaves only the browser that clicked it.
import { test, expect } from './fixtures';
import { modeLogin, register, uniqueUsername, waitForHydration } from './helpers';

test('a login ended from another browser is sent to its login page on the next click', async ({ browser }) => {
  const sessionLab = await browser.newContext();
  const jwtLab = await browser.newContext();
  const a = await sessionLab.newPage();
  const b = await jwtLab.newPage();
  const username = uniqueUsername('where');
  await register(a, username);
  await modeLogin(a, 'session', username);
  await modeLogin(b, 'jwt', username);

  await b.goto('/account/sessions');
  await expect(b.getByRole('heading', { name: "Where you're signed in" })).toBeVisible();
  const rows = b.getByTestId('login');
  await expect(rows).toHaveCount(2);
  await expect(b.locator('[data-testid="login"][data-this-browser="true"]')).toHaveAttribute('data-kind', 'jwt');
  await b.getByRole('button', { name: /End this login \(Server-side session lab/ }).click();
  await expect(b.getByTestId('ended')).toHaveText(/Ended 1 login/);
  await expect(rows).toHaveCount(1);

  // The first browser is still on its profile page; its next click finds the login ended.
  await a.getByRole('link', { name: 'Session', exact: true }).click();
  await expect(a).toHaveURL(/\/session\/login$/);
  await expect(a.getByTestId('notice')).toHaveText(/This login was ended from your account's sessions page/);
  await expect(a.getByTestId('notice')).toHaveAttribute('data-notice', 'ended');

  await sessionLab.close();
  await jwtLab.close();
});

test('"Sign out everywhere else" leaves only the current browser', async ({ browser }) => {
  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext()));
  const [here, ...elsewhere] = await Promise.all(contexts.map((c) => c.newPage()));
  const username = uniqueUsername('others');
  await register(here, username);
  await modeLogin(here, 'session', username);
  await modeLogin(elsewhere[0], 'signed-cookie', username);
  await modeLogin(elsewhere[1], 'jwt', username);

  await here.goto('/account/sessions');
  await expect(here.getByTestId('login')).toHaveCount(3);
  await here.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(here.getByTestId('ended')).toHaveText(/Ended 2 logins/);
  await expect(here.getByTestId('login')).toHaveCount(1);
  await expect(here.getByTestId('login')).toHaveAttribute('data-this-browser', 'true');
  await expect(here.getByRole('button', { name: 'Sign out everywhere else' })).toHaveCount(0);

  await elsewhere[0].goto('/signed-cookie/profile');
  await expect(elsewhere[0]).toHaveURL(/\/signed-cookie\/login$/);
  await expect(elsewhere[0].getByTestId('notice')).toHaveAttribute('data-notice', 'ended');
  await elsewhere[1].goto('/jwt/profile');
  await expect(elsewhere[1]).toHaveURL(/\/jwt\/login$/);
  await expect(elsewhere[1].getByTestId('notice')).toHaveAttribute('data-notice', 'revoked');
  await Promise.all(contexts.map((c) => c.close()));
});

test('the list refreshes itself without a reload when a login starts elsewhere', async ({ browser }) => {
  const watching = await browser.newContext();
  const elsewhere = await browser.newContext();
  const a = await watching.newPage();
  const b = await elsewhere.newPage();
  const username = uniqueUsername('live');
  await register(a, username);
  await modeLogin(a, 'session', username);
  await a.goto('/account/sessions');
  await waitForHydration(a);
  await expect(a.getByTestId('login')).toHaveCount(1);
  // A mark on this very document: a reload would lose it.
  await a.evaluate(() => document.body.setAttribute('data-unreloaded', 'yes'));

  await modeLogin(b, 'jwt', username);
  await expect(a.getByTestId('login')).toHaveCount(2, { timeout: 15_000 });
  await expect(a.locator('[data-testid="login"][data-kind="jwt"]')).toHaveCount(1);
  await expect(a.locator('body')).toHaveAttribute('data-unreloaded', 'yes');

  await watching.close();
  await elsewhere.close();
});
