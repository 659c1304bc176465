import { listSandboxOrders, listSandboxPositions, listSandboxTrades, sandboxStore } from '@openalgo/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addIstDays, istInstant } from './ist.js';
import { createTestSandbox, orderRequest, TEST_DAY, type TestSandbox } from './test-support.js';
import { testInstrument } from './testing/index.js';

const SBIN = testInstrument('SBIN', 'NSE');
const TCS = testInstrument('TCS', 'NSE');
const CRUDE = testInstrument('CRUDEOIL18DEC26FUT', 'MCX', { lotSize: 100, instrumentType: 'FUT' });
const NIFTY_FUT = testInstrument('NIFTY29DEC26FUT', 'NFO', { lotSize: 75, instrumentType: 'FUT' });
// Expiring on the test day (a Tuesday).
const NIFTY_CE = testInstrument('NIFTY24NOV2626000CE', 'NFO', { lotSize: 75, instrumentType: 'CE' });
const NIFTY_PE = testInstrument('NIFTY24NOV2625000PE', 'NFO', { lotSize: 75, instrumentType: 'PE' });
const NEXT_DAY = addIstDays(TEST_DAY, 1);

describe.each(testBackends())('sandbox scheduled work on %s', (backend) => {
  let database: TestDatabase;
  let t: TestSandbox;
  let nextUser = 500;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
  }, 120_000);

  afterAll(async () => {
    await database?.close();
  });

  /** Each test gets its own sandbox on the shared database, at 10:00 IST on the test day. */
  async function fresh(): Promise<TestSandbox> {
    t = await createTestSandbox(backend, { database });
    return t;
  }

  function account() {
    nextUser += 1;
    return { userId: nextUser, context: t.context(nextUser) };
  }

  const store = () => sandboxStore(database.db, database.sandboxSchema).db;

  it('squares off MIS positions at each exchange group’s IST time, and only those', async () => {
    await fresh();
    try {
      const { userId, context } = account();
      t.ticks.tick('NSE', 'SBIN', 500);
      t.ticks.tick('MCX', 'CRUDEOIL18DEC26FUT', 6000);
      t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_000);
      await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 10 }), context);
      await t.sandbox.orders.placeOrder(orderRequest(SBIN, { priceType: 'LIMIT', price: '450' }), context);
      await t.sandbox.orders.placeOrder(orderRequest(CRUDE, { quantity: 100, action: 'SELL' }), context);
      await t.sandbox.orders.placeOrder(orderRequest(NIFTY_FUT, { quantity: 75, product: 'NRML' }), context);

      t.clock.setIst(TEST_DAY, '15:14');
      let report = await t.sandbox.runDueJobs();
      expect(report.squareOff).toEqual([]);

      t.clock.setIst(TEST_DAY, '15:15');
      t.ticks.tick('NSE', 'SBIN', 505);
      report = await t.sandbox.runDueJobs();
      expect(report.squareOff).toEqual([{ group: 'nse_bse', cancelledOrders: 1, closedPositions: 1 }]);
      const book = await t.sandbox.views.positionBook(userId);
      const bySymbol = Object.fromEntries(book.data.map((row) => [row.symbol, row]));
      expect(bySymbol.SBIN).toMatchObject({ quantity: 0, today_realized_pnl: 50 });
      expect(bySymbol.CRUDEOIL18DEC26FUT?.quantity).toBe(-100);
      expect(bySymbol.NIFTY29DEC26FUT?.quantity).toBe(75);
      const orders = await listSandboxOrders(store(), { userId });
      expect(orders.find((row) => row.strategy === 'AUTO_SQUARE_OFF')).toMatchObject({
        action: 'SELL',
        quantity: 10,
        status: 'complete',
        average_price: '505',
      });

      // Running again changes nothing.
      expect((await t.sandbox.runDueJobs()).squareOff).toEqual([]);

      t.clock.setIst(TEST_DAY, '23:30');
      t.ticks.tick('MCX', 'CRUDEOIL18DEC26FUT', 5990);
      report = await t.sandbox.runDueJobs();
      expect(report.squareOff).toEqual([{ group: 'mcx', cancelledOrders: 0, closedPositions: 1 }]);
      expect(await t.sandbox.views.openPosition(userId, 'CRUDEOIL18DEC26FUT', 'MCX', 'MIS')).toBe(0);
      // NRML carries forward.
      expect(await t.sandbox.views.openPosition(userId, 'NIFTY29DEC26FUT', 'NFO', 'NRML')).toBe(75);
      expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('settles at the last known price a session the process missed, on start', async () => {
    await fresh();
    const { userId, context } = account();
    t.ticks.tick('NSE', 'TCS', 4000);
    await t.sandbox.orders.placeOrder(orderRequest(TCS, { quantity: 5 }), context);
    t.ticks.tick('NSE', 'TCS', 4010);
    // The position book marks it at the last tick (4010) and stores that mark.
    await t.sandbox.views.positionBook(userId);
    await t.close();

    // The process comes back the next day at 11:00, after the market reopened at a new price.
    t = await createTestSandbox(backend, { database });
    try {
      t.clock.setIst(NEXT_DAY, '11:00');
      t.ticks.setPrice('NSE', 'TCS', { ltp: 4100 });
      await t.sandbox.runDueJobs();
      const trades = await listSandboxTrades(store(), { userId });
      expect(trades[0]).toMatchObject({ action: 'SELL', quantity: 5, price: '4010', realized_pnl: '50' });
      expect(await t.sandbox.views.openPosition(userId, 'TCS', 'NSE', 'MIS')).toBe(0);
      expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('catches up with a square-off it missed as soon as it starts', async () => {
    await fresh();
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 2 }), context);
    await t.close();
    // Back at 15:30, after the square-off time: starting catches up before anything else.
    t = await createTestSandbox(backend, { database, startAt: istInstant(TEST_DAY, '15:30') });
    try {
      expect(await t.sandbox.views.openPosition(userId, 'SBIN', 'NSE', 'MIS')).toBe(0);
      const trades = await listSandboxTrades(store(), { userId });
      expect(trades.map((trade) => [trade.action, trade.strategy])).toEqual([
        ['SELL', 'AUTO_SQUARE_OFF'],
        ['BUY', ''],
      ]);
    } finally {
      await t.close();
    }
  });

  it('moves CNC buys into holdings at T+1 with exactly the margin they reserved, then books sales', async () => {
    await fresh();
    try {
      const { userId, context } = account();
      // CNC leverage 2 shows the difference: the original moved quantity × price out of margin.
      await t.sandbox.updateConfig('equity_cnc_leverage', '2');
      t.ticks.tick('NSE', 'SBIN', { ltp: 500, ask: 500.5 });
      await t.sandbox.orders.placeOrder(orderRequest(SBIN, { product: 'CNC', quantity: 10 }), context);
      expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(2500);

      t.clock.setIst(TEST_DAY, '23:59');
      expect((await t.sandbox.runDueJobs()).settledCncPositions).toBe(0);
      t.clock.setIst(NEXT_DAY, '00:00');
      expect((await t.sandbox.runDueJobs()).settledCncPositions).toBe(1);

      const holdings = await t.sandbox.views.holdings(userId);
      expect(holdings.holdings).toEqual([
        expect.objectContaining({
          symbol: 'SBIN',
          quantity: 10,
          average_price: 500.5,
          product: 'CNC',
          settlement_date: NEXT_DAY,
        }),
      ]);
      let funds = await t.sandbox.views.funds(userId);
      expect(funds.utiliseddebits).toBe(0);
      expect(funds.availablecash).toBe(10_000_000 - 5005);
      expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);

      // Sell 4 from holdings the next day; the proceeds and the profit arrive at T+1.
      t.clock.setIst(NEXT_DAY, '10:00');
      t.ticks.tick('NSE', 'SBIN', { ltp: 510, bid: 510 });
      await t.sandbox.orders.placeOrder(
        orderRequest(SBIN, { product: 'CNC', action: 'SELL', quantity: 4 }),
        context,
      );
      t.clock.setIst(addIstDays(NEXT_DAY, 1), '00:00');
      await t.sandbox.runDueJobs();
      expect((await t.sandbox.views.holdings(userId)).holdings[0]).toMatchObject({
        quantity: 6,
        average_price: 500.5,
      });
      funds = await t.sandbox.views.funds(userId);
      expect(funds.availablecash).toBe(10_000_000 - 5005 + 2040);
      expect(funds.total_realized_pnl).toBe(38);
      const report = await t.sandbox.reconcile(userId);
      expect(report.problems).toEqual([]);
      expect(report.holdingsCost).toBe('3003');
    } finally {
      await t.sandbox.updateConfig('equity_cnc_leverage', '1');
      await t.close();
    }
  });

  it('settles expired options at their LTP at the expiry-day close and cancels orders on them', async () => {
    await fresh();
    try {
      const { userId, context } = account();
      t.ticks.tick('NFO', 'NIFTY24NOV2626000CE', 120);
      t.ticks.tick('NFO', 'NIFTY24NOV2625000PE', 5);
      await t.sandbox.orders.placeOrder(orderRequest(NIFTY_CE, { quantity: 75, product: 'NRML' }), context);
      await t.sandbox.orders.placeOrder(orderRequest(NIFTY_PE, { quantity: 75, product: 'NRML' }), context);
      const resting = await t.sandbox.orders.placeOrder(
        orderRequest(NIFTY_CE, { quantity: 75, product: 'NRML', priceType: 'LIMIT', price: '50' }),
        context,
      );
      t.clock.setIst(TEST_DAY, '15:39');
      expect((await t.sandbox.runDueJobs()).expiredPositions).toBe(0);
      t.clock.setIst(TEST_DAY, '15:40');
      t.ticks.tick('NFO', 'NIFTY24NOV2626000CE', 140);
      const report = await t.sandbox.runDueJobs();
      expect(report.expiredPositions).toBe(2);
      expect(report.expiredOrders).toBe(1);
      expect((await t.sandbox.views.orderStatus(userId, resting.orderId)).order_status).toBe('cancelled');
      const trades = await listSandboxTrades(store(), { userId });
      const settlement = trades.filter((trade) => trade.strategy === 'EXPIRY_SETTLEMENT');
      expect(settlement.map((trade) => [trade.symbol, trade.price, trade.realized_pnl]).sort()).toEqual([
        ['NIFTY24NOV2625000PE', '5', '0'],
        ['NIFTY24NOV2626000CE', '140', '1500'],
      ]);
      expect(await listSandboxPositions(store(), { userId, isOpen: true })).toEqual([]);
      expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('resets every account on the weekly reset day and time, once, cancelling what was working', async () => {
    await fresh();
    try {
      const { userId, context } = account();
      t.ticks.tick('NSE', 'SBIN', 500);
      await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 10 }), context);
      await t.sandbox.orders.placeOrder(orderRequest(SBIN, { priceType: 'LIMIT', price: '400' }), context);
      t.ticks.tick('NSE', 'SBIN', 520);
      await t.sandbox.orders.placeOrder(orderRequest(SBIN, { action: 'SELL', quantity: 5 }), context);
      await t.sandbox.updateConfig('reset_day', 'Wednesday');
      await t.sandbox.updateConfig('reset_time', '08:00');

      t.clock.setIst(NEXT_DAY, '07:59');
      expect((await t.sandbox.runDueJobs()).resetAccounts).toBe(0);
      t.clock.setIst(NEXT_DAY, '08:00');
      expect((await t.sandbox.runDueJobs()).resetAccounts).toBeGreaterThanOrEqual(1);
      const funds = await t.sandbox.views.funds(userId);
      expect(funds).toMatchObject({
        availablecash: 10_000_000,
        utiliseddebits: 0,
        total_realized_pnl: 0,
        reset_count: 1,
        last_reset: `${NEXT_DAY} 08:00:00`,
      });
      expect(await listSandboxPositions(store(), { userId })).toEqual([]);
      expect(
        (await listSandboxOrders(store(), { userId, statuses: ['open', 'trigger pending'] })).length,
      ).toBe(0);
      t.clock.setIst(NEXT_DAY, '09:00');
      expect((await t.sandbox.runDueJobs()).resetAccounts).toBe(0);
      expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
    } finally {
      await t.sandbox.updateConfig('reset_day', 'Never');
      await t.close();
    }
  });

  it('keeps the session’s figures per session: books show today, today’s P&L starts at zero', async () => {
    await fresh();
    try {
      const { userId, context } = account();
      t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_000);
      await t.sandbox.orders.placeOrder(orderRequest(NIFTY_FUT, { quantity: 150, product: 'NRML' }), context);
      t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_010);
      await t.sandbox.orders.placeOrder(
        orderRequest(NIFTY_FUT, { quantity: 75, product: 'NRML', action: 'SELL' }),
        context,
      );
      expect((await t.sandbox.views.funds(userId)).m2mrealized).toBe(750);
      expect((await t.sandbox.views.orderBook(userId)).orders).toHaveLength(2);

      t.clock.setIst(NEXT_DAY, '03:00');
      const funds = await t.sandbox.views.funds(userId);
      expect(funds.m2mrealized).toBe(0);
      expect(funds.total_realized_pnl).toBe(750);
      expect((await t.sandbox.views.orderBook(userId)).orders).toHaveLength(0);
      expect(await t.sandbox.views.tradeBook(userId)).toHaveLength(0);
      // The NRML position carries forward.
      const book = await t.sandbox.views.positionBook(userId);
      expect(book.data).toEqual([expect.objectContaining({ quantity: 75, today_realized_pnl: 0 })]);
    } finally {
      await t.close();
    }
  });
});
