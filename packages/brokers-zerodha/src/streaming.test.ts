import {
  BrokerError,
  type BrokerSession,
  type MarketDataStream,
  type StreamContext,
  type StreamState,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import type { OrderUpdate, Tick } from '@openalgo/shared-types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';
import { createZerodhaBroker } from './zerodha-broker.js';

const NOW = Date.parse('2026-11-24T04:00:00.000Z');

let harness: Harness;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  harness = await startHarness({
    fake: { now: () => NOW, heartbeatMs: 100 },
    settings: {
      ticker: { reconnectBaseMs: 20, reconnectMaxMs: 100, staleAfterMs: 2_000, connectTimeoutMs: 3_000 },
    },
  });
});

afterEach(async () => {
  while (cleanups.length > 0) {
    await cleanups.pop()?.();
  }
  harness.fake.control.clearFaults();
});

afterAll(async () => {
  await harness.close();
});

async function waitFor<T>(read: () => T | undefined, timeoutMs = 3_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (performance.now() > deadline) {
      throw new Error('timed out waiting');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function streamContext(overrides: Partial<StreamContext> = {}): StreamContext {
  return { ...harness.context, ...overrides };
}

async function openStream(context = streamContext(), broker = harness.broker) {
  const stream = broker.streams.marketData?.create(context) as MarketDataStream;
  const ticks: Tick[] = [];
  const states: StreamState[] = [];
  stream.onTick((tick) => ticks.push(tick));
  stream.onState((state) => states.push(state));
  await stream.connect();
  cleanups.push(() => stream.close());
  return { stream, ticks, states };
}

function tokenOf(symbol: string, exchange: string): number {
  return Number(harness.instrument(symbol, exchange).token.split('::::')[0]);
}

function fakeModes(): Map<number, string> {
  const modes = new Map<number, string>();
  for (const client of harness.fake.control.tickerClients()) {
    for (const [token, mode] of client.modes) {
      modes.set(token, mode);
    }
  }
  return modes;
}

describe('market data stream', () => {
  it('subscribes in quote mode and emits exact ticks as prices move', async () => {
    const { stream, ticks } = await openStream();
    stream.subscribe([{ instrument: harness.instrument('SBIN', 'NSE'), mode: 'quote' }]);
    await waitFor(() => fakeModes().get(tokenOf('SBIN', 'NSE')) === 'quote');
    await waitFor(() => ticks.length > 0);
    harness.fake.control.setPrice('NSE', 'SBIN', '812.45');
    const tick = await waitFor(() => ticks.find((entry) => entry.ltp === 812.45));
    const state = harness.fake.market.state(harness.fake.control.instrument('NSE', 'SBIN'));
    expect(tick).toEqual({
      symbol: 'SBIN',
      exchange: 'NSE',
      mode: 'quote',
      ltp: 812.45,
      timestamp: NOW,
      open: Number(state.open.toString()),
      high: Number(state.high.toString()),
      low: Number(state.low.toString()),
      close: Number(state.close.toString()),
      volume: state.volume,
      average_price: Number(state.averagePrice.toString()),
      last_quantity: 1,
      total_buy_quantity: state.buyQuantity,
      total_sell_quantity: state.sellQuantity,
    });
  });

  it('asks Kite for the richest mode a token needs and steps down on unsubscribe', async () => {
    const { stream, ticks } = await openStream();
    const infy = harness.instrument('INFY', 'NSE');
    const token = tokenOf('INFY', 'NSE');
    stream.subscribe([
      { instrument: infy, mode: 'ltp' },
      { instrument: infy, mode: 'depth', depthLevel: 5 },
    ]);
    await waitFor(() => fakeModes().get(token) === 'full');
    harness.fake.control.setPrice('NSE', 'INFY', '1525');
    const tick = await waitFor(() => ticks.find((entry) => entry.ltp === 1525 && entry.mode === 'depth'));
    expect(tick.depth?.buy).toHaveLength(5);
    expect(tick.depth?.buy[0]).toEqual({ price: 1524.95, quantity: 100, orders: 1 });
    expect(tick.depth?.sell[0]).toEqual({ price: 1525.05, quantity: 120, orders: 2 });
    expect(tick.ltt).toBe(NOW);
    stream.unsubscribe([{ instrument: infy, mode: 'depth' }]);
    await waitFor(() => fakeModes().get(token) === 'ltp');
    stream.unsubscribe([{ instrument: infy, mode: 'ltp' }]);
    await waitFor(() => !fakeModes().has(token));
  });

  it("streams indices (28/32-byte packets) and currency prices with Kite's divisor", async () => {
    const { stream, ticks } = await openStream();
    const future = harness.findInstrument(
      (instrument) => instrument.exchange === 'CDS' && instrument.instrumentType === 'FUT',
    );
    stream.subscribe([
      { instrument: harness.instrument('NIFTY', 'NSE_INDEX'), mode: 'depth' },
      { instrument: future, mode: 'ltp' },
    ]);
    await waitFor(() => fakeModes().get(tokenOf('NIFTY', 'NSE_INDEX')) === 'full');
    await waitFor(() => fakeModes().get(Number(future.token.split('::::')[0])) === 'ltp');
    harness.fake.control.setPrice('NSE', 'NIFTY 50', '24012.35');
    harness.fake.control.setPrice('CDS', future.brSymbol, '83.2525');
    const index = await waitFor(() =>
      ticks.find((entry) => entry.symbol === 'NIFTY' && entry.ltp === 24012.35),
    );
    expect(index).toMatchObject({ exchange: 'NSE_INDEX', mode: 'quote', ltt: NOW, close: 24000 });
    expect(index.volume).toBeUndefined();
    expect(index.depth).toBeUndefined();
    const currency = await waitFor(() =>
      ticks.find((entry) => entry.symbol === future.symbol && entry.ltp === 83.2525),
    );
    expect(currency).toEqual({
      symbol: future.symbol,
      exchange: 'CDS',
      mode: 'ltp',
      ltp: 83.2525,
      timestamp: NOW,
    });
  });

  it('reconnects with backoff after a drop and subscribes everything again', async () => {
    const { stream, ticks, states } = await openStream();
    stream.subscribe([{ instrument: harness.instrument('TCS', 'NSE'), mode: 'quote' }]);
    await waitFor(() => fakeModes().get(tokenOf('TCS', 'NSE')) === 'quote');
    harness.fake.control.dropTickerConnections();
    await waitFor(() => states.find((state) => state.state === 'reconnecting'));
    await waitFor(() => fakeModes().get(tokenOf('TCS', 'NSE')) === 'quote');
    harness.fake.control.setPrice('NSE', 'TCS', '4123.4');
    await waitFor(() => ticks.find((entry) => entry.ltp === 4123.4));
    expect(states.filter((state) => state.state === 'connected').length).toBeGreaterThanOrEqual(1);
  });

  it('drops and redials a silent socket (stall watchdog)', async () => {
    const silentFake = await (await import('./fake-server/index.js')).startFakeKiteServer({
      instrumentCount: 200,
      heartbeatMs: 0,
    });
    cleanups.push(() => silentFake.close());
    const silentBroker = createZerodhaBroker({
      apiKey: silentFake.apiKey,
      apiSecret: silentFake.apiSecret,
      baseUrl: silentFake.baseUrl,
      tickerUrl: silentFake.tickerUrl,
      ticker: { staleAfterMs: 250, reconnectBaseMs: 20, reconnectMaxMs: 50 },
    });
    const session: BrokerSession = { ...harness.session, accessToken: silentFake.control.createSession() };
    const { states } = await openStream(streamContext({ session }), silentBroker);
    const stale = await waitFor(() => states.find((state) => state.state === 'stale'));
    expect(stale.state === 'stale' && stale.silentForMs).toBeGreaterThanOrEqual(250);
    await waitFor(() => states.filter((state) => state.state === 'connected').length >= 2);
  });

  it("respects Kite's limits: tokens shard over connections, and beyond the cap nothing changes", async () => {
    const broker = createZerodhaBroker({
      apiKey: harness.fake.apiKey,
      apiSecret: harness.fake.apiSecret,
      baseUrl: harness.fake.baseUrl,
      tickerUrl: harness.fake.tickerUrl,
      now: () => NOW,
      streamLimits: { maxInstrumentsPerConnection: 2, maxConnections: 2 },
    });
    const session: BrokerSession = { ...harness.session, accessToken: harness.fake.control.createSession() };
    const { stream } = await openStream(streamContext({ session }), broker);
    const names = ['SBIN', 'INFY', 'TCS', 'ITC', 'LT'];
    stream.subscribe(
      names
        .slice(0, 3)
        .map((name) => ({ instrument: harness.instrument(name, 'NSE'), mode: 'ltp' as const })),
    );
    await waitFor(() => {
      const clients = harness.fake.control
        .tickerClients()
        .filter((client) => client.accessToken === session.accessToken);
      return (
        clients.length === 2 &&
        clients
          .map((client) => client.modes.size)
          .sort()
          .join() === '1,2'
      );
    });
    const error = (() => {
      try {
        stream.subscribe(
          names
            .slice(3)
            .map((name) => ({ instrument: harness.instrument(name, 'NSE'), mode: 'ltp' as const })),
        );
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(BrokerError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Kite streams at most 2 connections × 2 instruments = 4; 3 are subscribed and 2 more were asked for',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const held = harness.fake.control
      .tickerClients()
      .filter((client) => client.accessToken === session.accessToken)
      .reduce((total, client) => total + client.modes.size, 0);
    expect(held).toBe(3);
    expect(broker.streams.marketData?.limits).toEqual({
      maxInstrumentsPerConnection: 2,
      maxConnections: 2,
      depthLevels: [5],
    });
  });

  it('logs a malformed frame and keeps streaming', async () => {
    const { stream, ticks } = await openStream();
    stream.subscribe([{ instrument: harness.instrument('ITC', 'NSE'), mode: 'ltp' }]);
    await waitFor(() => fakeModes().get(tokenOf('ITC', 'NSE')) === 'ltp');
    harness.fake.control.sendTickerRaw(Buffer.from([0, 2, 0, 8, 0, 0, 0, 1]));
    await waitFor(() =>
      harness.logger.entries.find((entry) => entry.message === 'malformed kite ticker frame'),
    );
    harness.fake.control.setPrice('NSE', 'ITC', '455.55');
    await waitFor(() => ticks.find((entry) => entry.ltp === 455.55));
  });

  it('reports a rejected session as auth-failed and refuses to connect with a "log in again" error', async () => {
    const session: BrokerSession = { ...harness.session, accessToken: harness.fake.control.createSession() };
    const { states } = await openStream(streamContext({ session }));
    harness.fake.control.expireSessions();
    const failed = await waitFor(() => states.find((state) => state.state === 'auth-failed'));
    expect(failed).toEqual({
      state: 'auth-failed',
      reason: 'Kite rejected the session: log in to Zerodha again',
    });
    const late = harness.broker.streams.marketData?.create(streamContext({ session })) as MarketDataStream;
    await expect(late.connect()).rejects.toSatisfy(TokenExpiredError.isInstance);
    // Put the shared harness session back to work for the other suites.
    harness.session.accessToken = harness.fake.control.createSession();
  });

  it('uses refreshSession once when the token is rejected, then carries on', async () => {
    const session: BrokerSession = { ...harness.session, accessToken: harness.fake.control.createSession() };
    let refreshed = 0;
    const { stream, ticks, states } = await openStream(
      streamContext({
        session,
        refreshSession: async () => {
          refreshed += 1;
          return { ...session, accessToken: harness.fake.control.createSession() };
        },
      }),
    );
    stream.subscribe([{ instrument: harness.instrument('LT', 'NSE'), mode: 'ltp' }]);
    harness.fake.control.expireSessions();
    harness.session.accessToken = harness.fake.control.createSession();
    await waitFor(() => states.filter((state) => state.state === 'connected').length >= 2);
    expect(refreshed).toBe(1);
    harness.fake.control.setPrice('NSE', 'LT', '3600.1');
    await waitFor(() => ticks.find((entry) => entry.ltp === 3600.1));
  });
});

describe('order update stream', () => {
  it('delivers each order change once, normalized as OpenAlgo pushes it', async () => {
    const stream = harness.broker.streams.orderUpdates?.create(streamContext());
    const updates: OrderUpdate[] = [];
    stream?.onUpdate((update) => updates.push(update));
    await stream?.connect();
    cleanups.push(async () => stream?.close());
    // A second stream on the same session shares the socket: no duplicates.
    const market = await openStream();
    market.stream.subscribe([{ instrument: harness.instrument('SBIN', 'NSE'), mode: 'ltp' }]);
    harness.fake.control.setPrice('NSE', 'SBIN', '820');
    const ack = await harness.broker.orders.placeOrder(
      {
        instrument: harness.instrument('SBIN', 'NSE'),
        action: 'BUY',
        quantity: 3,
        product: 'MIS',
        priceType: 'MARKET',
        price: '0',
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY',
        clientOrderId: 'upd1',
      },
      harness.context,
    );
    await waitFor(() =>
      updates.find((update) => update.orderid === ack.orderId && update.order_status === 'complete'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const mine = updates.filter((update) => update.orderid === ack.orderId);
    expect(mine.map((update) => update.order_status)).toEqual(['open', 'complete']);
    expect(mine[1]).toEqual({
      orderid: ack.orderId,
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 3,
      price: 0,
      trigger_price: 0,
      pricetype: 'MARKET',
      product: 'MIS',
      order_status: 'complete',
      filled_quantity: 3,
      pending_quantity: 0,
      average_price: 820,
      rejection_reason: '',
      timestamp: NOW,
    });
  });

  it('closes the socket when the last stream of a session closes', async () => {
    const session: BrokerSession = { ...harness.session, accessToken: harness.fake.control.createSession() };
    const stream = harness.broker.streams.orderUpdates?.create(streamContext({ session }));
    await stream?.connect();
    await waitFor(() =>
      harness.fake.control.tickerClients().some((client) => client.accessToken === session.accessToken),
    );
    await stream?.close();
    await waitFor(
      () =>
        !harness.fake.control.tickerClients().some((client) => client.accessToken === session.accessToken),
    );
  });
});
