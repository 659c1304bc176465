import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  analyzerDashboard,
  buyFromTicket,
  defineSteps,
  go,
  type Journey,
  SYMBOL,
  seeFilled,
  shot,
  startJourney,
  stopJourney,
  waitForChange,
  watchSymbol,
} from './journey.js';

/**
 * Live prices in Chromium: ticks of a watched symbol arrive over the api's event socket
 * (`/web/events`) and move its price in the watchlist, and the open position's P&L moves with
 * them.
 */

let journey: Journey;
let orderId = '';
const step = defineSteps(() => journey?.page);

describe('live prices in the browser', () => {
  beforeAll(async () => {
    journey = await startJourney();
  });

  afterAll(async () => {
    await stopJourney(journey);
  });

  step('a watched symbol’s price moves', async () => {
    const { page } = journey;
    await analyzerDashboard(journey);
    const first = await watchSymbol(page, SYMBOL);
    const moved = await waitForChange(page, `ltp-NSE-${SYMBOL}`, first);
    expect(moved).not.toBe(first);
    await shot(page, '20-watchlist-live');
  });

  step('an open position’s P&L moves live', async () => {
    const { page } = journey;
    orderId = await buyFromTicket(page, SYMBOL, 2);
    await seeFilled(page, orderId);
    await go(page, 'Positions');
    const row = page.getByTestId(`position-NSE-${SYMBOL}-CNC`);
    await row.waitFor({ timeout: 20_000 });
    const pnl = row.getByTestId('position-pnl');
    await expect
      .poll(async () => ((await pnl.textContent()) ?? '').trim(), { timeout: 20_000 })
      .toMatch(/\d/);
    const before = ((await pnl.textContent()) ?? '').trim();
    await expect
      .poll(async () => ((await pnl.textContent()) ?? '').trim(), { timeout: 45_000, interval: 250 })
      .not.toBe(before);
    await shot(page, '21-positions-live-pnl');
  });
});
