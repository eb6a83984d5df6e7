// The built site files: pages link them under a version (a hash of their contents), and the
// browser may keep those for good, so a second visit loads no stylesheet, JS or wasm at all.
import { expect, test } from './fixtures';
import { waitForHydration } from './helpers';

test('pages link versioned files that the browser keeps, and a revisit fetches none', async ({ page }) => {
  const assets = new Map<string, { cacheControl: string; encoding?: string }>();
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/pkg/')) {
      const headers = response.headers();
      assets.set(url.pathname, { cacheControl: headers['cache-control'], encoding: headers['content-encoding'] });
    }
  });
  await page.goto('/inspector');
  await waitForHydration(page);
  const paths = [...assets.keys()];
  for (const ending of ['.css', '.js', '.wasm']) {
    expect(paths.some((p) => p.endsWith(ending)), `${ending} among ${paths}`).toBe(true);
  }
  for (const [path, { cacheControl, encoding }] of assets) {
    expect(path).toMatch(/^\/pkg\/[0-9a-f]{16}\/(session-lab\.css|inspector\.(js|wasm))$/);
    expect(cacheControl, path).toContain('immutable');
    if (path.endsWith('.wasm')) expect(['br', 'gzip']).toContain(encoding);
  }

  // Another page needs the same files: all come from the browser's cache, none from the
  // server, not even as a revalidation (a resource from the cache transfers 0 bytes).
  await page.goto('/');
  await waitForHydration(page);
  await page.goto('/inspector');
  await waitForHydration(page);
  const transfers = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((entry) => new URL(entry.name).pathname.startsWith('/pkg/'))
      .map((entry) => [new URL(entry.name).pathname, (entry as PerformanceResourceTiming).transferSize]),
  );
  expect(transfers.length, 'the revisit loads the files').toBeGreaterThanOrEqual(3);
  for (const [path, bytes] of transfers) expect(bytes, `${path} transferred`).toBe(0);
});

test('each page loads the wasm of its own islands: the shop never downloads the token viewer', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path.split('/').pop()!);
  });
  for (const [path, bundle] of [
    ['/', 'shop.wasm'],
    ['/inspector', 'inspector.wasm'],
    ['/attacks', 'attacks.wasm'],
  ]) {
    wasm.length = 0;
    await page.goto(path);
    await waitForHydration(page);
    expect(wasm, path).toEqual([bundle]);
  }
});
