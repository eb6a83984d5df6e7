// The attack lab (docs/spec.md §12) reads as a page without JavaScript: every card, each
// crafted request and the answer this server gives.
import { test, expect } from './fixtures';
import { modeLogin, register, uniqueUsername, waitForHydration } from './helpers';

test('the attack lab is a readable page without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/attacks');
  await expect(page.getByRole('heading', { name: 'Attack lab', level: 1 })).toBeVisible();
  await expect(page.getByTestId('attack')).toHaveCount(12);
  const none = page.locator('#alg-none');
  await expect(none.getByTestId('variant')).toHaveCount(4);
  await expect(none.getByText('unsigned tokens (alg "none") are never accepted').first()).toBeVisible();
  const plain = page.locator('#cookie-tampering [data-testid="variant"]').first();
  await expect(plain).toContainText('welcome admin with the count: 1001');
  await page.getByRole('navigation', { name: 'Attacks' }).getByRole('link', { name: 'Cross-site POST (CSRF)' }).click();
  await expect(page).toHaveURL(/#csrf$/);
  await context.close();
});

/** Every request the page leaves for, and the headers it carries. */
function watchRequests(page: import('@playwright/test').Page) {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  page.on('request', (request) => sent.push({ url: request.url(), headers: request.headers() }));
  return sent;
}

test('"Run it" sends each card\'s request and shows the reason this server gave', async ({ page, baseURL }) => {
  const sent = watchRequests(page);
  await page.goto('/attacks');
  await waitForHydration(page);
  const variants = page.getByTestId('variant');
  const count = await variants.count();
  let ran = 0;
  for (let i = 0; i < count; i++) {
    const variant = variants.nth(i);
    if (await variant.getAttribute('data-run')) continue; // the cross-site posts, below
    const expectedReason = (await variant.getAttribute('data-reason'))!;
    await variant.getByTestId('run').click();
    const answer = variant.getByTestId('server-answer');
    await expect(answer).toBeVisible();
    // The page says whether the answer is the card's, from the status and the reason the
    // server gave (a JSON message, or the words of the page it redirected to).
    await expect(answer, await variant.locator('h3').innerText()).toHaveAttribute('data-expected', 'true');
    const reason = (await variant.getByTestId('server-reason').innerText()).trim();
    if ((await variant.getAttribute('data-status')) !== '303') expect(reason).toContain(expectedReason);
    else expect(reason.length).toBeGreaterThan(10);
    ran++;
  }
  expect(ran).toBe(count - 2);
  // The one that works: the plain cookie, edited.
  const plain = page.locator('#cookie-tampering [data-testid="variant"]').first();
  await expect(plain.getByTestId('server-answer')).toContainText('200');
  await expect(plain.getByTestId('server-reason')).toHaveText('welcome admin with the count: 1001');
  // A naive server accepts the alg "none" token, computed in the page.
  await expect(page.locator('#alg-none [data-testid="naive-answer"]').first()).toContainText('200, you are admin');
  // Tokens went only to this server.
  const origin = new URL(baseURL!).origin;
  const carrying = sent.filter((r) => r.headers['authorization']);
  expect(carrying.length).toBeGreaterThan(15);
  for (const request of carrying) expect(new URL(request.url).origin).toBe(origin);
  expect(sent.every((r) => new URL(r.url).origin === origin)).toBe(true);
});

test('the weak-secret card cracks the demo token in the browser and reports keys per second', async ({ page }) => {
  await page.goto('/attacks');
  await waitForHydration(page);
  const card = page.locator('#weak-secret [data-testid="variant"]');
  await card.getByTestId('run').click();
  const naive = card.getByTestId('naive-answer');
  await expect(naive).toContainText('found its secret, "secret"');
  await expect(naive).toContainText(/\d+ keys\/s/);
});

test('a cross-site logout form, from another port and from another host name, gets 403', async ({ page }) => {
  const username = uniqueUsername('csrf');
  await register(page, username);
  await modeLogin(page, 'session', username);
  for (const which of [0, 1]) {
    await page.goto('/attacks#csrf');
    await waitForHydration(page);
    const variant = page.locator('#csrf [data-testid="variant"]').nth(which);
    const evil = new URL((await variant.getAttribute('data-run'))!);
    expect(evil.port).not.toBe(new URL(page.url()).port);
    await variant.getByTestId('run').click();
    await expect(page).toHaveURL(/\/session\/logout$/);
    await expect(page.getByText('This request came from another site and was refused.')).toBeVisible();
  }
  // Neither post logged anyone out.
  await page.goto('/session/profile');
  await expect(page.getByTestId('welcome')).toContainText(`welcome ${username}`);
});

test('the cards of several requests play them: replay after logout, session fixation, brute force', async ({ page }) => {
  await page.goto('/attacks');
  await waitForHydration(page);
  for (const slug of ['replay-after-logout', 'session-fixation', 'brute-force']) {
    const card = page.locator(`#${slug}`);
    await card.getByTestId('run').click();
    const answer = card.getByTestId('server-answer');
    await expect(answer, slug).toBeVisible({ timeout: 20_000 });
    await expect(answer, slug).toHaveAttribute('data-expected', 'true');
    await expect(card.getByTestId('run-steps').locator('li').first()).toBeVisible();
  }
  await expect(page.locator('#replay-after-logout [data-testid="server-reason"]')).toHaveText(
    'the token was revoked by a logout',
  );
  await expect(page.locator('#replay-after-logout [data-testid="naive-answer"]')).toContainText('until its exp');
  await expect(page.locator('#session-fixation [data-testid="server-reason"]')).toContainText('the planted id stays anonymous');
  await expect(page.locator('#brute-force [data-testid="server-answer"]')).toContainText('429');
  await expect(page.locator('#brute-force [data-testid="server-answer"]')).toContainText(/Retry-After: \d+ s/);
  // The fixation run left this browser logged out, as it found it.
  await page.goto('/session/profile');
  await expect(page).toHaveURL(/\/session\/login$/);
});

test('the fixation run refuses to touch a browser that is logged in', async ({ page }) => {
  const username = uniqueUsername('fix');
  await register(page, username);
  await modeLogin(page, 'session', username);
  await page.goto('/attacks');
  await waitForHydration(page);
  const card = page.locator('#session-fixation');
  await card.getByTestId('run').click();
  await expect(card.getByRole('alert')).toContainText('Log out of them first');
  await page.goto('/session/profile');
  await expect(page.getByTestId('welcome')).toContainText(`welcome ${username}`);
});
