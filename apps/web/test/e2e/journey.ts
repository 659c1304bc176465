import type { BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { closeBrowser, type EmbeddedStart, launchBrowser, screenshotPath, startEmbedded } from './harness.js';

/**
 * What the browser suites share: one embedded start and one Chromium page per suite, steps
 * that build on each other (after a failure the later steps fail at once, naming the step that
 * blocked them, and the page at the failure is saved), and small page helpers.
 */

export interface Journey {
  embedded: EmbeddedStart;
  browser: BrowserContext;
  page: Page;
}

export const USERNAME = 'trader';
export const PASSWORD = 'correct-horse-battery-9';

export async function startJourney(): Promise<Journey> {
  const embedded = await startEmbedded();
  const browser = await launchBrowser();
  const page = await browser.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return { embedded, browser, page };
}

export async function stopJourney(journey: Journey | undefined): Promise<void> {
  if (journey) {
    await closeBrowser(journey.browser);
    await journey.embedded.stop();
  }
}

export function defineSteps(getPage: () => Page | undefined) {
  let blockedBy: string | null = null;
  return function step(name: string, body: () => Promise<void>): void {
    it(name, async () => {
      if (blockedBy) {
        throw new Error(`blocked: the step "${blockedBy}" failed`);
      }
      try {
        await body();
      } catch (error) {
        blockedBy = name;
        await getPage()
          ?.screenshot({
            path: screenshotPath(`failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`),
            fullPage: true,
          })
          .catch(() => undefined);
        throw error;
      }
    });
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

export async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
}

/** Waits until the element's text differs from `previous` (and is a value, not a dash). */
export async function waitForChange(
  page: Page,
  testId: string,
  previous: string,
  timeoutMs = 45_000,
): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = await textOf(page, testId);
    if (text && text !== '—' && text !== previous) {
      return text;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${testId} stayed at "${previous}" for ${timeoutMs} ms`);
    }
    await page.waitForTimeout(250);
  }
}

export async function toastMatching(page: Page, pattern: RegExp): Promise<string> {
  const toast = page.locator('.toast', { hasText: pattern }).first();
  await toast.waitFor({ timeout: 20_000 });
  return (await toast.textContent()) ?? '';
}

export async function go(page: Page, label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

/** First run through the setup page; answers the API key it showed once. */
export async function setUp(page: Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Welcome to OpenAlgo' }).waitFor();
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  const key = ((await page.getByTestId('setup-apikey').locator('code').textContent()) ?? '').trim();
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  return key;
}

export const SYMBOL = 'SBIN';

/** A new user's way in: setup → the dashboard with funds → analyzer mode. Answers the API key. */
export async function analyzerDashboard(journey: Journey): Promise<string> {
  const { page, embedded } = journey;
  const apiKey = await setUp(page, embedded.baseUrl);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Available cash').waitFor();
  await page.getByTestId('mode-analyzer').click();
  await page.getByTestId('dashboard-mode').filter({ hasText: 'Analyzer mode' }).waitFor({ timeout: 15_000 });
  await page.getByText('Available cash').waitFor();
  return apiKey;
}

/** Adds a symbol from the watchlist's search; answers its first price. */
export async function watchSymbol(page: Page, symbol: string): Promise<string> {
  await go(page, 'Watchlist');
  await page.getByText('Your watchlist is empty').waitFor();
  await page.getByLabel('Search symbols').fill(symbol);
  await page
    .getByRole('option', { name: new RegExp(`^${symbol}\\s+NSE`) })
    .first()
    .click();
  await page.getByTestId(`watch-NSE-${symbol}`).waitFor();
  return waitForChange(page, `ltp-NSE-${symbol}`, '—', 20_000);
}

/**
 * Opens the ticket on the selected watchlist row with `b`, places a CNC MARKET buy (the sandbox
 * refuses new MIS positions outside 09:00–15:15 IST); answers the order id.
 */
export async function buyFromTicket(page: Page, symbol: string, quantity: number): Promise<string> {
  await page.getByTestId(`watch-NSE-${symbol}`).click();
  await page.keyboard.press('b');
  const ticket = page.getByRole('dialog', { name: `Order ticket ${symbol}` });
  await ticket.waitFor();
  await ticket.getByLabel('CNC', { exact: true }).check();
  await ticket.getByLabel('Quantity').fill(String(quantity));
  await page.keyboard.press('Control+Enter');
  const text = await toastMatching(page, /Order placed/);
  const orderId = /Order placed: (\S+)/.exec(text)?.[1] ?? '';
  expect(orderId, text).not.toBe('');
  return orderId;
}

/** Waits until the order book shows the order complete. */
export async function seeFilled(page: Page, orderId: string): Promise<void> {
  await go(page, 'Orders');
  await page.getByTestId(`order-${orderId}`).filter({ hasText: 'complete' }).waitFor({ timeout: 30_000 });
}
