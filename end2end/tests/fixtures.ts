// Every browser test runs under the server's Content-Security-Policy and fails if Chromium
// reports a violation: a blocked inline script, style or connection would mean a page that
// silently does not hydrate.
import { test as base, expect, Page } from '@playwright/test';

export { expect };

/** True for Chromium's console report of a CSP violation. */
export function isCspViolation(text: string): boolean {
  return /Content Security Policy/i.test(text);
}

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      const watch = (page: Page) =>
        page.on('console', (message) => {
          if (isCspViolation(message.text())) violations.push(`${page.url()}: ${message.text()}`);
        });
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(violations);
      expect(violations, 'Content-Security-Policy violations in the console').toEqual([]);
    },
    { auto: true },
  ],
});
