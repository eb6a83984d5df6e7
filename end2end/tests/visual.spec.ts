// Every page at a desktop and a phone width, in light and dark mode, compared with the committed
// baselines in visual.spec.ts-snapshots/: a layout or colour regression fails here. What differs
// from run to run (tokens, cookie values and seals, times and countdowns) is masked, so only
// the page's design is compared. After an intended change of the look:
//   cd end2end && npx playwright test visual --update-snapshots
// and look at the new images before committing them.
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { logIn, open, PRIVATE_PAGES, PUBLIC_PAGES } from './pages';

const SCREENS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

// Local times are shown in the browser's zone and language: fix both.
test.use({ timezoneId: 'UTC', locale: 'en-US' });

/** Elements whose content is different on every run. */
const VARYING = [
  'time',
  '[data-testid="raw-token"]',
  '[data-testid="token-input"]',
  '[data-testid="payload-json"]',
  '[data-testid="signature-part"]',
  '[data-testid="claims"] td',
  '[data-testid="warnings"]',
  '[data-testid="cookie-jar"] td',
  '[data-testid="session-record"]',
  // Max-Age counts down from the login (the signed cookie's lifetime left).
  '[data-testid="set-cookie"]',
  // The browser's version, from its User-Agent.
  '#login-rows td[data-label="Device"]',
  // Logins in start order: which lab a quick run reached in which second varies.
  '#login-rows td[data-label="Where"]',
  '.attack pre',
  '[data-testid="naive-answer"]',
];

/** Pages too long for a whole-page baseline (megabytes each): their first screen is compared. */
const LONG = new Set(['/inspector', '/attacks']);

function masks(page: Page): Locator[] {
  return VARYING.map((selector) => page.locator(selector));
}

/** `/shop/apple` → `shop-apple`; `/` → `home`. */
function slug(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '-') || 'home';
}

for (const [screen, viewport] of Object.entries(SCREENS)) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`screenshots match the baselines: ${screen}, ${colorScheme}`, async ({ page }) => {
      // About twenty pages, each waited on until two screenshots in a row agree.
      test.setTimeout(240_000);
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
      const shoot = async (who: string, path: string) => {
        await open(page, path);
        if (LONG.has(path)) await page.evaluate(() => window.scrollTo(0, 0));
        await expect
          .soft(page, `${who} ${path}`)
          .toHaveScreenshot(`${who}-${slug(path)}-${screen}-${colorScheme}.png`, {
            fullPage: !LONG.has(path),
            mask: masks(page),
            animations: 'disabled',
            caret: 'hide',
            // Room for a few anti-aliased glyphs, not for a changed colour or a moved box.
            maxDiffPixelRatio: 0.001,
          });
      };
      for (const path of PUBLIC_PAGES) await shoot('visitor', path);
      // The same username in every run (the data directory is new each time), so the page
      // text is the baseline's.
      await logIn(page, `visual_${screen}_${colorScheme}`);
      for (const path of PRIVATE_PAGES) await shoot('member', path);
    });
  }
}
