// Browser tests in Debian's Chromium. Playwright starts the built server itself, on its own
// port with a throw-away data directory, so a run never touches data/ or a running dev server.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const port = Number(process.env.E2E_PORT || 3217);
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, '..');
const bin = process.env.SESSION_LAB_BIN || path.join(root, 'target/debug/session-lab');
// Created once by the main process (workers reuse the env var instead of making another).
const dataDir =
  process.env.E2E_DATA_DIR ||
  (process.env.E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lab-e2e-')));

// The server's log, at debug level, for the log-hygiene test (tests/logs.spec.ts).
const serverLog =
  process.env.E2E_SERVER_LOG || (process.env.E2E_SERVER_LOG = path.join(dataDir, 'server.log'));

export default defineConfig({
  testDir: './tests',
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          // Debian's Chromium by default; CHROMIUM_PATH points at another Chromium build.
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `"${bin}" --addr 127.0.0.1:${port} --data-dir "${dataDir}" >> "${serverLog}" 2>&1`,
    env: { RUST_LOG: 'debug', NO_COLOR: '1' },
    cwd: root,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
