import type { MarketDataStream } from '@openalgo/broker-sdk';
import {
  candleSchema,
  depthSchema,
  fundsSchema,
  gttSchema,
  holdingSchema,
  instrumentRowSchema,
  marginResultSchema,
  type OrderRequest,
  orderAckSchema,
  orderSchema,
  orderUpdateSchema,
  positionSchema,
  quoteSchema,
  type Tick,
  tickSchema,
  tradeSchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type Harness, startHarness } from './testing/harness.js';

/**
 * Every structure the adapter returns must satisfy the shared-types schema of the v1 contract
 * (what the broker-sdk conformance suite checks), on a realistic session against the fake Kite:
 * orders of every status, partial fills, positions long and short, holdings, GTTs, history,
 * streams.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ fake: { matching: 'auto' } });
});

afterAll(async () => {
  await harness.close();
});

function expectValid<T>(schema: z.ZodType<T>, values: readonly unknown[]): void {
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    const result = schema.safeParse(value);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  }
}

function request(symbol: string, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    instrument: harness.instrument(symbol, 'NSE'),
    action: 'BUY',
    quantity: 10,
    product: 'MIS',
    priceType: 'MARKET',
    price: '0',
    triggerPrice: '0',
    disclosedQuantity: 0,
    validity: 'DAY',
    clientOrderId: `c${symbol}`.slice(0, 20),
    ...overrides,
  };
}

describe('adapter output satisfies the v1 contract schemas', () => {
  it('for orders, trades, positions, holdings, funds, quotes, depth, history, GTT and margin', async () => {
    const { broker, context, fake } = harness;
    fake.control.setPrice('NSE', 'SBIN', '800');
    fake.control.setPrice('NSE', 'INFY', '1500');
    fake.control.setPrice('NSE', 'TCS', '4000');
    const acks = [
      await broker.orders.placeOrder(request('SBIN'), context),
      await broker.orders.placeOrder(request('INFY', { action: 'SELL', quantity: 5 }), context),
      await broker.orders.placeOrder(request('TCS', { priceType: 'LIMIT', price: '3900' }), context),
      await broker.orders.placeOrder(
        request('TCS', { priceType: 'SL', price: '4101', triggerPrice: '4100' }),
        context,
      ),
      await broker.orders.placeOrder(request('ITC', { priceType: 'LIMIT', price: '1', amo: true }), context),
    ];
    expectValid(orderAckSchema, acks);
    fake.control.rejectNextOrder('RMS:Blocked for testing');
    await broker.orders.placeOrder(request('SBIN'), context);
    // A partial fill, then a cancel of the rest.
    const partial = await broker.orders.placeOrder(
      request('LT', { priceType: 'LIMIT', price: '1', quantity: 10 }),
      context,
    );
    fake.control.fillOrder(partial.orderId, { quantity: 4, price: '1' });
    await broker.orders.cancelOrder({ orderId: partial.orderId }, context);
    fake.control.addHolding('NSE', 'RELIANCE', 3, '2800.5');

    const orders = await broker.orders.fetchOrders(context);
    expectValid(orderSchema, orders);
    expect(new Set(orders.map((order) => order.status))).toEqual(
      new Set(['complete', 'open', 'trigger pending', 'rejected', 'cancelled']),
    );
    for (const order of orders) {
      expect(order.filledQuantity + order.pendingQuantity).toBeLessThanOrEqual(order.quantity);
      if (order.status === 'open' || order.status === 'trigger pending') {
        expect(order.filledQuantity + order.pendingQuantity).toBe(order.quantity);
      }
    }
    expect(orders.find((order) => order.orderId === partial.orderId)).toMatchObject({
      status: 'cancelled',
      filledQuantity: 4,
      pendingQuantity: 0,
    });
    expectValid(orderSchema, [await broker.orders.fetchOrder({ orderId: acks[0]?.orderId ?? '' }, context)]);
    expectValid(tradeSchema, await broker.orders.fetchTrades(context));
    const positions = await broker.portfolio.fetchPositions(context);
    expectValid(positionSchema, positions);
    expect(positions.some((position) => position.quantity < 0)).toBe(true);
    expectValid(holdingSchema, await broker.portfolio.fetchHoldings(context));
    expectValid(fundsSchema, [await broker.portfolio.fetchFunds(context)]);

    const instruments = [
      harness.instrument('SBIN', 'NSE'),
      harness.instrument('NIFTY', 'NSE_INDEX'),
      harness.instrument('SENSEX', 'BSE_INDEX'),
      harness.findInstrument((instrument) => instrument.instrumentType === 'CE'),
      harness.findInstrument(
        (instrument) => instrument.exchange === 'CDS' && instrument.instrumentType === 'FUT',
      ),
    ];
    const quotes = await broker.marketData.fetchQuotes(instruments, context);
    expectValid(
      quoteSchema,
      quotes.map((result) => (result.ok ? result.quote : null)),
    );
    expectValid(
      depthSchema,
      await Promise.all(
        instruments.map((instrument) => broker.marketData.fetchDepth(instrument, 5, context)),
      ),
    );
    for (const interval of broker.marketData.intervals) {
      const to = Date.parse('2026-11-20T15:30:00+05:30');
      const candles = await broker.marketData.fetchHistory(
        {
          instrument: instruments[0] ?? harness.instrument('SBIN', 'NSE'),
          interval,
          from: to - 5 * 86_400_000,
          to,
        },
        context,
      );
      expectValid(candleSchema, candles);
      const times = candles.map((candle) => candle.time);
      expect([...times].sort((left, right) => left - right)).toEqual(times);
    }
    await broker.gtt.placeGtt(
      {
        instrument: harness.instrument('SBIN', 'NSE'),
        triggerType: 'single',
        lastPrice: '800',
        legs: [
          {
            triggerPrice: '700',
            price: '699',
            quantity: 1,
            action: 'BUY',
            priceType: 'LIMIT',
            product: 'CNC',
          },
        ],
      },
      context,
    );
    expectValid(gttSchema, await broker.gtt.fetchGtts(context));
    expectValid(marginResultSchema, [
      await broker.margin.calculateMargin(
        [
          {
            instrument: harness.instrument('SBIN', 'NSE'),
            action: 'BUY',
            quantity: 1,
            product: 'CNC',
            priceType: 'MARKET',
            price: '0',
            triggerPrice: '0',
          },
        ],
        context,
      ),
    ]);
  });

  it('for instrument rows, ticks and order updates', async () => {
    const { broker, context, fake } = harness;
    const rows = [];
    for await (const batch of broker.instruments.download({
      session: context.session,
      logger: context.logger,
      now: context.now,
    })) {
      rows.push(...batch);
    }
    expectValid(instrumentRowSchema, rows);

    const stream = broker.streams.marketData?.create(context) as MarketDataStream;
    const ticks: Tick[] = [];
    stream.onTick((tick) => ticks.push(tick));
    await stream.connect();
    const updates = broker.streams.orderUpdates?.create(context);
    const received: unknown[] = [];
    updates?.onUpdate((update) => received.push(update));
    await updates?.connect();
    try {
      stream.subscribe([
        { instrument: harness.instrument('SBIN', 'NSE'), mode: 'ltp' },
        { instrument: harness.instrument('INFY', 'NSE'), mode: 'quote' },
        { instrument: harness.instrument('TCS', 'NSE'), mode: 'depth' },
        { instrument: harness.instrument('NIFTY', 'NSE_INDEX'), mode: 'depth' },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      fake.control.pushTicks();
      await broker.orders.placeOrder(request('SBIN', { clientOrderId: 'tickflow' }), context);
      const deadline = Date.now() + 3_000;
      while (
        (new Set(ticks.map((tick) => tick.mode)).size < 3 || received.length < 2) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expectValid(tickSchema, ticks);
      expect(new Set(ticks.map((tick) => tick.mode))).toEqual(new Set(['ltp', 'quote', 'depth']));
      expectValid(orderUpdateSchema, received);
    } finally {
      await stream.close();
      await updates?.close();
    }
  });
});
