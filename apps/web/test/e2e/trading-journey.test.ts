import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  defineSteps,
  go,
  type Journey,
  setUp,
  shot,
  startJourney,
  stopJourney,
  toastMatching,
  waitForChange,
} from './journey.js';

/**
 * A trader's first session in Chromium against the embedded start: dashboard → analyzer mode →
 * a watchlist symbol whose price moves → an analyzer MARKET order from the ticket → filled in
 * the order book → the position's live P&L → closed; then semi-auto: an order sent with the API
 * key waits in the Action Center, is approved and fills. Each page is saved as a screenshot.
 */

const SYMBOL = 'SBIN';

let journey: Journey;
let apiKey = '';
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
    const { page, embedded } = journey;
    apiKey = await setUp(page, embedded.baseUrl);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Available cash').waitFor();
    await page.getByTestId('mode-analyzer').click();
    await page
      .getByTestId('dashboard-mode')
      .filter({ hasText: 'Analyzer mode' })
      .waitFor({ timeout: 15_000 });
    await page.getByText('Available cash').waitFor();
    await shot(page, '10-dashboard-analyzer');
  });

  step('adds a watchlist symbol and sees its price move', async () => {
    const { page } = journey;
    await go(page, 'Watchlist');
    await page.getByText('Your watchlist is empty').waitFor();
    await page.getByLabel('Search symbols').fill(SYMBOL);
    await page
      .getByRole('option', { name: new RegExp(`^${SYMBOL}\\s+NSE`) })
      .first()
      .click();
    await page.getByTestId(`watch-NSE-${SYMBOL}`).waitFor();
    const first = await waitForChange(page, `ltp-NSE-${SYMBOL}`, '—', 20_000);
    const moved = await waitForChange(page, `ltp-NSE-${SYMBOL}`, first);
    expect(moved).not.toBe(first);
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
    await ticket.getByLabel('Quantity').fill('2');
    await shot(page, '12-order-ticket');
    await page.keyboard.press('Control+Enter');
    const text = await toastMatching(page, /Order placed/);
    orderId = /Order placed: (\S+)/.exec(text)?.[1] ?? '';
    expect(text).toContain('(analyzer)');
    expect(orderId).not.toBe('');
  });

  step('sees the order filled in the order book', async () => {
    const { page } = journey;
    await go(page, 'Orders');
    await page.getByTestId(`order-${orderId}`).filter({ hasText: 'complete' }).waitFor({ timeout: 30_000 });
    await shot(page, '13-order-book');
  });

  step('sees the position with live P&L and closes it', async () => {
    const { page } = journey;
    await go(page, 'Positions');
    const row = page.getByTestId(`position-NSE-${SYMBOL}-MIS`);
    await row.waitFor({ timeout: 20_000 });
    const quantity = async () => ((await row.locator('td').nth(2).textContent()) ?? '').trim();
    await expect.poll(quantity, { timeout: 20_000 }).toBe('2');
    const pnl = row.getByTestId('position-pnl');
    const before = ((await pnl.textContent()) ?? '').trim();
    await expect
      .poll(async () => ((await pnl.textContent()) ?? '').trim(), { timeout: 45_000, interval: 250 })
      .not.toBe(before);
    await shot(page, '14-positions-live-pnl');
    await row.getByRole('button', { name: 'Close' }).click();
    await toastMatching(page, /Closing SBIN/);
    await expect.poll(quantity, { timeout: 30_000 }).toBe('0');
    await shot(page, '15-position-closed');
  });

  step('semi-auto: an API order waits in the Action Center, is approved and fills', async () => {
    const { page, embedded } = journey;
    await go(page, 'API key');
    await page.getByTestId('order-mode-semi').check();
    await page.getByTestId('mode-order').filter({ hasText: 'Semi-auto' }).waitFor({ timeout: 15_000 });
    const response = await fetch(`${embedded.baseUrl}/api/v1/placeorder`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apikey: apiKey,
        strategy: 'e2e',
        exchange: 'NSE',
        symbol: SYMBOL,
        action: 'BUY',
        quantity: 1,
        pricetype: 'MARKET',
        product: 'MIS',
      }),
    });
    const queued = (await response.json()) as { mode?: string; pending_order_id?: number | string };
    expect(response.status).toBe(200);
    expect(queued.mode).toBe('semi_auto');
    await go(page, 'Action Center');
    const row = page.getByTestId(`pending-${String(queued.pending_order_id)}`);
    await row.waitFor({ timeout: 20_000 });
    await shot(page, '16-action-center-pending');
    await row.getByRole('button', { name: 'Approve' }).click();
    const text = await toastMatching(page, /approved/i);
    const approvedOrderId = /\((\S+)\)/.exec(text)?.[1];
    expect(approvedOrderId, text).toBeTruthy();
    await go(page, 'Orders');
    await page
      .getByTestId(`order-${approvedOrderId}`)
      .filter({ hasText: 'complete' })
      .waitFor({ timeout: 30_000 });
    await shot(page, '17-order-book-approved');
  });
});
