import { InsufficientFundsError, InvalidOrderError } from '@openalgo/broker-sdk';
import { listSandboxOrders, sandboxStore } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import type { GttRequest } from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSandbox, orderRequest, type TestSandbox } from './test-support.js';
import { testInstrument } from './testing/index.js';

const FUT = testInstrument('NIFTY29DEC26FUT', 'NFO', { lotSize: 75, instrumentType: 'FUT' });
const SBIN = testInstrument('SBIN', 'NSE');

function single(
  triggerPrice: string,
  price: string,
  overrides: Partial<GttRequest['legs'][number]> = {},
): GttRequest {
  return {
    instrument: FUT,
    triggerType: 'single',
    lastPrice: '26000',
    legs: [
      { triggerPrice, price, quantity: 75, action: 'BUY', priceType: 'LIMIT', product: 'NRML', ...overrides },
    ],
  };
}

function oco(stop: string, target: string): GttRequest {
  return {
    instrument: FUT,
    triggerType: 'two-leg',
    lastPrice: '26000',
    legs: [
      { triggerPrice: stop, price: stop, quantity: 75, action: 'SELL', priceType: 'LIMIT', product: 'NRML' },
      {
        triggerPrice: target,
        price: target,
        quantity: 75,
        action: 'SELL',
        priceType: 'LIMIT',
        product: 'NRML',
      },
    ],
  };
}

describe.each(testBackends())('sandbox GTT on %s', (backend) => {
  let t: TestSandbox;
  let nextUser = 2_000;

  beforeAll(async () => {
    t = await createTestSandbox(backend);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  function account() {
    nextUser += 1;
    return { userId: nextUser, context: t.context(nextUser) };
  }

  it('reserves margin while active and fires a single GTT once when the market rises to it', async () => {
    const { userId, context } = account();
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_000);
    const { triggerId } = await t.sandbox.gtt.placeGtt(single('26100', '26120'), context);
    expect(triggerId).toMatch(/^GTT-261124-[0-9a-f]{8}$/);
    // 75 × 26120 / 10.
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(195_900);
    expect(await t.sandbox.views.gttBook(userId)).toEqual([
      expect.objectContaining({
        trigger_id: triggerId,
        trigger_type: 'single',
        status: 'active',
        trigger_prices: [26_100],
        last_price: 26_000,
        margin_blocked: 195_900,
        legs: [{ action: 'BUY', quantity: 75, price: 26_120, pricetype: 'LIMIT', product: 'NRML' }],
      }),
    ]);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_099.95);
    await t.sandbox.idle();
    expect(await t.sandbox.views.gttBook(userId)).toHaveLength(1);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_105);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_110);
    await t.sandbox.idle();
    expect(await t.sandbox.views.gttBook(userId)).toEqual([]);
    const orders = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId,
    });
    expect(orders).toHaveLength(1);
    // Both ticks arrived before the trigger's job ran: its LIMIT child met the market of that
    // moment (26110, under the 26120 limit) and filled there.
    expect(orders[0]).toMatchObject({
      status: 'complete',
      average_price: '26110',
      price: '26120',
      product: 'NRML',
    });
    expect(await t.sandbox.views.openPosition(userId, 'NIFTY29DEC26FUT', 'NFO', 'NRML')).toBe(75);
    expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
  });

  it('fires exactly one leg of an OCO even when both are crossed before it runs', async () => {
    const { userId, context } = account();
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_000);
    await t.sandbox.orders.placeOrder(orderRequest(FUT, { quantity: 75, product: 'NRML' }), context);
    const { triggerId } = await t.sandbox.gtt.placeGtt(oco('25900', '26200'), context);
    // max of the legs: 75 × 26200 / 10.
    expect((await t.sandbox.views.gttBook(userId))[0]?.margin_blocked).toBe(196_500);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_210);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 25_850);
    await t.sandbox.idle();
    const orders = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId,
    });
    const children = orders.filter((order) => order.gtt_leg_id !== null);
    expect(children).toHaveLength(1);
    // The target fired first; by the time its SELL LIMIT 26200 was placed the market stood at
    // 25850, so it rests. The stop-loss leg was cancelled with it and never fires.
    expect(children[0]).toMatchObject({ action: 'SELL', price: '26200', status: 'open' });
    expect(await t.sandbox.views.gttBook(userId)).toEqual([]);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 25_800);
    await t.sandbox.idle();
    expect(
      (await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, { userId })).filter(
        (order) => order.gtt_leg_id !== null,
      ),
    ).toHaveLength(1);
    expect(triggerId).toMatch(/^GTT-/);
    expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
  });

  it('sums OCO margins when configured to', async () => {
    const { userId, context } = account();
    await t.sandbox.updateConfig('gtt_oco_margin_mode', 'sum');
    try {
      await t.sandbox.gtt.placeGtt(oco('25900', '26200'), context);
      expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(194_250 + 196_500);
    } finally {
      await t.sandbox.updateConfig('gtt_oco_margin_mode', 'max');
    }
  });

  it('modifies as a full replacement with re-reserved margin, and cancels releasing it', async () => {
    const { userId, context } = account();
    const { triggerId } = await t.sandbox.gtt.placeGtt(single('26100', '26120'), context);
    await t.sandbox.gtt.modifyGtt(triggerId, single('26300', '26320', { quantity: 150 }), context);
    const [row] = await t.sandbox.views.gttBook(userId);
    expect(row).toMatchObject({ trigger_prices: [26_300], margin_blocked: 394_800 });
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(394_800);
    await expect(t.sandbox.gtt.modifyGtt(triggerId, oco('25900', '26200'), context)).rejects.toThrow(
      'Cannot change the trigger type of a GTT',
    );
    // The old trigger no longer fires; the new one would.
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_150);
    await t.sandbox.idle();
    expect(await t.sandbox.views.gttBook(userId)).toHaveLength(1);
    await t.sandbox.gtt.cancelGtt(triggerId, context);
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(0);
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_400);
    await t.sandbox.idle();
    expect(
      await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, { userId }),
    ).toEqual([]);
    await expect(t.sandbox.gtt.cancelGtt(triggerId, context)).rejects.toThrow(
      'Cannot cancel GTT in cancelled status',
    );
    t.ticks.tick('NFO', 'NIFTY29DEC26FUT', 26_000);
  });

  it('refuses MIS, unpayable and malformed GTTs', async () => {
    const { context } = account();
    await expect(
      t.sandbox.gtt.placeGtt(single('26100', '26120', { product: 'MIS' }), context),
    ).rejects.toThrow('GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only.');
    await expect(
      t.sandbox.gtt.placeGtt(single('26100', '26120', { quantity: 75_000 }), context),
    ).rejects.toSatisfy((error) => InsufficientFundsError.isInstance(error));
    await expect(t.sandbox.gtt.placeGtt(oco('26200', '25900'), context)).rejects.toSatisfy(
      (error) =>
        InvalidOrderError.isInstance(error) &&
        error.message === 'Stoploss trigger must be less than target trigger (triggerprice_tg).',
    );
  });

  it('stores the child order as rejected when it cannot be placed when the trigger fires', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    // A CNC sell GTT without shares: accepted (no margin), rejected when it fires.
    await t.sandbox.gtt.placeGtt(
      {
        instrument: SBIN,
        triggerType: 'single',
        lastPrice: '500',
        legs: [
          {
            triggerPrice: '490',
            price: '489',
            quantity: 5,
            action: 'SELL',
            priceType: 'LIMIT',
            product: 'CNC',
          },
        ],
      },
      context,
    );
    t.ticks.tick('NSE', 'SBIN', 489.5);
    await t.sandbox.idle();
    const [order] = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId,
    });
    expect(order).toMatchObject({ status: 'rejected', reservation: '0' });
    expect(order?.rejection_reason).toMatch(/^Cannot sell SBIN in CNC/);
    expect((await t.sandbox.reconcile(userId)).problems).toEqual([]);
  });

  it('expires GTTs past their expiry and releases their margin', async () => {
    const { userId, context } = account();
    await t.sandbox.gtt.placeGtt({ ...single('26100', '26120'), expiresAt: t.clock.now() + 60_000 }, context);
    await t.sandbox.runDueJobs();
    expect(await t.sandbox.views.gttBook(userId)).toHaveLength(1);
    t.clock.advance(60_000);
    expect((await t.sandbox.runDueJobs()).expiredGtts).toBeGreaterThanOrEqual(1);
    expect(await t.sandbox.views.gttBook(userId)).toEqual([]);
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(0);
    t.clock.advance(-60_000);
  });
});
