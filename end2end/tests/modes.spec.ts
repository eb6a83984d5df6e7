// The four ways to stay logged in, in a real browser: each mode counts profile visits 1, 2, 3
// and logs out; the plain cookie can be rewritten by a page script to impersonate anyone; the
// same edit of the signed cookie sends the browser back to the login page, which says why.
import { expect, test } from './fixtures';
import { modeLogin, register, uniqueUsername } from './helpers';

const MODES = ['cookie', 'signed-cookie', 'session', 'jwt'];

for (const mode of MODES) {
  test(`${mode}: log in, visit the profile three times, log out`, async ({ page }) => {
    const username = uniqueUsername(mode.replace('-', '_'));
    await register(page, username);
    await modeLogin(page, mode, username);
    await expect(page.getByTestId('welcome')).toHaveText(`welcome ${username} with the count: 1`);
    for (const count of [2, 3]) {
      await page.reload();
      await expect(page.getByTestId('welcome')).toHaveText(`welcome ${username} with the count: ${count}`);
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(new RegExp(`/${mode}/login$`));
    // The login page says what the logout destroyed, once.
    await expect(page.getByRole('status')).toContainText('You are logged out.');
    await page.reload();
    await expect(page.getByTestId('notice')).toHaveCount(0);
    await page.goto(`/${mode}/profile`);
    await expect(page).toHaveURL(new RegExp(`/${mode}/login$`));
  });
}

test('cookie: a page script rewrites the user cookie and becomes someone else', async ({ page }) => {
  const username = uniqueUsername('plain');
  await register(page, username);
  await modeLogin(page, 'cookie', username);
  await expect(page.getByTestId('welcome')).toHaveText(`welcome ${username} with the count: 1`);
  const seen = await page.evaluate(() => document.cookie);
  expect(seen).toContain('user=');
  await page.evaluate(() => {
    const forged = JSON.stringify({ username: 'mallory', count: 41 });
    document.cookie = `user=${encodeURIComponent(forged)}; path=/; samesite=lax`;
  });
  await page.reload();
  await expect(page.getByTestId('welcome')).toHaveText('welcome mallory with the count: 42');
});

test('signed-cookie: the same edit sends the browser back to the login page', async ({ page, context }) => {
  const username = uniqueUsername('signed');
  await register(page, username);
  await modeLogin(page, 'signed-cookie', username);
  await expect(page.getByTestId('welcome')).toHaveText(`welcome ${username} with the count: 1`);
  // HttpOnly: page scripts can neither see the cookie nor overwrite it.
  expect(await page.evaluate(() => document.cookie)).not.toContain('signed_user');
  await page.evaluate(() => {
    document.cookie = 'signed_user=forged; path=/';
  });
  await page.reload();
  await expect(page.getByTestId('welcome')).toHaveText(`welcome ${username} with the count: 2`);
  // So edit it the way a user can, with the browser's own tools: change one character.
  const [sealed] = (await context.cookies()).filter((c) => c.name === 'signed_user');
  const flipped = (sealed.value[10] === 'A' ? 'B' : 'A');
  const edited = sealed.value.slice(0, 10) + flipped + sealed.value.slice(11);
  await context.addCookies([{ ...sealed, value: edited }]);
  await page.goto('/signed-cookie/profile');
  await expect(page).toHaveURL(/\/signed-cookie\/login$/);
  expect((await context.cookies()).some((c) => c.name === 'signed_user')).toBe(false);
  // And the login page says why, in the words of the check that failed.
  await expect(page.getByRole('alert')).toContainText('Your signed cookie failed its seal check');
});
