import { describe, expect, it } from 'vitest';
import type { BrokerContext } from '../v1/adapter.js';
import { createBrokenBroker } from './__fixtures__/broken-broker.js';
import {
  validateCandles,
  validateDepth,
  validateFunds,
  validateGtt,
  validateHolding,
  validateInstrumentRow,
  validateInstrumentRows,
  validateMarginResult,
  validateOrder,
  validateOrderUpdate,
  validatePosition,
  validateQuote,
  validateTick,
  validateTrade,
} from './validators.js';

const T = 1_764_000_000_000;

const order = {
  orderId: '1001',
  symbol: 'SBIN',
  exchange: 'NSE',
  action: 'BUY',
  quantity: 10,
  filledQuantity: 4,
  pendingQuantity: 6,
  price: '800.5',
  triggerPrice: '0',
  averagePrice: '800.5',
  priceType: 'LIMIT',
  product: 'MIS',
  status: 'open',
  placedAt: T,
  updatedAt: T + 5,
  raw: {},
} as const;

describe('validateOrder', () => {
  it('accepts a consistent order', () => {
    expect(validateOrder(order)).toEqual([]);
    expect(validateOrder({ ...order, status: 'complete', filledQuantity: 10, pendingQuantity: 0 })).toEqual(
      [],
    );
  });

  it('names each broken rule', () => {
    expect(validateOrder({ ...order, pendingQuantity: 7 })).toEqual([
      'order 1001: filledQuantity 4 + pendingQuantity 7 exceeds quantity 10',
      'order 1001: filledQuantity 4 + pendingQuantity 7 must equal quantity 10 while the order is "open"',
    ]);
    expect(validateOrder({ ...order, status: 'cancelled' })).toEqual([
      'order 1001: pendingQuantity must be 0 once the order is "cancelled", got 6',
    ]);
    expect(validateOrder({ ...order, status: 'complete', pendingQuantity: 0 })).toEqual([
      'order 1001: a complete order must be filled in full (4 of 10)',
    ]);
    expect(
      validateOrder({
        ...order,
        status: 'rejected',
        filledQuantity: 0,
        pendingQuantity: 0,
        averagePrice: '0',
      }),
    ).toEqual(['order 1001: a rejected order must say why (rejectionReason is empty)']);
    expect(validateOrder({ ...order, averagePrice: '0' })).toEqual([
      'order 1001: averagePrice must be positive once 4 are filled, got 0',
    ]);
    expect(validateOrder({ ...order, priceType: 'SL' })).toEqual([
      'order 1001: a SL order needs a positive triggerPrice, got 0',
    ]);
    expect(validateOrder({ ...order, placedAt: 1_764_000_000 })).toEqual([
      'order 1001: placedAt 1764000000 is not an epoch-milliseconds time (seconds given?)',
    ]);
  });

  it('reports schema problems with their field: enums, integers, decimal strings', () => {
    const problems = validateOrder({ ...order, price: 800.5, status: 'OPEN', quantity: 10.5 });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^order 1001: quantity: /);
    expect(problems.some((problem) => problem.startsWith('order 1001: price: '))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('order 1001: status: '))).toBe(true);
  });

  it('compares an order with the request that placed it', () => {
    const request = {
      instrument: {
        symbol: 'SBIN',
        exchange: 'NSE',
        brSymbol: 'SBIN',
        brExchange: 'NSE',
        token: '1',
        name: 'SBIN',
        lotSize: 1,
        tickSize: '0.05',
        instrumentType: 'EQ',
      },
      action: 'SELL',
      quantity: 10,
      product: 'MIS',
      priceType: 'LIMIT',
      price: '800.50',
      triggerPrice: '0',
    } as const;
    expect(validateOrder(order, { request })).toEqual([
      'order 1001: action is "BUY" but the request said "SELL"',
    ]);
    expect(validateOrder(order, { request: { ...request, action: 'BUY', price: '801' } })).toEqual([
      'order 1001: price is "800.5" but the request said "801"',
    ]);
  });
});

describe('validators of the other structures', () => {
  it('trade, position, holding, funds', () => {
    expect(
      validateTrade({
        tradeId: 't1',
        orderId: '1',
        symbol: 'SBIN',
        exchange: 'NSE',
        action: 'BUY',
        quantity: 1,
        price: '0',
        product: 'MIS',
        tradedAt: T,
        raw: {},
      }),
    ).toEqual(['trade t1: price must be positive, got 0']);
    const position = {
      symbol: 'SBIN',
      exchange: 'NSE',
      product: 'MIS',
      quantity: -5,
      averagePrice: '800',
      realizedPnl: '10',
      unrealizedPnl: '-2.5',
      pnl: '7.5',
      raw: {},
    };
    expect(validatePosition(position)).toEqual([]);
    expect(validatePosition({ ...position, pnl: '8' })).toEqual([
      'position SBIN/MIS: pnl 8 is not realizedPnl 10 + unrealizedPnl -2.5',
    ]);
    expect(validatePosition(position, { requireLtp: true })).toEqual([
      'position SBIN/MIS: ltp is missing although the broker declares positionsIncludeLtp',
    ]);
    expect(validatePosition({ ...position, averagePrice: '0' })).toEqual([
      'position SBIN/MIS: an open position (quantity -5) needs a positive averagePrice',
    ]);
    expect(
      validateHolding({
        symbol: 'INFY',
        exchange: 'NSE',
        product: 'CNC',
        quantity: -1,
        averagePrice: '1',
        raw: {},
      })[0],
    ).toMatch(/^holding INFY: quantity: /);
    expect(
      validateFunds({
        availableCash: '-10',
        collateral: '-1',
        utilisedDebits: '0',
        m2mRealized: '0',
        m2mUnrealized: '0',
        raw: {},
      }),
    ).toEqual(['funds: collateral must not be negative, got -1']);
  });

  it('quote and depth', () => {
    const quote = {
      ltp: '101',
      open: '100',
      high: '102',
      low: '99',
      prevClose: '98',
      bid: '100.95',
      ask: '101.05',
      volume: 10,
      oi: 0,
    };
    expect(validateQuote(quote)).toEqual([]);
    expect(validateQuote({ ...quote, ltp: '103', bid: '101.1' })).toEqual([
      "quote: ltp 103 lies outside the day's range 99–102",
      'quote: bid 101.1 is not below ask 101.05 (crossed book)',
    ]);
    const level = (price: string, quantity = 10) => ({ price, quantity, orders: 1 });
    const depth = {
      bids: [level('100'), level('99.95'), level('0', 0)],
      asks: [level('100.05'), level('100.1'), level('0', 0)],
      ltp: '100',
      ltq: 1,
      open: '100',
      high: '100',
      low: '100',
      prevClose: '100',
      volume: 1,
      oi: 0,
      totalBuyQuantity: 20,
      totalSellQuantity: 20,
    };
    expect(validateDepth(depth, 3)).toEqual([]);
    expect(validateDepth({ ...depth, bids: [level('99.95'), level('100'), level('0', 0)] }, 5)).toEqual([
      'depth: bids has 3 levels, expected 5 (padded)',
      'depth: bids must be sorted high to low without repeats (level 1: 100 after 99.95)',
      'depth: asks has 3 levels, expected 5 (padded)',
    ]);
    expect(validateDepth({ ...depth, totalBuyQuantity: 5 })).toEqual([
      'depth: totalBuyQuantity 5 is less than the bids shown (20)',
    ]);
  });

  it('candles: order, range, alignment, OHLC sanity', () => {
    const day = 1_764_028_800; // 00:00 UTC
    const candle = (time: number, low = '99') => ({
      time,
      open: '100',
      high: '101',
      low,
      close: '100.5',
      volume: 1,
      oi: 0,
    });
    const from = day * 1_000 - 86_400_000 * 3;
    const to = day * 1_000 + 1;
    expect(validateCandles([candle(day - 86_400), candle(day)], { interval: 'D', from, to })).toEqual([]);
    expect(
      validateCandles([candle(day), candle(day - 86_400), candle(day + 3_600, '100.6')], {
        interval: 'D',
        from,
        to,
      }),
    ).toEqual([
      'candle 1: time 1763942400 does not follow 1764028800 (candles must ascend without repeats)',
      'candle 2: low 100.6 is above open/close (100/100.5)',
      'candle 2: a D candle must be stamped 00:00 UTC of its IST date, got 1764032400',
      'candle 2: time 1764032400 lies outside the requested range 1763769600–1764028800',
    ]);
    expect(validateCandles([candle(day * 1_000)])).toEqual([
      'candle 0: time 1764028800000 looks like milliseconds; candles are stamped in epoch seconds',
    ]);
  });

  it('instrument rows follow the symbol-master rules', () => {
    const future = {
      symbol: 'NIFTY26DEC24FUT',
      brsymbol: 'NIFTY24DECFUT',
      name: 'NIFTY',
      exchange: 'NFO',
      brexchange: 'NFO',
      token: '1',
      expiry: '26-DEC-24',
      strike: '0',
      lotsize: 75,
      instrumenttype: 'FUT',
      tick_size: '0.05',
    };
    expect(validateInstrumentRow(future)).toEqual([]);
    expect(validateInstrumentRow({ ...future, symbol: 'NIFTY24DECFUT' })).toEqual([
      'instrument NFO:NIFTY24DECFUT: NIFTY24DECFUT is not a valid OpenAlgo symbol on NFO',
      'instrument NFO:NIFTY24DECFUT: symbol must be built from name + expiry + FUT: expected NIFTY26DEC24FUT',
    ]);
    expect(validateInstrumentRow({ ...future, expiry: '2024-12-26' })).toEqual([
      'instrument NFO:NIFTY26DEC24FUT: expiry must be DD-MMM-YY for FUT, got "2024-12-26"',
    ]);
    const index = {
      ...future,
      symbol: 'NIFTY',
      exchange: 'NSE',
      expiry: '',
      instrumenttype: 'INDEX',
      tick_size: '0',
    };
    expect(validateInstrumentRow(index)).toEqual([
      'instrument NSE:NIFTY: instrumenttype INDEX does not fit exchange NSE (indices, and only indices, live on *_INDEX)',
      'instrument NSE:NIFTY: tick_size must be positive, got 0',
    ]);
    expect(validateInstrumentRows([future, future])).toEqual([
      'instrument NFO:NIFTY26DEC24FUT: appears more than once in the dump',
    ]);
  });

  it('ticks, order updates, GTTs, margins', () => {
    const tick = {
      symbol: 'SBIN',
      exchange: 'NSE',
      mode: 'quote',
      ltp: 800,
      timestamp: T,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
    };
    expect(validateTick(tick, { symbol: 'SBIN', exchange: 'NSE', mode: 'quote' })).toEqual([
      'tick NSE:SBIN: a quote subscription must carry volume',
    ]);
    expect(
      validateTick(
        { ...tick, volume: 1 },
        { symbol: 'SBIN', exchange: 'NSE', mode: 'depth', depthLevels: 5 },
      ),
    ).toEqual(['tick NSE:SBIN: a depth subscription must carry depth']);
    expect(validateTick({ ...tick, ltp: 0, volume: 1 })).toEqual([
      'tick NSE:SBIN: ltp must be a positive number, got 0',
    ]);
    const update = {
      orderid: '1',
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 5,
      price: 1,
      trigger_price: 0,
      pricetype: 'LIMIT',
      product: 'MIS',
      order_status: 'OPEN',
      filled_quantity: 3,
      pending_quantity: 3,
      average_price: 1,
      rejection_reason: '',
      timestamp: T,
    };
    expect(validateOrderUpdate(update)).toEqual([
      'order update 1: filled_quantity 3 + pending_quantity 3 exceeds quantity 5',
      'order update 1: order_status must be a lower-case status, got "OPEN"',
    ]);
    const leg = {
      triggerPrice: '100',
      price: '100',
      quantity: 1,
      action: 'BUY',
      priceType: 'LIMIT',
      product: 'CNC',
    };
    expect(
      validateGtt({
        triggerId: 'g1',
        symbol: 'SBIN',
        exchange: 'NSE',
        triggerType: 'two-leg',
        status: 'active',
        lastPrice: '100',
        legs: [leg],
        createdAt: T,
        raw: {},
      }),
    ).toEqual(['gtt g1: a two-leg GTT has 2 leg(s), got 1']);
    expect(
      validateMarginResult({ totalMargin: '0', spanMargin: '0', exposureMargin: '-1', raw: {} }),
    ).toEqual([
      'margin: exposureMargin must not be negative, got -1',
      'margin: totalMargin must be positive for an opening order, got 0',
    ]);
  });
});

describe('the broken adapter fixture', () => {
  it('produces outputs the validators reject with specific messages', async () => {
    const { broker, mock } = createBrokenBroker();
    const context: BrokerContext = {
      session: mock.createSession(),
      logger: {
        debug() {},
        info() {},
        warn() {},
        error() {},
        child() {
          return this;
        },
      },
      now: Date.now,
      resolveBrokerInstrument: () => undefined,
    };
    const [row] = await (async () => {
      for await (const batch of broker.instruments.download({ logger: context.logger, now: Date.now })) {
        return batch;
      }
      return [];
    })();
    expect(row?.symbol).toBe('SBIN');
    const sbin = {
      symbol: 'SBIN',
      exchange: 'NSE' as const,
      brSymbol: 'SBIN-EQ',
      brExchange: 'NSE',
      token: '3045',
      name: 'STATE BANK OF INDIA',
      lotSize: 1,
      tickSize: '0.05',
      instrumentType: 'EQ' as const,
    };
    await broker.orders.placeOrder(
      {
        instrument: sbin,
        action: 'BUY',
        quantity: 2,
        product: 'MIS',
        priceType: 'LIMIT',
        price: '700',
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY',
        clientOrderId: 'x',
      },
      context,
    );
    const [open] = await broker.orders.fetchOrders(context);
    expect(validateOrder(open)).toEqual([
      `order ${open?.orderId}: filledQuantity 0 + pendingQuantity 3 exceeds quantity 2`,
      `order ${open?.orderId}: filledQuantity 0 + pendingQuantity 3 must equal quantity 2 while the order is "open"`,
    ]);
    const [quote] = await broker.marketData.fetchQuotes([sbin], context);
    expect(quote?.ok && validateQuote(quote.quote)).toEqual([
      'quote: ltp: Invalid input: expected string, received number',
    ]);
    expect(validateDepth(await broker.marketData.fetchDepth(sbin, 5, context), 5)).toEqual([
      'depth: best bid 800.25 is not below best ask 799.75 (crossed book)',
    ]);
  });
});
