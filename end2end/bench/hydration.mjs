// How long until a page is interactive: loads each page in Debian's Chromium several times
// and prints, per page, medians of: the HTML received, the wasm received, and hydration done
// (the wasm entry sets <body data-hydrated="true">), all in ms from navigation start; the
// slowest hydration; and the bytes of wasm transferred.
// A benchmark that prints figures, not a test: the goal (< 300 ms) is judged by the reader.
//
//   node end2end/bench/hydration.mjs [--bin target/release/session-lab] [--runs 10]
//
// Build first (`cargo leptos build --release --precompress`); the server starts on a free port with a
// throw-away data directory, and is stopped afterwards.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const bin = path.resolve(root, args.bin ?? 'target/release/session-lab');
const runs = Number(args.runs ?? 10);
const pages = ['/inspector', '/shop/apple', '/'];
const account = { username: 'hydration_bench', password: 'correct horse battery' };

if (!fs.existsSync(bin)) {
  console.error(`${bin} not found: run \`cargo leptos build --release --precompress\` first`);
  process.exit(1);
}

const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lab-hydration-'));
const server = spawn(bin, ['--addr', `127.0.0.1:${port}`, '--data-dir', dataDir], {
  cwd: root,
  stdio: 'ignore',
  env: { ...process.env, RUST_LOG: 'warn' },
});
const base = `http://127.0.0.1:${port}`;

async function waitUp() {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start in 30 s');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let browser;
try {
  await waitUp();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // One account; the shop page needs a login (posted like a browser form, with its Origin).
  const setup = await browser.newContext();
  await setup.request.post(`${base}/register`, {
    form: { ...account, confirm: account.password },
    headers: { Origin: base },
    maxRedirects: 0,
  });
  await setup.close();
  console.log(`hydration time, ${runs} loads per page, fresh browser context each (no cache), ${bin}`);
  console.log(
    `${'page'.padEnd(14)} ${'html ms'.padStart(8)} ${'wasm ms'.padStart(8)} ${'hydrated ms'.padStart(12)} ${'max ms'.padStart(7)} ${'wasm bytes on the wire'.padStart(23)}`,
  );
  for (const page of pages) {
    const times = [];
    const html = [];
    const wasm = [];
    let wasmBytes = 0;
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      if (page.startsWith('/shop/')) {
        const login = await context.request.post(`${base}/shop/login`, { form: account, headers: { Origin: base }, maxRedirects: 0 });
        if (login.status() >= 400) throw new Error(`shop login failed: HTTP ${login.status()}`);
      }
      const tab = await context.newPage();
      // Records performance.now() (ms since navigation start) when the marker appears.
      await tab.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (document.body?.dataset.hydrated) {
            window.__hydratedAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
      });
      await tab.goto(base + page);
      await tab.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 10_000 });
      if (page.startsWith('/shop/') && (await tab.getByTestId('apple-count').count()) === 0) {
        throw new Error('not logged in to the shop: the apple page has no count');
      }
      times.push(await tab.evaluate(() => window.__hydratedAt));
      const timing = await tab.evaluate(() => {
        const wasm = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm'));
        return {
          html: performance.getEntriesByType('navigation')[0].responseEnd,
          wasm: Math.max(...wasm.map((e) => e.responseEnd)),
          bytes: wasm.reduce((sum, e) => sum + e.transferSize, 0),
        };
      });
      html.push(timing.html);
      wasm.push(timing.wasm);
      wasmBytes = timing.bytes;
      await context.close();
    }
    const ms = (xs, width) => median(xs).toFixed(0).padStart(width);
    console.log(
      `${page.padEnd(14)} ${ms(html, 8)} ${ms(wasm, 8)} ${ms(times, 12)} ${Math.max(...times).toFixed(0).padStart(7)} ${String(wasmBytes).padStart(23)}`,
    );
  }
} finally {
  await browser?.close();
  server.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
