import {
  InsufficientFundsError,
  InvalidOrderError,
  OrderNotFoundError,
  RateLimitError,
} from '@openalgo/broker-sdk';
import { listSandboxLedger, listSandboxOrders, listSandboxTrades, sandboxStore } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from './core.js';
import { createTestSandbox, orderRequest, TEST_DAY, type TestSandbox } from './test-support.js';
import { testInstrument } from './testing/index.js';

const SBIN = testInstrument('SBIN', 'NSE');
const INFY = testInstrument('INFY', 'NSE');
const NIFTY_FUT = testInstrument('NIFTY29DEC26FUT', 'NFO', {
  lotSize: 75,
  instrumentType: 'FUT',
  expiry: '29-DEC-26',
});

describe.each(testBackends())('sandbox orders on %s', (backend) => {
  let t: TestSandbox;
  let nextUser = 100;
  const events: SandboxEvent[] = [];

  beforeAll(async () => {
    t = await createTestSandbox(backend);
    t.sandbox.onEvent((event) => events.push(event));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  /** A fresh account per test: every test starts from ₹1 crore and no orders. */
  function account() {
    nextUser += 1;
    return { userId: nextUser, context: t.context(nextUser) };
  }

  async function orderRow(userId: number, orderid: string) {
    return t.sandbox.views.orderStatus(userId, orderid);
  }

  async function expectBalanced(userId: number) {
    const report = await t.sandbox.reconcile(userId);
    expect(report.problems).toEqual([]);
    return report;
  }

  it('fills a MARKET buy at the ask and a MARKET sell at the bid, at once', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const buy = await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 10 }), context);
    const sell = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { action: 'SELL', quantity: 4 }),
      context,
    );
    expect(await orderRow(userId, buy.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 500.1,
      filled_quantity: 10,
      pending_quantity: 0,
      price: 0,
      pricetype: 'MARKET',
      price_type: 'MARKET',
    });
    expect(await orderRow(userId, sell.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 499.9,
    });
    const book = await t.sandbox.views.positionBook(userId);
    expect(book.data).toEqual([
      expect.objectContaining({
        symbol: 'SBIN',
        quantity: 6,
        average_price: 500.1,
        today_realized_pnl: -0.8,
      }),
    ]);
    const funds = await t.sandbox.views.funds(userId);
    // Margin for the 6 still held: 10 × 500 / 5 reserved, 4/10 of it released with the loss.
    expect(funds.utiliseddebits).toBe(600);
    expect(funds.m2mrealized).toBe(-0.8);
    expect(funds.availablecash).toBe(10_000_000 - 600 - 0.8);
    await expectBalanced(userId);
  });

  it('gives a 14-digit IST order id and never the same one twice, even placed at once', async () => {
    const { context } = account();
    t.ticks.tick('NSE', 'INFY', 1500);
    const acks = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.sandbox.orders.placeOrder(orderRequest(INFY, { priceType: 'LIMIT', price: '1400' }), context),
      ),
    );
    const ids = acks.map((ack) => ack.orderId);
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) {
      expect(id).toMatch(/^261124\d{8}$/);
    }
  });

  it('rests a LIMIT order and fills it at its price when the market trades through it', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '495', quantity: 10 }),
      context,
    );
    expect((await orderRow(userId, ack.orderId)).order_status).toBe('open');
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(990);
    t.ticks.tick('NSE', 'SBIN', 497);
    await t.sandbox.idle();
    expect((await orderRow(userId, ack.orderId)).order_status).toBe('open');
    t.ticks.tick('NSE', 'SBIN', 493.5);
    await t.sandbox.idle();
    expect(await orderRow(userId, ack.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 495,
    });
    await expectBalanced(userId);
  });

  it('fills a marketable LIMIT at once at the LTP (price improvement)', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '510', quantity: 2 }),
      context,
    );
    expect(await orderRow(userId, ack.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 500,
    });
    const sell = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { action: 'SELL', priceType: 'LIMIT', price: '499', quantity: 2 }),
      context,
    );
    expect(await orderRow(userId, sell.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 500,
    });
  });

  it('triggers an SL-M buy when the LTP rises to the trigger and fills at the market', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'INFY', 1500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(INFY, { priceType: 'SL-M', triggerPrice: '1510', quantity: 3 }),
      context,
    );
    expect((await orderRow(userId, ack.orderId)).order_status).toBe('trigger pending');
    // Margin on the trigger price: 3 × 1510 / 5.
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(906);
    t.ticks.tick('NSE', 'INFY', 1509.95);
    await t.sandbox.idle();
    expect((await orderRow(userId, ack.orderId)).order_status).toBe('trigger pending');
    t.ticks.tick('NSE', 'INFY', 1512);
    await t.sandbox.idle();
    expect(await orderRow(userId, ack.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 1512,
    });
    await expectBalanced(userId);
  });

  it('triggers an SL sell, rests it at its limit when the market gapped past, then fills it', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'INFY', 1500);
    await t.sandbox.orders.placeOrder(orderRequest(INFY, { quantity: 5 }), context);
    const stop = await t.sandbox.orders.placeOrder(
      orderRequest(INFY, {
        action: 'SELL',
        priceType: 'SL',
        triggerPrice: '1490',
        price: '1488',
        quantity: 5,
      }),
      context,
    );
    expect((await orderRow(userId, stop.orderId)).order_status).toBe('trigger pending');
    // A gap below the limit: the trigger fires, the limit is not met, the order rests open.
    t.ticks.tick('NSE', 'INFY', 1480);
    await t.sandbox.idle();
    expect((await orderRow(userId, stop.orderId)).order_status).toBe('open');
    t.ticks.tick('NSE', 'INFY', 1487);
    await t.sandbox.idle();
    expect((await orderRow(userId, stop.orderId)).order_status).toBe('open');
    t.ticks.tick('NSE', 'INFY', 1489);
    await t.sandbox.idle();
    expect(await orderRow(userId, stop.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 1488,
    });
    expect((await t.sandbox.views.positionBook(userId)).data[0]).toMatchObject({
      quantity: 0,
      today_realized_pnl: -60,
    });
    await expectBalanced(userId);
  });

  it('fills an SL at the LTP when trigger and limit are met by the same tick', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const stop = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'SL', triggerPrice: '505', price: '507', quantity: 1 }),
      context,
    );
    t.ticks.tick('NSE', 'SBIN', 506);
    await t.sandbox.idle();
    expect(await orderRow(userId, stop.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 506,
    });
  });

  it('fills an SL-M at once when its trigger is already crossed at placement', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const stop = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'SL-M', action: 'SELL', triggerPrice: '501', quantity: 1 }),
      context,
    );
    expect(await orderRow(userId, stop.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 500,
    });
  });

  it('refuses an order the account cannot pay for, with OpenAlgo message, and writes nothing', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const attempt = t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '500', quantity: 200_000 }),
      context,
    );
    await expect(attempt).rejects.toSatisfy(
      (error) =>
        InsufficientFundsError.isInstance(error) &&
        error.message ===
          'Insufficient funds. Required: ₹20000000.00, Available: ₹10000000.00, Shortage: ₹10000000.00' &&
        error.context.mode === 'analyze',
    );
    expect(
      await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, { userId }),
    ).toEqual([]);
  });

  it.each([
    [
      'NRML on NSE',
      orderRequest(SBIN, { product: 'NRML' }),
      'NRML product not allowed for NSE equity segment. Use CNC for delivery or MIS for intraday.',
    ],
    [
      'CNC on NFO',
      orderRequest(NIFTY_FUT, { product: 'CNC', quantity: 75 }),
      'CNC product not allowed for NFO derivatives segment. Use NRML for carryforward or MIS for intraday.',
    ],
    [
      'a lot-size miss',
      orderRequest(NIFTY_FUT, { quantity: 50 }),
      'Quantity must be in multiples of lot size 75',
    ],
    ['a LIMIT without price', orderRequest(SBIN, { priceType: 'LIMIT' }), 'LIMIT orders require price'],
    [
      'an SL without trigger',
      orderRequest(SBIN, { priceType: 'SL', price: '500' }),
      'SL orders require trigger_price',
    ],
  ])('rejects %s', async (_name, request, message) => {
    const { context } = account();
    await expect(t.sandbox.orders.placeOrder(request, context)).rejects.toSatisfy(
      (error) => InvalidOrderError.isInstance(error) && error.message === message,
    );
  });

  it('rejects a MARKET order when no price can be had', async () => {
    const { context } = account();
    const ghost = testInstrument('GHOST', 'NSE');
    await expect(t.sandbox.orders.placeOrder(orderRequest(ghost), context)).rejects.toThrow(
      'Cannot place MARKET order for GHOST - unable to fetch current price. Please try again later or use LIMIT order with a specific price.',
    );
  });

  it('stores a CNC sell without shares as rejected and answers with its order id', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const error = await t.sandbox.orders
      .placeOrder(orderRequest(SBIN, { action: 'SELL', product: 'CNC', quantity: 5 }), context)
      .catch((caught: unknown) => caught);
    expect(InvalidOrderError.isInstance(error)).toBe(true);
    const orderId = (error as InvalidOrderError).context.orderId as string;
    expect(orderId).toMatch(/^\d{14}$/);
    expect((error as Error).message).toBe(
      'Cannot sell SBIN in CNC. No positions or holdings available. CNC (delivery) requires existing shares. Use MIS for intraday short selling.',
    );
    expect(await t.sandbox.views.orderStatus(userId, orderId)).toMatchObject({
      order_status: 'rejected',
      filled_quantity: 0,
    });
    expect((await t.sandbox.views.orderBook(userId)).statistics.total_rejected_orders).toBe(1);
  });

  it('counts shares promised to open CNC sells, so they cannot be sold twice', async () => {
    const { context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    await t.sandbox.orders.placeOrder(orderRequest(SBIN, { product: 'CNC', quantity: 10 }), context);
    await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { action: 'SELL', product: 'CNC', priceType: 'LIMIT', price: '600', quantity: 8 }),
      context,
    );
    await expect(
      t.sandbox.orders.placeOrder(
        orderRequest(SBIN, { action: 'SELL', product: 'CNC', priceType: 'LIMIT', price: '600', quantity: 5 }),
        context,
      ),
    ).rejects.toThrow(
      'Cannot sell 5 shares of SBIN in CNC. Only 2 shares available (Position: 10, Holdings: 0, in open sell orders: 8)',
    );
  });

  it('refuses new MIS exposure after the square-off time but lets a position be reduced', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 10 }), context);
    t.clock.setIst(TEST_DAY, '15:20');
    try {
      await expect(t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), context)).rejects.toThrow(
        'MIS orders cannot be placed after square-off time (15:15 IST). Trading resumes at 09:00 AM IST.',
      );
      // A sell that would reverse the position adds exposure too.
      await expect(
        t.sandbox.orders.placeOrder(orderRequest(SBIN, { action: 'SELL', quantity: 11 }), context),
      ).rejects.toThrow('MIS orders cannot be placed after square-off time');
      t.ticks.tick('NSE', 'SBIN', 501);
      const reduce = await t.sandbox.orders.placeOrder(
        orderRequest(SBIN, { action: 'SELL', quantity: 4 }),
        context,
      );
      expect((await orderRow(userId, reduce.orderId)).order_status).toBe('complete');
    } finally {
      t.clock.setIst(TEST_DAY, '10:00');
    }
  });

  it('cancels a working order and releases exactly its reservation', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '480', quantity: 50 }),
      context,
    );
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(4800);
    const cancelled = await t.sandbox.orders.cancelOrder({ orderId: ack.orderId }, context);
    expect(cancelled.raw).toMatchObject({ order_status: 'cancelled', mode: 'analyze' });
    const funds = await t.sandbox.views.funds(userId);
    expect(funds.utiliseddebits).toBe(0);
    expect(funds.availablecash).toBe(10_000_000);
    // Later ticks through its price do nothing.
    t.ticks.tick('NSE', 'SBIN', 470);
    await t.sandbox.idle();
    expect((await orderRow(userId, ack.orderId)).order_status).toBe('cancelled');
    await expect(t.sandbox.orders.cancelOrder({ orderId: ack.orderId }, context)).rejects.toThrow(
      'Cannot cancel order in cancelled status',
    );
    await expect(t.sandbox.orders.cancelOrder({ orderId: '26112499999999' }, context)).rejects.toSatisfy(
      (error) => OrderNotFoundError.isInstance(error) && error.message === 'Order 26112499999999 not found',
    );
    await expectBalanced(userId);
  });

  it("never lets one account touch another's order", async () => {
    const owner = account();
    const stranger = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '480' }),
      owner.context,
    );
    await expect(t.sandbox.orders.cancelOrder({ orderId: ack.orderId }, stranger.context)).rejects.toThrow(
      `Order ${ack.orderId} not found`,
    );
    await expect(t.sandbox.views.orderStatus(stranger.userId, ack.orderId)).rejects.toThrow('not found');
  });

  it('re-reserves margin when an order is modified, and refuses a modify it cannot fund', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '480', quantity: 10 }),
      context,
    );
    const change = {
      instrument: SBIN,
      action: 'BUY' as const,
      product: 'MIS' as const,
      priceType: 'LIMIT' as const,
      quantity: 100,
      price: '490',
      triggerPrice: '0',
      disclosedQuantity: 0,
      validity: 'DAY' as const,
    };
    await t.sandbox.orders.modifyOrder({ orderId: ack.orderId }, change, context);
    expect(await orderRow(userId, ack.orderId)).toMatchObject({
      quantity: 100,
      price: 490,
      order_status: 'open',
    });
    expect((await t.sandbox.views.funds(userId)).utiliseddebits).toBe(9800);
    await expect(
      t.sandbox.orders.modifyOrder({ orderId: ack.orderId }, { ...change, quantity: 200_000 }, context),
    ).rejects.toSatisfy((error) => InsufficientFundsError.isInstance(error));
    // The refused modify left the order as it was, still working.
    expect(await orderRow(userId, ack.orderId)).toMatchObject({ quantity: 100, price: 490 });
    await expect(
      t.sandbox.orders.modifyOrder({ orderId: ack.orderId }, { ...change, triggerPrice: '5' }, context),
    ).rejects.toThrow('LIMIT orders do not accept a trigger_price');
    // Modified to a marketable price, it fills at once.
    await t.sandbox.orders.modifyOrder({ orderId: ack.orderId }, { ...change, price: '505' }, context);
    expect(await orderRow(userId, ack.orderId)).toMatchObject({
      order_status: 'complete',
      average_price: 500,
    });
    await expectBalanced(userId);
  });

  it('fills an order exactly once when a cancel and a crossing tick race', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { priceType: 'LIMIT', price: '495', quantity: 10 }),
      context,
    );
    const cancel = t.sandbox.orders
      .cancelOrder({ orderId: ack.orderId }, context)
      .catch((error: Error) => error);
    t.ticks.tick('NSE', 'SBIN', 490);
    await t.sandbox.idle();
    const outcome = await cancel;
    const status = (await orderRow(userId, ack.orderId)).order_status;
    const trades = await listSandboxTrades(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId,
    });
    if (status === 'complete') {
      expect(outcome).toBeInstanceOf(Error);
      expect(trades).toHaveLength(1);
    } else {
      expect(status).toBe('cancelled');
      expect(trades).toHaveLength(0);
    }
    await expectBalanced(userId);
  });

  it('journals every movement of money with its owner, balanced', async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', 500);
    const buy = await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 10 }), context);
    t.ticks.tick('NSE', 'SBIN', 510);
    const sell = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { action: 'SELL', quantity: 10 }),
      context,
    );
    const journal = await listSandboxLedger(sandboxStore(t.database.db, t.database.sandboxSchema).db, userId);
    // The buy's reservation passes to the position without moving money (no entry); the
    // closing sell releases the position's margin and books the profit.
    expect(
      journal.map((row) => [row.kind, row.owner_kind, row.owner_id, row.cash, row.margin, row.realized]),
    ).toEqual([
      ['open', null, null, '10000000', '0', '0'],
      ['reserve', 'order', buy.orderId, '-1000', '1000', '0'],
      ['fill', 'order', sell.orderId, '1000', '-1000', '0'],
      ['realise', 'position', 'NSE:SBIN:MIS', '100', '0', '100'],
    ]);
  });

  it('tells listeners about every order change and fill', async () => {
    const { userId, context } = account();
    events.length = 0;
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, ask: 500.05 });
    const ack = await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), context);
    const mine = events.filter((event) => 'userId' in event && event.userId === userId);
    expect(mine.map((event) => event.type)).toEqual(['order_update', 'order_update', 'order_filled']);
    expect(mine[2]).toMatchObject({ orderid: ack.orderId, price: '500.05', source: 'placement' });
  });
  it("does not place an order whose caller gave up while it waited in the account's lane", async () => {
    const { userId, context } = account();
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const gaveUp = new AbortController();
    const first = t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), context);
    const waiting = t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 2 }), {
      ...context,
      signal: gaveUp.signal,
    });
    // Answered on the abort itself: heard from here on.
    const settled = waiting.then(
      () => 'placed',
      (error: unknown) => error,
    );
    gaveUp.abort(new Error('the caller timed out'));
    const placed = await first;
    // Told so, definitively: it never ran.
    const reason = await settled;
    expect(RateLimitError.isInstance(reason), String(reason)).toBe(true);
    expect((reason as RateLimitError).context).toMatchObject({ neverSent: true });
    const orders = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId,
    });
    expect(orders.map((order) => order.orderid)).toEqual([placed.orderId]);
  });
});

describe.each(testBackends())('an overloaded account lane on %s', (backend) => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await createTestSandbox(backend, { maxQueuedWrites: 2 });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses orders beyond the waiting limit at once, stores none of them, and leaves other accounts alone', async () => {
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const busy = 501;
    const other = 502;
    const burst = Array.from({ length: 5 }, () =>
      t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), t.context(busy)),
    );
    const elsewhere = t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), t.context(other));
    const outcomes = await Promise.allSettled(burst);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
    ]);
    for (const outcome of outcomes.slice(2)) {
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(RateLimitError.isInstance(reason)).toBe(true);
      expect(String((reason as Error).message)).toMatch(/Analyzer mode is busy: 2 orders/);
    }
    await expect(elsewhere).resolves.toMatchObject({ orderId: expect.any(String) });
    const stored = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId: busy,
    });
    expect(stored).toHaveLength(2);
    // Once the lane drains, the account takes orders again.
    await expect(
      t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), t.context(busy)),
    ).resolves.toMatchObject({ orderId: expect.any(String) });
  });
});

describe.each(testBackends())('an account lane that stalls on %s', (backend) => {
  let t: TestSandbox;
  /** While set, the sandbox's pause between quote attempts waits for it (a stalled write). */
  let stall: Promise<void> | null = null;
  /** Holds the lane from now until the returned function lets it go. */
  function holdLane(): () => void {
    let resume: () => void = () => undefined;
    stall = new Promise<void>((resolve) => {
      resume = resolve;
    });
    return () => {
      stall = null;
      resume();
    };
  }

  beforeAll(async () => {
    t = await createTestSandbox(backend, {
      maxLaneWaitMs: 100,
      sleep: () => stall ?? Promise.resolve(),
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses new orders once their expected wait passes the limit, however few are waiting', async () => {
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const account = 601;
    const other = 602;
    const release = holdLane();
    // A MARKET order without a price waits for a quote inside the lane: the lane is held.
    const stalled = t.sandbox.orders.placeOrder(orderRequest(INFY, { quantity: 1 }), t.context(account));
    // Just behind it, the expected wait is still short: this one joins the lane.
    const joined = t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { quantity: 2, priceType: 'LIMIT', price: '490' }),
      t.context(account),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The running write is now older than the limit: one more is refused at once, with two
    // orders waiting (far below the count limit of 256).
    const refused = t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { quantity: 7, priceType: 'LIMIT', price: '490' }),
      t.context(account),
    );
    const reason = await Promise.race([
      refused.then(
        () => 'placed',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 1 s'), 1_000)),
    ]);
    if (!RateLimitError.isInstance(reason)) {
      // Let the lane go before failing, so the suite can close.
      release();
    }
    expect(RateLimitError.isInstance(reason), String(reason)).toBe(true);
    expect(String((reason as Error).message)).toMatch(
      /Analyzer mode is busy: this account's orders would wait about \d+ ms for their turn \(the limit is 100 ms\)/,
    );
    // Another account's lane is not held.
    await expect(
      t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1 }), t.context(other)),
    ).resolves.toMatchObject({ orderId: expect.any(String) });
    release();
    await Promise.allSettled([stalled]);
    await expect(joined).resolves.toMatchObject({ orderId: expect.any(String) });
    await t.sandbox.idle();
    // Drained, the account takes orders again; the refused order was never stored.
    await expect(
      t.sandbox.orders.placeOrder(
        orderRequest(SBIN, { quantity: 3, priceType: 'LIMIT', price: '490' }),
        t.context(account),
      ),
    ).resolves.toMatchObject({ orderId: expect.any(String) });
    const stored = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId: account,
    });
    expect(stored.map((order) => order.quantity)).toEqual(expect.arrayContaining([2, 3]));
    expect(stored.some((order) => order.quantity === 7)).toBe(false);
  });

  it('answers at once that an order whose caller gave up while it waited was not placed, and never runs it', async () => {
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const account = 611;
    const release = holdLane();
    const stalled = t.sandbox.orders.placeOrder(orderRequest(INFY, { quantity: 1 }), t.context(account));
    const controller = new AbortController();
    const waiting = t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { quantity: 9, priceType: 'LIMIT', price: '490' }),
      { ...t.context(account), signal: controller.signal },
    );
    const settled = waiting.then(
      () => 'placed',
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('the deadline passed'));
    // Answered within the abort's own turn, while the lane is still held.
    const reason = await Promise.race([
      settled,
      new Promise((resolve) => setImmediate(() => resolve('no answer yet'))),
    ]);
    release();
    expect(RateLimitError.isInstance(reason), String(reason)).toBe(true);
    expect((reason as RateLimitError).context).toMatchObject({
      neverSent: true,
      mayHaveReachedBroker: false,
    });
    expect(String((reason as Error).message)).toMatch(
      /^Analyzer mode is busy: the order was not placed \(it waited \d+ ms for its turn in this account's queue\)\. Try again shortly\.$/,
    );
    await Promise.allSettled([stalled]);
    await t.sandbox.idle();
    const stored = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId: account,
    });
    // The abandoned order never ran.
    expect(stored.some((order) => order.quantity === 9)).toBe(false);
  });

  it('says what a skipped cancel did not do, and leaves its order working', async () => {
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const account = 613;
    const resting = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { quantity: 5, priceType: 'LIMIT', price: '480' }),
      t.context(account),
    );
    const release = holdLane();
    const stalled = t.sandbox.orders.placeOrder(orderRequest(INFY, { quantity: 1 }), t.context(account));
    const controller = new AbortController();
    const cancel = t.sandbox.orders
      .cancelOrder({ orderId: resting.orderId }, { ...t.context(account), signal: controller.signal })
      .then(
        () => 'cancelled',
        (error: unknown) => error,
      );
    controller.abort(new Error('the deadline passed'));
    const reason = await cancel;
    release();
    expect(RateLimitError.isInstance(reason), String(reason)).toBe(true);
    expect(String((reason as Error).message)).toMatch(
      /^Analyzer mode is busy: the order was not cancelled \(it waited \d+ ms/,
    );
    await Promise.allSettled([stalled]);
    await t.sandbox.idle();
    const stored = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId: account,
    });
    expect(stored.find((order) => order.orderid === resting.orderId)?.status).toBe('open');
  });

  it('lets an order that had started when its caller gave up finish with its own outcome', async () => {
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    const account = 612;
    const release = holdLane();
    const controller = new AbortController();
    // A MARKET order without a quote waits inside its own task: it has started.
    const running = t.sandbox.orders.placeOrder(orderRequest(INFY, { quantity: 4 }), {
      ...t.context(account),
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('the deadline passed'));
    // Its quote arrives: the order it was waiting for goes through.
    t.ticks.tick('NSE', 'INFY', { ltp: 1500, bid: 1499.9, ask: 1500.1 });
    release();
    await expect(running).resolves.toMatchObject({ orderId: expect.any(String) });
    await t.sandbox.idle();
    const stored = await listSandboxOrders(sandboxStore(t.database.db, t.database.sandboxSchema).db, {
      userId: account,
    });
    expect(stored.map((order) => order.quantity)).toEqual([4]);
  });
});
