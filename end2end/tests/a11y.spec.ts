// Every page, as a visitor and logged in, in light and dark mode: no serious or critical
// accessibility violation (axe-core, WCAG 2.1 AA, colour contrast included), and nothing
// wider than a 390 px phone screen.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { uniqueUsername } from './helpers';
import { logIn, open, PRIVATE_PAGES, PUBLIC_PAGES } from './pages';
import type { Page } from '@playwright/test';

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no serious violation on any page, ${colorScheme} mode`, async ({ page }) => {
    // Twenty-odd pages, each analysed in full: more than the default 30 s.
    test.slow();
    await page.emulateMedia({ colorScheme });
    const found: string[] = [];
    for (const path of PUBLIC_PAGES) {
      await open(page, path);
      found.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
    }
    await logIn(page, uniqueUsername('a11y'));
    for (const path of PRIVATE_PAGES) {
      await open(page, path);
      found.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
    }
    expect(found).toEqual([]);
  });
}

test('no page is wider than a 390 px phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const tooWide: string[] = [];
  const measure = async (path: string) => {
    await open(page, path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) tooWide.push(`${path}: ${width}px`);
  };
  for (const path of PUBLIC_PAGES) await measure(path);
  await logIn(page, uniqueUsername('a11y'));
  for (const path of PRIVATE_PAGES) await measure(path);
  expect(tooWide).toEqual([]);
});
