import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  analyzerDashboard,
  defineSteps,
  go,
  type Journey,
  SYMBOL,
  seeFilled,
  shot,
  startJourney,
  stopJourney,
  toastMatching,
  watchSymbol,
} from './journey.js';

/**
 * A trader's first session in Chromium against the embedded start: setup → dashboard → analyzer
 * mode → a watchlist symbol with its price → an analyzer CNC MARKET order from the ticket (refused
 * first with a bad quantity) → filled in the order book → the position with its P&L → closed.
 * Prices moving live and the Action Center have journeys of their own (live-ticks, semi-auto).
 * Each page is saved as a screenshot.
 */

let journey: Journey;
let orderId = '';
const step = defineSteps(() => journey?.page);

describe('trading in the browser', () => {
  beforeAll(async () => {
    journey = await startJourney();
  });

  afterAll(async () => {
    await stopJourney(journey);
  });

  step('dashboard shows funds; switching to analyzer mode', async () => {
    await analyzerDashboard(journey);
    await shot(journey.page, '10-dashboard-analyzer');
  });

  step('adds a watchlist symbol and sees its price', async () => {
    const { page } = journey;
    expect(await watchSymbol(page, SYMBOL)).toMatch(/^\d[\d,]*\.\d{2}$/);
    await shot(page, '11-watchlist');
  });

  step('places an analyzer MARKET order from the ticket with the keyboard', async () => {
    const { page } = journey;
    await page.getByTestId(`watch-NSE-${SYMBOL}`).click();
    await page.keyboard.press('b');
    const ticket = page.getByRole('dialog', { name: `Order ticket ${SYMBOL}` });
    await ticket.waitFor();
    await ticket.getByLabel('Quantity').fill('0');
    await ticket.getByRole('button', { name: `Buy ${SYMBOL}` }).click();
    await ticket.getByText('Enter a whole quantity').waitFor();
    // CNC: the sandbox refuses new MIS positions outside 09:00–15:15 IST, and CI runs at any hour.
    await ticket.getByLabel('CNC', { exact: true }).check();
    await ticket.getByLabel('Quantity').fill('2');
    await shot(page, '12-order-ticket');
    await page.keyboard.press('Control+Enter');
    const text = await toastMatching(page, /Order placed/);
    orderId = /Order placed: (\S+)/.exec(text)?.[1] ?? '';
    expect(text).toContain('(analyzer)');
    expect(orderId).not.toBe('');
  });

  step('sees the order filled in the order book', async () => {
    await seeFilled(journey.page, orderId);
    await shot(journey.page, '13-order-book');
  });

  step('sees the position with its P&L and closes it', async () => {
    const { page } = journey;
    await go(page, 'Positions');
    const row = page.getByTestId(`position-NSE-${SYMBOL}-CNC`);
    await row.waitFor({ timeout: 20_000 });
    const quantity = async () => ((await row.locator('td').nth(2).textContent()) ?? '').trim();
    await expect.poll(quantity, { timeout: 20_000 }).toBe('2');
    await expect
      .poll(async () => ((await row.getByTestId('position-pnl').textContent()) ?? '').trim(), {
        timeout: 20_000,
      })
      .toMatch(/\d/);
    await shot(page, '14-positions-pnl');
    await row.getByRole('button', { name: 'Close' }).click();
    await toastMatching(page, new RegExp(`Closing ${SYMBOL}`));
    // A flat position either shows 0 or leaves the book (the sandbox lists open positions only).
    const closed = async () => ((await row.count()) === 0 ? 'gone' : await quantity());
    await expect.poll(closed, { timeout: 30_000 }).toMatch(/^(gone|0)$/);
    await shot(page, '15-position-closed');
  });
});
