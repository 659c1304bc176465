import {
  BadSymbolError,
  type BrokerContext,
  InsufficientFundsError,
  InvalidOrderError,
  OrderNotFoundError,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import {
  candleSchema,
  type InstrumentRow,
  instrumentRowSchema,
  type OrderRequest,
  parseSymbol,
  type ResolvedInstrument,
  type Tick,
  tickSchema,
} from '@openalgo/shared-types';
import { describe, expect, it } from 'vitest';
import { toResolvedInstrument } from './mapping.js';
import { createSimulatorBroker, type SimulatorBroker } from './simulator-broker.js';

// Tuesday 2026-11-24, 10:00 IST.
const MARKET_TIME = Date.UTC(2026, 10, 24, 4, 30);

function setup(options: { seed?: number; alwaysOpen?: boolean; startingCash?: number; time?: number } = {}) {
  let now = options.time ?? MARKET_TIME;
  const broker = createSimulatorBroker({
    seed: options.seed ?? 7,
    now: () => now,
    alwaysOpen: options.alwaysOpen ?? false,
    startingCash: options.startingCash,
    strikesEachSide: 5,
  });
  const session = {
    brokerId: 'simulator',
    accessToken: broker.control.issueToken(),
    issuedAt: now,
    data: {},
  };
  const context: BrokerContext = {
    session,
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child() {
        return this;
      },
    },
    now: () => now,
    resolveBrokerInstrument: () => undefined,
  };
  const instrument = (symbol: string, exchange = 'NSE'): ResolvedInstrument => {
    const found = broker.exchange.findInstrument(symbol, exchange);
    if (!found) {
      throw new Error(`no ${symbol}`);
    }
    return toResolvedInstrument(found);
  };
  const order = (overrides: Partial<OrderRequest> & { instrument: ResolvedInstrument }): OrderRequest => ({
    action: 'BUY',
    quantity: 1,
    product: 'MIS',
    priceType: 'MARKET',
    price: '0',
    triggerPrice: '0',
    disclosedQuantity: 0,
    validity: 'DAY',
    clientOrderId: 'test',
    ...overrides,
  });
  return {
    broker,
    context,
    instrument,
    order,
    setNow: (value: number) => {
      now = value;
    },
  };
}

function ltpOf(broker: SimulatorBroker, symbol: string, exchange = 'NSE'): number {
  const found = broker.exchange.findInstrument(symbol, exchange);
  return (broker.exchange.market.states[found?.index ?? -1] as { ltp: number }).ltp;
}

describe('the simulated universe', () => {
  it('holds equities, indices, futures, weekly and monthly options, MCX and CDS in OpenAlgo format', async () => {
    const { broker } = setup();
    const rows: InstrumentRow[] = [];
    for await (const batch of broker.instruments.download({
      logger: setup().context.logger,
      now: () => MARKET_TIME,
    })) {
      rows.push(...batch);
    }
    for (const row of rows) {
      instrumentRowSchema.parse(row);
      expect(parseSymbol(row.symbol, { exchange: row.exchange }), row.symbol).not.toBeNull();
    }
    const count = (predicate: (row: (typeof rows)[number]) => boolean) => rows.filter(predicate).length;
    expect(count((row) => row.exchange === 'NSE' && row.instrumenttype === 'EQ')).toBeGreaterThanOrEqual(50);
    expect(rows.find((row) => row.symbol === 'NIFTY')?.exchange).toBe('NSE_INDEX');
    expect(rows.find((row) => row.symbol === 'SENSEX')?.exchange).toBe('BSE_INDEX');
    expect(rows.find((row) => row.symbol === 'NIFTY24NOV26FUT')).toMatchObject({
      exchange: 'NFO',
      lotsize: 75,
      expiry: '24-NOV-26',
    });
    // Weekly NIFTY expiries fall on Tuesdays; the monthly is the last Tuesday.
    const niftyExpiries = new Set(
      rows.filter((row) => row.name === 'NIFTY' && row.instrumenttype === 'CE').map((row) => row.expiry),
    );
    expect([...niftyExpiries]).toEqual(
      expect.arrayContaining(['24-NOV-26', '01-DEC-26', '08-DEC-26', '29-DEC-26']),
    );
    expect(rows.find((row) => row.symbol === 'NIFTY24NOV2626000CE')).toMatchObject({
      strike: '26000',
      instrumenttype: 'CE',
    });
    expect(count((row) => row.exchange === 'MCX')).toBeGreaterThan(0);
    expect(rows.find((row) => row.exchange === 'CDS')?.tick_size).toBe('0.0025');
    expect(new Set(rows.map((row) => `${row.exchange}|${row.symbol}`)).size).toBe(rows.length);
  });
});

describe('determinism', () => {
  function run(seed: number) {
    const { broker, context, instrument, order } = setup({ seed, alwaysOpen: true });
    const ticks: Tick[] = [];
    const stream = broker.streams.marketData.create(context);
    stream.onTick((tick) => ticks.push(tick));
    return { broker, context, instrument, order, stream, ticks };
  }

  it('same seed ⇒ identical ticks and fills; another seed differs', async () => {
    const results = [];
    for (const seed of [11, 11, 12]) {
      const { broker, context, instrument, order, stream, ticks } = run(seed);
      await stream.connect();
      stream.subscribe([
        { instrument: instrument('SBIN'), mode: 'quote' },
        { instrument: instrument('NIFTY24NOV2626000CE', 'NFO'), mode: 'ltp' },
        { instrument: instrument('NIFTY', 'NSE_INDEX'), mode: 'ltp' },
      ]);
      broker.exchange.advance(300);
      await broker.orders.placeOrder(order({ instrument: instrument('SBIN'), quantity: 50 }), context);
      broker.exchange.advance(300);
      const fills = (await broker.orders.fetchTrades(context)).map((trade) => [trade.quantity, trade.price]);
      results.push({ ticks: ticks.map((tick) => [tick.symbol, tick.ltp, tick.volume ?? null]), fills });
    }
    expect(results[0]?.ticks.length).toBe(600);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]?.ticks).not.toEqual(results[0]?.ticks);
  });
});

describe('order matching', () => {
  it('fills a MARKET buy at the ask across depth levels', async () => {
    const { broker, context, instrument, order } = setup();
    const sbin = instrument('SBIN');
    const ltp = ltpOf(broker, 'SBIN');
    const ack = await broker.orders.placeOrder(order({ instrument: sbin, quantity: 10 }), context);
    const placed = await broker.orders.fetchOrder({ orderId: ack.orderId }, context);
    expect(placed.status).toBe('complete');
    expect(placed.filledQuantity).toBe(10);
    expect(placed.pendingQuantity).toBe(0);
    expect(Number(placed.averagePrice) * 10_000).toBeGreaterThan(ltp);
    expect(placed.price).toBe('0');
    const [position] = await broker.portfolio.fetchPositions(context);
    expect(position).toMatchObject({ symbol: 'SBIN', quantity: 10, product: 'MIS' });
  });

  it('partially fills a large order against depth and completes it on later ticks', async () => {
    const { broker, context, instrument, order } = setup();
    const ack = await broker.orders.placeOrder(
      order({ instrument: instrument('SBIN'), quantity: 5_000 }),
      context,
    );
    const first = await broker.orders.fetchOrder({ orderId: ack.orderId }, context);
    expect(first.filledQuantity).toBeGreaterThan(0);
    expect(first.filledQuantity).toBeLessThan(5_000);
    expect(first.status).toBe('open');
    expect(first.filledQuantity + first.pendingQuantity).toBe(5_000);
    broker.exchange.advance(200);
    const later = await broker.orders.fetchOrder({ orderId: ack.orderId }, context);
    expect(later.status).toBe('complete');
    const trades = (await broker.orders.fetchTrades(context)).filter(
      (trade) => trade.orderId === ack.orderId,
    );
    expect(trades.length).toBeGreaterThan(1);
    expect(trades.reduce((sum, trade) => sum + trade.quantity, 0)).toBe(5_000);
  });

  it('rests a LIMIT order below the market until the market comes to it', async () => {
    const { broker, context, instrument, order } = setup({ alwaysOpen: true });
    const sbin = instrument('SBIN');
    const ltp = ltpOf(broker, 'SBIN');
    const limit = ((ltp - 10 * 500) / 10_000).toFixed(2); // check-boundaries: allow toFixed (test data)
    const ack = await broker.orders.placeOrder(
      order({ instrument: sbin, priceType: 'LIMIT', price: limit, quantity: 5 }),
      context,
    );
    expect((await broker.orders.fetchOrder({ orderId: ack.orderId }, context)).status).toBe('open');
    // Push the price down by forcing the state and ticking.
    const index = broker.exchange.findInstrument('SBIN', 'NSE')?.index ?? -1;
    let filled = false;
    for (let attempt = 0; attempt < 200 && !filled; attempt += 1) {
      const state = broker.exchange.market.states[index] as { path: number };
      state.path *= 0.999;
      broker.exchange.advance(1);
      filled = (await broker.orders.fetchOrder({ orderId: ack.orderId }, context)).status === 'complete';
    }
    expect(filled).toBe(true);
    const done = await broker.orders.fetchOrder({ orderId: ack.orderId }, context);
    expect(Number(done.averagePrice)).toBeLessThanOrEqual(Number(limit));
  });

  it('triggers SL-M and SL orders when the market crosses the trigger', async () => {
    const { broker, context, instrument, order } = setup({ alwaysOpen: true });
    const sbin = instrument('SBIN');
    await broker.orders.placeOrder(order({ instrument: sbin, quantity: 10 }), context);
    const ltp = ltpOf(broker, 'SBIN');
    const trigger = ((ltp - 50 * 500) / 10_000).toFixed(2); // check-boundaries: allow toFixed (test data)
    const stop = await broker.orders.placeOrder(
      order({ instrument: sbin, action: 'SELL', quantity: 10, priceType: 'SL-M', triggerPrice: trigger }),
      context,
    );
    expect((await broker.orders.fetchOrder({ orderId: stop.orderId }, context)).status).toBe(
      'trigger pending',
    );
    const index = broker.exchange.findInstrument('SBIN', 'NSE')?.index ?? -1;
    for (let attempt = 0; attempt < 400; attempt += 1) {
      (broker.exchange.market.states[index] as { path: number }).path *= 0.998;
      broker.exchange.advance(1);
    }
    const stopped = await broker.orders.fetchOrder({ orderId: stop.orderId }, context);
    expect(stopped.status).toBe('complete');
    expect(Number(stopped.averagePrice)).toBeLessThanOrEqual(Number(trigger));
    const [position] = await broker.portfolio.fetchPositions(context);
    expect(position?.quantity).toBe(0);
  });

  it('rejects with typed errors: funds, tick, circuit, lot, index, product, symbol, closed market', async () => {
    const { broker, context, instrument, order, setNow } = setup({ startingCash: 10_000 });
    const sbin = instrument('SBIN');
    await expect(
      broker.orders.placeOrder(order({ instrument: sbin, quantity: 1_000, product: 'CNC' }), context),
    ).rejects.toSatisfy((error) => InsufficientFundsError.isInstance(error));
    await expect(
      broker.orders.placeOrder(order({ instrument: sbin, priceType: 'LIMIT', price: '800.03' }), context),
    ).rejects.toThrow(/tick size/);
    await expect(
      broker.orders.placeOrder(order({ instrument: sbin, priceType: 'LIMIT', price: '5' }), context),
    ).rejects.toThrow(/circuit/);
    await expect(
      broker.orders.placeOrder(order({ instrument: sbin, priceType: 'LIMIT', price: '0' }), context),
    ).rejects.toSatisfy((error) => InvalidOrderError.isInstance(error));
    await expect(
      broker.orders.placeOrder(
        order({ instrument: instrument('NIFTY24NOV26FUT', 'NFO'), quantity: 10, product: 'NRML' }),
        context,
      ),
    ).rejects.toThrow(/lot size 75/);
    await expect(
      broker.orders.placeOrder(order({ instrument: instrument('NIFTY', 'NSE_INDEX') }), context),
    ).rejects.toThrow(/index/);
    await expect(
      broker.orders.placeOrder(
        order({ instrument: instrument('NIFTY24NOV26FUT', 'NFO'), quantity: 75, product: 'CNC' }),
        context,
      ),
    ).rejects.toThrow(/CNC/);
    await expect(
      broker.orders.placeOrder(
        order({ instrument: { ...sbin, token: '0', brSymbol: 'NOPE', symbol: 'NOPE' } }),
        context,
      ),
    ).rejects.toSatisfy((error) => BadSymbolError.isInstance(error));
    setNow(Date.UTC(2026, 10, 24, 12, 0)); // 17:30 IST
    await expect(broker.orders.placeOrder(order({ instrument: sbin }), context)).rejects.toThrow(/closed/);
    await expect(broker.orders.cancelOrder({ orderId: '999' }, context)).rejects.toSatisfy((error) =>
      OrderNotFoundError.isInstance(error),
    );
  });

  it('modifies and cancels resting orders; cancel-all leaves nothing open', async () => {
    const { broker, context, instrument, order } = setup();
    const sbin = instrument('SBIN');
    const low = ((ltpOf(broker, 'SBIN') - 40 * 500) / 10_000).toFixed(2); // check-boundaries: allow toFixed (test data)
    const first = await broker.orders.placeOrder(
      order({ instrument: sbin, priceType: 'LIMIT', price: low, quantity: 3 }),
      context,
    );
    const second = await broker.orders.placeOrder(
      order({ instrument: sbin, priceType: 'LIMIT', price: low, quantity: 4 }),
      context,
    );
    await broker.orders.modifyOrder(
      { orderId: first.orderId },
      {
        instrument: sbin,
        action: 'BUY',
        product: 'MIS',
        priceType: 'LIMIT',
        quantity: 6,
        price: low,
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY',
      },
      context,
    );
    expect((await broker.orders.fetchOrder({ orderId: first.orderId }, context)).quantity).toBe(6);
    await broker.orders.cancelOrder({ orderId: second.orderId }, context);
    expect((await broker.orders.fetchOrder({ orderId: second.orderId }, context)).status).toBe('cancelled');
    await broker.orders.cancelAllOrders?.(context);
    const orders = await broker.orders.fetchOrders(context);
    expect(orders.every((row) => row.status !== 'open' && row.status !== 'trigger pending')).toBe(true);
    await expect(broker.orders.cancelOrder({ orderId: second.orderId }, context)).rejects.toThrow(
      /cannot be cancelled/,
    );
  });
});

describe('portfolio and funds', () => {
  it('realises P&L on a round trip and keeps funds reconciled', async () => {
    const { broker, context, instrument, order } = setup({ alwaysOpen: true });
    const before = await broker.portfolio.fetchFunds(context);
    const sbin = instrument('SBIN');
    await broker.orders.placeOrder(order({ instrument: sbin, quantity: 100 }), context);
    broker.exchange.advance(50);
    await broker.orders.placeOrder(order({ instrument: sbin, action: 'SELL', quantity: 100 }), context);
    const [position] = await broker.portfolio.fetchPositions(context);
    expect(position?.quantity).toBe(0);
    const trades = await broker.orders.fetchTrades(context);
    const buyValue = trades
      .filter((trade) => trade.action === 'BUY')
      .reduce((sum, trade) => sum + Number(trade.price) * 10_000 * trade.quantity, 0);
    const sellValue = trades
      .filter((trade) => trade.action === 'SELL')
      .reduce((sum, trade) => sum + Number(trade.price) * 10_000 * trade.quantity, 0);
    expect(Math.round(Number(position?.realizedPnl) * 10_000)).toBe(Math.round(sellValue - buyValue));
    const after = await broker.portfolio.fetchFunds(context);
    expect(after.utilisedDebits).toBe('0');
    expect(Math.round((Number(after.availableCash) - Number(before.availableCash)) * 10_000)).toBe(
      Math.round(sellValue - buyValue),
    );
  });

  it('blocks margin for resting orders and releases it exactly on modify, cancel and cancel-all', async () => {
    const { broker, context, instrument, order } = setup();
    const sbin = instrument('SBIN');
    const low = ((ltpOf(broker, 'SBIN') - 40 * 500) / 10_000).toFixed(2); // check-boundaries: allow toFixed (test data)
    const used = async () => Number((await broker.portfolio.fetchFunds(context)).utilisedDebits);
    const rest = (quantity: number) =>
      broker.orders.placeOrder(
        order({ instrument: sbin, priceType: 'LIMIT', price: low, quantity }),
        context,
      );
    expect(await used()).toBe(0);
    const first = await rest(3);
    const perThree = await used();
    expect(perThree).toBeGreaterThan(0);
    const second = await rest(3);
    expect(await used()).toBeCloseTo(2 * perThree, 2);
    await broker.orders.modifyOrder(
      { orderId: first.orderId },
      {
        instrument: sbin,
        action: 'BUY',
        product: 'MIS',
        priceType: 'LIMIT',
        quantity: 6,
        price: low,
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY',
      },
      context,
    );
    expect(await used()).toBeCloseTo(3 * perThree, 2);
    await broker.orders.cancelOrder({ orderId: second.orderId }, context);
    expect(await used()).toBeCloseTo(2 * perThree, 2);
    await broker.orders.cancelAllOrders?.(context);
    expect(await used()).toBe(0);
  });

  it('settles CNC buys into holdings on the next day (T+1)', async () => {
    const { broker, context, instrument, order, setNow } = setup();
    await broker.orders.placeOrder(
      order({ instrument: instrument('SBIN'), quantity: 7, product: 'CNC' }),
      context,
    );
    expect(
      (await broker.portfolio.fetchHoldings(context)).find((holding) => holding.symbol === 'SBIN'),
    ).toBeUndefined();
    setNow(MARKET_TIME + 24 * 60 * 60 * 1_000);
    const holding = (await broker.portfolio.fetchHoldings(context)).find((row) => row.symbol === 'SBIN');
    expect(holding?.quantity).toBe(7);
    expect(await broker.portfolio.fetchPositions(context)).toEqual([]);
  });

  it('closes all positions natively', async () => {
    const { broker, context, instrument, order } = setup();
    await broker.orders.placeOrder(order({ instrument: instrument('SBIN'), quantity: 10 }), context);
    await broker.orders.placeOrder(
      order({ instrument: instrument('INFY'), action: 'SELL', quantity: 5 }),
      context,
    );
    await broker.portfolio.closeAllPositions?.(context);
    broker.exchange.advance(100);
    const positions = await broker.portfolio.fetchPositions(context);
    expect(positions.map((position) => position.quantity)).toEqual([0, 0]);
  });
});

describe('GTT, margin, market data, streaming and sessions', () => {
  it('triggers a GTT when the price crosses', async () => {
    const { broker, context, instrument } = setup({ alwaysOpen: true });
    const sbin = instrument('SBIN');
    const ltp = ltpOf(broker, 'SBIN');
    const trigger = ((ltp + 20 * 500) / 10_000).toFixed(2); // check-boundaries: allow toFixed (test data)
    const { triggerId } = await broker.gtt.placeGtt(
      {
        instrument: sbin,
        triggerType: 'single',
        lastPrice: (ltp / 10_000).toFixed(2), // check-boundaries: allow toFixed (test data)
        legs: [
          {
            triggerPrice: trigger,
            price: trigger,
            quantity: 5,
            action: 'SELL',
            priceType: 'LIMIT',
            product: 'CNC',
          },
        ],
      },
      context,
    );
    const index = broker.exchange.findInstrument('SBIN', 'NSE')?.index ?? -1;
    for (let attempt = 0; attempt < 400; attempt += 1) {
      (broker.exchange.market.states[index] as { path: number }).path *= 1.002;
      broker.exchange.advance(1);
    }
    const [gtt] = await broker.gtt.fetchGtts(context);
    expect(gtt).toMatchObject({ triggerId, status: 'triggered' });
  });

  it('moves a spot price on demand: its ticks and its futures follow; a derivative is refused', async () => {
    const { broker } = setup({ alwaysOpen: true });
    const reliance = broker.exchange.findInstrument('RELIANCE', 'NSE');
    const future = broker.exchange.instruments.find(
      (entry) => entry.instrumentType === 'FUT' && entry.underlyingIndex === reliance?.index,
    );
    expect(reliance && future).toBeTruthy();
    const before = ltpOf(broker, 'RELIANCE');
    const target = Math.round((before * 0.8) / 10_000) * 10_000; // a whole rupee 20% lower
    broker.control.movePrice('RELIANCE', 'NSE', String(target / 10_000));
    broker.exchange.retain(reliance?.index ?? -1);
    broker.exchange.retain(future?.index ?? -1);
    broker.exchange.advance(2);
    const tick = reliance?.tickPips ?? 0;
    expect(Math.abs(ltpOf(broker, 'RELIANCE') - target)).toBeLessThanOrEqual(2 * tick);
    const futureLtp = (broker.exchange.market.states[future?.index ?? -1] as { ltp: number }).ltp;
    expect(Math.abs(futureLtp - target) / target).toBeLessThan(0.08); // carry only, not the old price
    expect(() => broker.control.movePrice(future?.symbol ?? '', 'NFO', '100')).toThrow(BadSymbolError);
    expect(() => broker.control.movePrice('RELIANCE', 'NSE', '0')).toThrow(BadSymbolError);
    expect(() => broker.control.movePrice('NOPE', 'NSE', '100')).toThrow(BadSymbolError);
  });

  it('reports the same best bid and ask as its depth, for every instrument', () => {
    const { broker } = setup({ alwaysOpen: true });
    for (const instrument of broker.exchange.instruments) {
      const depth = broker.exchange.market.depth(instrument.index);
      expect(broker.exchange.market.touch(instrument.index)).toEqual({
        bid: depth.bids[0]?.price,
        ask: depth.asks[0]?.price,
      });
    }
  });

  it('calculates margin for a basket', async () => {
    const { broker, context, instrument } = setup();
    const result = await broker.margin.calculateMargin(
      [
        {
          instrument: instrument('SBIN'),
          action: 'BUY',
          quantity: 10,
          product: 'MIS',
          priceType: 'LIMIT',
          price: '800',
          triggerPrice: '0',
        },
        {
          instrument: instrument('SBIN'),
          action: 'BUY',
          quantity: 10,
          product: 'CNC',
          priceType: 'LIMIT',
          price: '800',
          triggerPrice: '0',
        },
      ],
      context,
    );
    expect(result.totalMargin).toBe('9600');
    expect(Number(result.spanMargin) + Number(result.exposureMargin)).toBe(9600);
  });

  it('answers quotes, padded depth and valid history for every interval', async () => {
    const { broker, context, instrument } = setup();
    const [quote] = await broker.marketData.fetchQuotes([instrument('SBIN')], context);
    expect(quote?.ok).toBe(true);
    const depth = await broker.marketData.fetchDepth(instrument('SBIN'), 5, context);
    expect(depth.bids).toHaveLength(5);
    expect(Number(depth.bids[0]?.price)).toBeLessThan(Number(depth.asks[0]?.price));
    for (const interval of broker.marketData.intervals) {
      const span = interval.endsWith('s')
        ? 30 * 60_000
        : interval === 'D' || interval === 'W' || interval === 'M'
          ? 90 * 86_400_000
          : 3 * 86_400_000;
      const candles = await broker.marketData.fetchHistory(
        { instrument: instrument('SBIN'), interval, from: MARKET_TIME - span, to: MARKET_TIME },
        context,
      );
      expect(candles.length, interval).toBeGreaterThan(0);
      let previous = 0;
      for (const candle of candles) {
        candleSchema.parse(candle);
        expect(candle.time).toBeGreaterThan(previous);
        previous = candle.time;
        expect(Number(candle.low)).toBeLessThanOrEqual(Math.min(Number(candle.open), Number(candle.close)));
        expect(Number(candle.high)).toBeGreaterThanOrEqual(
          Math.max(Number(candle.open), Number(candle.close)),
        );
      }
      const again = await broker.marketData.fetchHistory(
        { instrument: instrument('SBIN'), interval, from: MARKET_TIME - span, to: MARKET_TIME },
        context,
      );
      expect(again).toEqual(candles);
    }
  });

  it('streams ticks while subscribed, stops after unsubscribe, and survives a dropped connection', async () => {
    const { broker, context, instrument } = setup({ alwaysOpen: true });
    const stream = broker.streams.marketData.create(context);
    const ticks: Tick[] = [];
    const states: string[] = [];
    stream.onTick((tick) => ticks.push(tick));
    stream.onState((state) => states.push(state.state));
    await stream.connect();
    stream.subscribe([{ instrument: instrument('SBIN'), mode: 'depth' }]);
    broker.exchange.advance(10);
    expect(ticks).toHaveLength(10);
    for (const tick of ticks) {
      tickSchema.parse(tick);
      expect(tick.depth?.buy).toHaveLength(5);
    }
    broker.control.dropStreams();
    broker.exchange.advance(10);
    expect(ticks).toHaveLength(10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    broker.exchange.advance(10);
    expect(ticks).toHaveLength(20);
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    stream.unsubscribe([{ instrument: instrument('SBIN'), mode: 'depth' }]);
    broker.exchange.advance(10);
    expect(ticks).toHaveLength(20);
    expect(broker.exchange.activeInstruments).toEqual([]);
    await stream.close();
  });

  it('streams order updates', async () => {
    const { broker, context, instrument, order } = setup();
    const updates: string[] = [];
    const stream = broker.streams.orderUpdates.create(context);
    stream.onUpdate((update) => updates.push(update.order_status));
    await stream.connect();
    await broker.orders.placeOrder(order({ instrument: instrument('SBIN'), quantity: 1 }), context);
    expect(updates).toEqual(['open', 'complete']);
    await stream.close();
  });

  it('refuses expired sessions and injected failures with typed errors', async () => {
    const { broker, context } = setup();
    broker.control.failNext('unavailable', 'fetchFunds');
    await expect(broker.portfolio.fetchFunds(context)).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      retryable: true,
    });
    await expect(broker.portfolio.fetchFunds(context)).resolves.toBeDefined();
    broker.control.expireSessions();
    await expect(broker.portfolio.fetchFunds(context)).rejects.toSatisfy((error) =>
      TokenExpiredError.isInstance(error),
    );
    const fresh = await broker.auth.completeLogin(
      {},
      { redirectUrl: '', state: '', logger: context.logger, now: context.now },
    );
    // A session issued after the expiry works again, even within the same millisecond.
    await expect(broker.portfolio.fetchFunds({ ...context, session: fresh })).resolves.toBeDefined();
    await expect(broker.portfolio.fetchFunds(context)).rejects.toSatisfy((error) =>
      TokenExpiredError.isInstance(error),
    );
  });
});
