// The attack lab (docs/spec.md §12) reads as a page without JavaScript: every card, each
// crafted request and the answer this server gives.
import { test, expect } from './fixtures';

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
