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
} from './journey.js';

/**
 * Semi-auto in Chromium: with the API key in semi-auto mode an order sent with the key waits in
 * the Action Center; approving it there places it, and it fills.
 */

let journey: Journey;
let apiKey = '';
const step = defineSteps(() => journey?.page);

describe('semi-auto approval in the browser', () => {
  beforeAll(async () => {
    journey = await startJourney();
  });

  afterAll(async () => {
    await stopJourney(journey);
  });

  step('switches the API key to semi-auto', async () => {
    const { page } = journey;
    apiKey = await analyzerDashboard(journey);
    await go(page, 'API key');
    // A controlled radio: it turns on once the server has saved the mode.
    await page.getByTestId('order-mode-semi').click();
    await page.getByTestId('mode-order').filter({ hasText: 'Semi-auto' }).waitFor({ timeout: 15_000 });
  });

  step('an API order waits in the Action Center, is approved and fills', async () => {
    const { page, embedded } = journey;
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
        product: 'CNC',
      }),
    });
    const queued = (await response.json()) as { mode?: string; pending_order_id?: number | string };
    expect(response.status).toBe(200);
    expect(queued.mode).toBe('semi_auto');
    await go(page, 'Action Center');
    const row = page.getByTestId(`pending-${String(queued.pending_order_id)}`);
    await row.waitFor({ timeout: 20_000 });
    await shot(page, '30-action-center-pending');
    // The row names the request that queued it.
    const queuedBy = await row.getByTitle('The request or strategy alert that queued it').textContent();
    expect(queuedBy?.trim()).toMatch(/^\S+$/);
    await row.getByRole('button', { name: 'Approve' }).click();
    const text = await toastMatching(page, /approved/i);
    const approvedOrderId = /\((\S+)\)/.exec(text)?.[1];
    expect(approvedOrderId, text).toBeTruthy();
    await seeFilled(page, approvedOrderId ?? '');
    await shot(page, '31-order-book-approved');
  });
});
