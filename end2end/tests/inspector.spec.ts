// The cookie and token viewer in a real browser: decoding, WebCrypto signature checks, the
// tamper lab against /api/me, editing the plain cookie in the jar, HttpOnly cookies shown as
// hidden, and bad input that never breaks the page.
import { expect, Page } from '@playwright/test';
import { test } from './fixtures';
import { modeLogin, register, uniqueUsername, waitForHydration } from './helpers';

// jwt.io's example token and the secret it is signed with.
const EXAMPLE =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30';
const EXAMPLE_SECRET = 'a-string-secret-at-least-256-bits-long';

async function openViewer(page: Page): Promise<void> {
  await page.goto('/inspector');
  await waitForHydration(page);
}

/** Trades the password for a token at /api/token from the viewer; the decoder shows it. */
async function takeMyToken(page: Page, username: string): Promise<void> {
  await page.getByText('Take your own token from').click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await expect(async () => {
    await page.getByRole('button', { name: 'Get my token' }).click();
    await expect(page.getByTestId('payload-json')).toContainText(`"name": "${username}"`, { timeout: 2000 });
  }).toPass();
}

/** Types into the decoder; retried until the island has hydrated and decodes it. */
async function paste(page: Page, token: string): Promise<void> {
  await expect(async () => {
    await page.getByTestId('token-input').fill(token);
    await expect(page.getByTestId('raw-token')).toBeVisible({ timeout: 1000 });
  }).toPass();
}

test('a known token is decoded: colour-coded parts, JSON, explained claims, warnings', async ({ page }) => {
  await openViewer(page);
  await paste(page, EXAMPLE);
  const [header, payload, signature] = EXAMPLE.split('.');
  const raw = page.getByTestId('raw-token');
  await expect(raw.locator('.jwt-header')).toHaveText(header);
  await expect(raw.locator('.jwt-payload')).toHaveText(payload);
  await expect(raw.locator('.jwt-signature')).toHaveText(signature);
  await expect(page.getByTestId('header-json')).toContainText('"alg": "HS256"');
  await expect(page.getByTestId('payload-json')).toContainText('"name": "John Doe"');
  const iat = page.locator('[data-claim="iat"]');
  await expect(iat).toContainText('registered');
  await expect(iat).toContainText('Issued at');
  await expect(iat).toContainText('2018'); // 1516239022 as a local date
  await expect(iat.locator('.countdown')).toContainText('ago');
  await expect(page.locator('[data-claim="admin"]')).toContainText('private');
  await expect(page.locator('[data-claim="name"]')).toContainText('public');
  await expect(page.getByTestId('warnings')).toContainText('No exp: this token never expires');
});

test('the signature is VALID with the right secret and INVALID with a wrong one', async ({ page }) => {
  await openViewer(page);
  await paste(page, EXAMPLE);
  const secret = page.getByTestId('verify-secret');
  const verdict = page.getByTestId('verdict');
  await secret.fill(EXAMPLE_SECRET);
  await page.getByRole('button', { name: 'Check signature' }).click();
  await expect(verdict).toHaveText(/^VALID/);
  await secret.fill('not-the-secret-not-the-secret-not-it');
  await page.getByRole('button', { name: 'Check signature' }).click();
  await expect(verdict).toHaveText(/^INVALID/);
  // A weak secret is named as such even when it does not match.
  await secret.fill('secret');
  await page.getByRole('button', { name: 'Check signature' }).click();
  await expect(verdict).toHaveText(/^INVALID/);
  await expect(page.getByText('one of the first secrets any attacker tries')).toBeVisible();
});

test('garbage gets a clear message at the broken part and the page keeps working', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await openViewer(page);
  await paste(page, EXAMPLE);
  await page.getByTestId('token-input').fill('this is not a token');
  await expect(page.getByTestId('decode-error')).toContainText('3 parts separated by dots; this one has 1.');
  const [header, , signature] = EXAMPLE.split('.');
  await page.getByTestId('token-input').fill(`${header}.e30*!.${signature}`);
  const payloadError = page.locator('[data-testid="decode-error"][data-part="payload"]');
  await expect(payloadError).toContainText('The payload is not base64url: character 4');
  await expect(page.getByTestId('header-json')).toContainText('HS256');
  // Still alive: a good token decodes again.
  await page.getByTestId('token-input').fill(EXAMPLE);
  await expect(page.getByTestId('payload-json')).toContainText('John Doe');
  expect(problems).toEqual([]);
});

// The wasm build reads JSON with the browser's JSON.parse (serde_json's parser would not fit
// the bundle budget); every JSON type must come through, in the token's order.
test('every JSON type in a payload survives the browser parser; broken JSON is named', async ({ page }) => {
  const b64url = (text: string) => Buffer.from(text).toString('base64url');
  const payload = {
    sub: 'ü ✓ "quoted"',
    nested: { list: [1, -2, 2.5, null, true, false, 'x'], empty: {} },
    big: 9007199254740991,
    zero: 0,
  };
  await openViewer(page);
  await paste(page, `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}.c2ln`);
  // Shown as jwt.io shows it: the token's own key order, two-space indent — as JSON.stringify
  // prints the same object.
  await expect(page.getByTestId('payload-json')).toHaveText(JSON.stringify(payload, null, 2));
  await expect(page.locator('[data-claim="big"]')).toContainText('9007199254740991');
  // Valid base64url, broken JSON: the message names the payload and the page stays alive.
  await page.getByTestId('token-input').fill(`${b64url('{"alg":"HS256"}')}.${b64url('{"sub":')}.c2ln`);
  await expect(page.locator('[data-testid="decode-error"][data-part="payload"]')).toContainText(
    'The payload is not JSON',
  );
  await expect(page.getByTestId('header-json')).toContainText('HS256');
});

test("the encoder's forged token is rejected by /api/me", async ({ page }) => {
  await openViewer(page);
  await expect(async () => {
    await page.getByTestId('encoder-secret').fill('my guess at the server secret');
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect(page.getByTestId('forged-token')).toBeVisible({ timeout: 1000 });
  }).toPass();
  const forged = (await page.getByTestId('forged-token').textContent()) ?? '';
  expect(forged.split('.')).toHaveLength(3);
  await page.getByRole('button', { name: 'Send to /api/me' }).click();
  const answer = page.getByTestId('api-me-answer');
  await expect(answer).toContainText('HTTP 401');
  await expect(answer).toContainText('"error"');
  // Decoding the forgery shows the edited claims.
  await page.getByRole('button', { name: 'Decode it' }).click();
  await expect(page.getByTestId('payload-json')).toContainText('mallory');
});

test("editing the cookie lab's user cookie in the jar changes who the profile greets", async ({ page }) => {
  const username = uniqueUsername('jar');
  await register(page, username);
  await modeLogin(page, 'cookie', username);
  await expect(page.getByTestId('welcome')).toHaveText(`welcome ${username} with the count: 1`);
  await expect(page.getByTestId('set-cookie')).toContainText('Set-Cookie: user=');
  await openViewer(page);
  const row = page.locator('tr[data-cookie="user"]');
  await expect(row).toBeVisible();
  await expect(row.locator('td[data-label="Expires"]')).toHaveText('session');
  const forged = encodeURIComponent(JSON.stringify({ username: 'mallory', count: 41 }));
  await row.getByRole('textbox').fill(forged);
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('jar-notice')).toContainText('Saved user');
  await page.goto('/cookie/profile');
  await expect(page.getByTestId('welcome')).toHaveText('welcome mallory with the count: 42');
});

test('HttpOnly cookies are listed as hidden from page scripts, with the session record', async ({ page }) => {
  const username = uniqueUsername('hidden');
  await register(page, username);
  await modeLogin(page, 'session', username);
  await modeLogin(page, 'jwt', username);
  // The profile shows the headers, with HttpOnly values masked.
  await expect(page.getByTestId('cookie-header')).toContainText(/token=<\d+ bytes, HttpOnly>/);
  await openViewer(page);
  for (const name of ['sid', 'token']) {
    const row = page.locator(`tr[data-cookie="${name}"]`);
    await expect(row.getByTestId('hidden-from-scripts')).toHaveText('hidden from page scripts');
    await expect(row).toContainText('HttpOnly');
  }
  expect(await page.evaluate(() => document.cookie)).not.toMatch(/sid=|token=/);
  await expect(page.getByTestId('cookie-header')).toContainText(/sid=<\d+ bytes, HttpOnly>/);
  await expect(page.getByTestId('session-record')).toContainText(username);
  await expect(page.getByTestId('session-store')).toContainText('SQLite');
  await expect(page.getByTestId('echo-token')).toContainText(`"name": "${username}"`);
});

test('a token from /api/token is decoded with its claims', async ({ page }) => {
  const username = uniqueUsername('api');
  await register(page, username);
  await openViewer(page);
  await takeMyToken(page, username);
  await expect(page.locator('[data-claim="exp"] .countdown')).toContainText(/^in /);
  await expect(page.locator('[data-claim="jti"]')).toContainText('denylist');
});

test('alg: none is forged in one click and refused, while the real token next to it is accepted', async ({ page }) => {
  const username = uniqueUsername('none');
  await register(page, username);
  await openViewer(page);
  await takeMyToken(page, username);
  await page.getByRole('button', { name: 'Copy header and payload from the decoder' }).click();
  // No secret typed: the attack needs none.
  await page.getByRole('button', { name: 'Forge with alg: none (no signature)' }).click();
  const forged = (await page.getByTestId('forged-token').textContent()) ?? '';
  expect(forged.endsWith('.')).toBe(true);
  expect(JSON.parse(Buffer.from(forged.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'none' });
  await page.getByRole('button', { name: 'Send to /api/me' }).click();
  await expect(page.getByTestId('api-me-answer-status')).toHaveText('HTTP 401');
  await expect(page.getByTestId('api-me-answer-status')).toHaveClass(/bad/);
  await page.getByRole('button', { name: "Send the decoder's token unchanged to /api/me" }).click();
  await expect(page.getByTestId('api-me-original-answer-status')).toHaveText('HTTP 200');
  await expect(page.getByTestId('api-me-original-answer-status')).toHaveClass(/ok/);
  await expect(page.getByTestId('api-me-original-answer')).toContainText(username);
});

test("loading an HS256 server's empty key set says why it is empty", async ({ page }) => {
  await openViewer(page);
  await paste(page, EXAMPLE);
  await expect(async () => {
    await page.getByRole('button', { name: "Load this server's JWKS" }).click();
    await expect(page.getByTestId('verdict')).toContainText('key set is empty', { timeout: 1000 });
  }).toPass();
  await expect(page.getByTestId('verdict')).toContainText('HS256');
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the viewer lists what the server received instead of an empty jar', async ({ page }) => {
    const username = uniqueUsername('nojs');
    await register(page, username);
    await modeLogin(page, 'jwt', username);
    await page.goto('/inspector');
    await expect(page.getByTestId('received-count')).toContainText('Your browser sent');
    await expect(page.getByTestId('received-cookies')).toContainText('token');
    await expect(page.getByTestId('received-cookies')).toContainText('HttpOnly: hidden from page scripts');
    await expect(page.getByRole('heading', { name: 'What the server received' })).toBeVisible();
    await expect(page.getByTestId('cookie-header')).not.toContainText('holds no cookie');
  });
});

test('the jar: DevTools columns, values decoded inline, what the browser really stored, live updates', async ({ page }) => {
  const username = uniqueUsername('jar');
  await register(page, username);
  await modeLogin(page, 'cookie', username);
  await modeLogin(page, 'jwt', username);
  await openViewer(page);
  const jar = page.getByTestId('cookie-jar');
  const token = jar.locator('tr[data-cookie="token"]');
  await expect(token.locator('td[data-label="HttpOnly"]')).toHaveText('✓');
  await expect(token.locator('td[data-label="Expires"]')).toContainText('Max-Age');
  await expect(jar.locator('tr[data-cookie="user"] [data-testid="decoded-value"]')).toContainText(`"username":"${username}"`);

  // A ';' ends the value: the page says what the browser kept instead of "refused".
  await page.getByTestId('new-cookie-name').fill('greeting');
  await page.getByTestId('new-cookie-value').fill('hello world; x=1');
  await page.getByRole('button', { name: 'Add cookie' }).click();
  await expect(page.getByTestId('jar-notice')).toContainText('The browser stored greeting=hello world');

  await expect(jar.locator('tr[data-cookie="greeting"] input')).toHaveValue('hello world');
  // The jar notices changes it did not make (another script, another tab, DevTools).
  await page.evaluate(() => { document.cookie = 'greeting=; Path=/; Max-Age=0'; });
  await expect(jar.locator('tr[data-cookie="greeting"]')).toHaveCount(0);
  await page.evaluate(() => { document.cookie = 'theme=dark; Path=/'; });
  await expect(jar.locator('tr[data-cookie="theme"] input')).toHaveValue('dark');
});

test('the jar exports the cookies scripts see as JSON and imports them back', async ({ page }) => {
  await openViewer(page);
  await page.evaluate(() => (document.cookie = 'exported=1; Path=/'));
  await page.getByText('Export or import as JSON').click();
  await expect(async () => {
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    expect(JSON.parse(await page.getByTestId('jar-json').inputValue())).toContainEqual({ name: 'exported', value: '1' });
  }).toPass();
  await page.getByTestId('jar-json').fill('[{"name": "imported", "value": "2"}]');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('jar-notice')).toHaveText(/Imported 1 of 1 cookies/);
  expect(await page.evaluate(() => document.cookie)).toContain('imported=2');
  await page.getByTestId('jar-json').fill('{"name": "x"}');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('jar-notice')).toContainText('JSON array');
});

test("the encoder's token follows every edit of the payload and the secret", async ({ page }) => {
  await openViewer(page);
  const payload = page.getByTestId('encoder-payload');
  await expect(async () => {
    await payload.fill('{"sub": "42", "name": "eve"}');
    const token = (await page.getByTestId('forged-token').textContent({ timeout: 1000 })) ?? '';
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toEqual({ sub: '42', name: 'eve' });
    expect(token.endsWith('.')).toBe(true);
  }).toPass();
  await page.getByTestId('encoder-secret').fill('a guess');
  await expect(page.getByTestId('forged-token')).toHaveText(/\.[A-Za-z0-9_-]{43}$/);
  await payload.fill('{"sub": "42"');
  await expect(page.getByRole('alert')).toContainText('payload');
});
