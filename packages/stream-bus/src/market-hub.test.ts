import { createSimulatorBroker, type SimulatorBroker } from '@openalgo/brokers-simulator';
import { wsOrderUpdateFrameSchema, wsTickDataSchema } from '@openalgo/shared-types';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HubClient } from './hub-client.js';
import { type BrokerCall, startTestHub } from './testing.js';
import { marketTopic, orderTopic } from './topics.js';

const logger = pino({ level: 'silent' });
const keys = new Map([['k'.repeat(64), { userId: 7, username: 'trader' }]]);

async function eventually<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) {
      return value;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) {
    await item.close();
  }
});

async function setUp(hubOptions: Parameters<typeof startTestHub>[0]['hub'] = {}) {
  const broker: SimulatorBroker = createSimulatorBroker({ alwaysOpen: true, ticksPerSecond: 4_000, seed: 3 });
  broker.start();
  opened.push({ close: () => broker.stop() });
  const calls: BrokerCall[] = [];
  const hub = await startTestHub({ broker, logger, keys, calls, hub: hubOptions });
  opened.push(hub);
  const client = () => {
    const hubClient = new HubClient({
      publishUrl: hub.publishEndpoint,
      controlUrl: hub.controlEndpoint,
      logger,
    });
    const received: Array<{ topic: string; rich: number; data: unknown }> = [];
    hubClient.onMarket((topic, rich, payload) => {
      received.push({ topic, rich, data: JSON.parse(payload.toString('utf8')) });
    });
    hubClient.start();
    opened.push(hubClient);
    return { hubClient, received };
  };
  const subscribed = (symbol: string) =>
    calls
      .filter((call) => call.kind === 'subscribe')
      .flatMap((call) => call.subscriptions)
      .filter((entry) => entry.symbol === symbol);
  const unsubscribed = (symbol: string) =>
    calls
      .filter((call) => call.kind === 'unsubscribe')
      .flatMap((call) => call.subscriptions)
      .filter((entry) => entry.symbol === symbol);
  return { broker, hub, calls, client, subscribed, unsubscribed };
}

describe('MarketHub over real ZeroMQ sockets', () => {
  it('streams a subscribed topic, projected to its mode, and subscribes the broker once for two proxies', async () => {
    const { client, subscribed, unsubscribed } = await setUp();
    const first = client();
    const second = client();
    const ltp = marketTopic('NSE', 'SBIN', 1);
    const quote = marketTopic('NSE', 'SBIN', 2);
    first.hubClient.subscribe(ltp);
    second.hubClient.subscribe(ltp);
    second.hubClient.subscribe(quote);
    await eventually(() => first.received.some((message) => message.topic === ltp), 'an LTP tick');
    await eventually(() => second.received.some((message) => message.topic === quote), 'a quote tick');
    const ltpData = wsTickDataSchema.parse(first.received.find((message) => message.topic === ltp)?.data);
    expect(ltpData).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    expect(ltpData.open).toBeUndefined();
    const quoteData = wsTickDataSchema.parse(
      second.received.find((message) => message.topic === quote)?.data,
    );
    expect(quoteData.mode).toBe(2);
    expect(quoteData.open).toBeTypeOf('number');
    expect(first.received.every((message) => message.topic === ltp)).toBe(true);
    // One broker subscription per (instrument, mode), whatever the number of proxies.
    expect(subscribed('SBIN').map((entry) => entry.mode)).toEqual(['ltp', 'quote']);

    first.hubClient.unsubscribe(ltp);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(unsubscribed('SBIN')).toEqual([]);
    second.hubClient.unsubscribe(ltp);
    await eventually(() => unsubscribed('SBIN').length === 1, 'the LTP unsubscribe at the broker');
    expect(unsubscribed('SBIN')[0]?.mode).toBe('ltp');
    // A proxy that goes away releases what it held.
    second.hubClient.close();
    await eventually(() => unsubscribed('SBIN').length === 2, 'the quote unsubscribe when the proxy left');
    expect(unsubscribed('SBIN')[1]?.mode).toBe('quote');
  });

  it('cuts depth to the subscribed level', async () => {
    const { client } = await setUp();
    const { hubClient, received } = client();
    const topic = marketTopic('NSE', 'INFY', 3, 5);
    hubClient.subscribe(topic);
    const message = await eventually(() => received.find((entry) => entry.topic === topic), 'a depth tick');
    const data = wsTickDataSchema.parse(message.data);
    expect(message.rich).toBe(3);
    expect(data.depth?.buy).toHaveLength(5);
    expect(data.depth?.sell).toHaveLength(5);
  });

  it('splits instruments over several broker connections when the broker limits them', async () => {
    const { client, calls } = await setUp({ feed: { maxInstrumentsPerConnection: 2, maxConnections: 3 } });
    const { hubClient, received } = client();
    for (const symbol of ['SBIN', 'INFY', 'TCS']) {
      hubClient.subscribe(marketTopic('NSE', symbol, 1));
    }
    for (const symbol of ['SBIN', 'INFY', 'TCS']) {
      await eventually(
        () => received.some((message) => message.topic.includes(`|${symbol}|`)),
        `${symbol} ticks`,
      );
    }
    const perConnection = new Map<number, Set<string>>();
    for (const call of calls.filter((entry) => entry.kind === 'subscribe')) {
      const set = perConnection.get(call.connection) ?? new Set();
      for (const entry of call.subscriptions) {
        set.add(entry.symbol);
      }
      perConnection.set(call.connection, set);
    }
    expect(calls.filter((call) => call.kind === 'create')).toHaveLength(2);
    expect([...perConnection.values()].map((set) => set.size).sort()).toEqual([1, 2]);
  });

  it('recovers from a dropped broker feed and from a failed connect, resubscribing everything', async () => {
    const { client, broker, hub, calls } = await setUp({
      feed: { backoff: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 } },
    });
    const states: string[] = [];
    hub.onStatus((status) => states.push(status.state));
    // The first connection attempt fails: the pool opens a new connection by itself.
    broker.control.failNext('unavailable', 'other');
    const { hubClient, received } = client();
    const topic = marketTopic('NSE', 'SBIN', 2);
    hubClient.subscribe(topic);
    await eventually(() => received.length > 0, 'ticks after the failed connect');
    expect(calls.filter((call) => call.kind === 'create')).toHaveLength(2);
    expect(states).toContain('reconnecting');

    states.length = 0;
    broker.control.dropStreams();
    await eventually(() => states.includes('reconnecting'), 'a reconnecting status after the drop');
    received.length = 0;
    await eventually(() => received.length > 0, 'ticks after the drop');
    await eventually(() => hub.status().state === 'connected', 'connected again');
  });

  it('reopens a feed waiting out its backoff at once when told the session changed', async () => {
    // A retry a minute away: only reconnectFeed can bring the ticks within the test's wait.
    const { client, broker, hub, calls } = await setUp({
      feed: { backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, multiplier: 2, jitter: 0 } },
    });
    broker.control.failNext('unavailable', 'other');
    const { hubClient, received } = client();
    hubClient.subscribe(marketTopic('NSE', 'INFY', 1));
    await eventually(() => hub.status().state === 'reconnecting', 'the failed connect waiting to retry');
    expect(calls.filter((call) => call.kind === 'create')).toHaveLength(1);
    hub.reconnectFeed('a new broker login');
    await eventually(() => received.length > 0, 'ticks after the reconnect');
    expect(calls.filter((call) => call.kind === 'create')).toHaveLength(2);
    expect(calls.filter((call) => call.kind === 'subscribe').at(-1)?.subscriptions).toEqual([
      { symbol: 'INFY', exchange: 'NSE', mode: 'ltp' },
    ]);
  });

  it('answers control requests: authenticate, resolve and the ordered order replay', async () => {
    const { client, hub } = await setUp();
    const { hubClient } = client();
    await expect(hubClient.request('authenticate', { apiKey: 'k'.repeat(64) })).resolves.toMatchObject({
      ok: true,
      userId: 7,
      username: 'trader',
      info: { broker: 'simulator', depthLevels: [5] },
    });
    await expect(hubClient.request('authenticate', { apiKey: 'x'.repeat(64) })).resolves.toEqual({
      ok: false,
      code: 'AUTHENTICATION_ERROR',
      message: 'Invalid API key',
    });
    const resolved = await hubClient.request('resolve', {
      entries: [
        { symbol: 'SBIN', exchange: 'NSE' },
        { symbol: 'NOPE', exchange: 'NSE' },
      ],
      mode: 3,
      depth: 20,
    });
    expect(resolved.results).toEqual([
      { symbol: 'SBIN', exchange: 'NSE', ok: true, depth: 5 },
      { symbol: 'NOPE', exchange: 'NSE', ok: false, message: 'Symbol NOPE not found on NSE' },
    ]);

    const live: unknown[] = [];
    hubClient.onOrder((userId, payload) =>
      live.push({ userId, frame: JSON.parse(payload.toString('utf8')) }),
    );
    hubClient.subscribe(orderTopic(7));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const base = {
      user_id: 'trader',
      mode: 'analyze' as const,
      broker: 'sandbox',
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 1,
      price: 0,
      trigger_price: 0,
      pricetype: 'MARKET',
      product: 'MIS',
      filled_quantity: 0,
      pending_quantity: 1,
      average_price: 0,
      rejection_reason: '',
      timestamp: 1,
    };
    for (const [index, status] of ['open', 'complete', 'open'].entries()) {
      hub.publishOrderUpdate(7, { ...base, orderid: `o${index}`, order_status: status });
    }
    await eventually(() => live.length === 3, 'three live order updates');
    expect(live.map((entry) => (entry as { frame: { seq: number } }).frame.seq)).toEqual([1, 2, 3]);
    const replay = await hubClient.request('orders', { userId: 7, since: 1 });
    expect(replay.seq).toBe(3);
    expect(replay.truncated).toBe(false);
    expect(replay.updates.map((update) => wsOrderUpdateFrameSchema.parse(update).orderid)).toEqual([
      'o1',
      'o2',
    ]);
    const other = await hubClient.request('orders', { userId: 8, since: 0 });
    expect(other).toEqual({ ok: true, updates: [], seq: 0, truncated: false });
  });
  it('encodes order updates only while a proxy follows the user, and keeps every one for replay', async () => {
    const { client, hub } = await setUp();
    const { hubClient } = client();
    const live: number[] = [];
    hubClient.onOrder((_userId, payload) => live.push(JSON.parse(payload.toString('utf8')).seq));
    const update = (orderid: string) => ({
      user_id: 'trader',
      mode: 'live' as const,
      broker: 'simulator',
      symbol: 'SBIN',
      exchange: 'NSE',
      orderid,
      action: 'BUY',
      quantity: 1,
      price: 0,
      trigger_price: 0,
      pricetype: 'MARKET',
      product: 'MIS',
      order_status: 'open',
      filled_quantity: 0,
      pending_quantity: 1,
      average_price: 0,
      rejection_reason: '',
      timestamp: 1,
    });
    // Nobody follows user 7 yet: kept, not sent.
    hub.publishOrderUpdate(7, update('a'));
    expect(hub.orderFramesSent).toBe(0);
    // A proxy subscribes and asks for the replay, as it does: the next update is sent at once.
    hubClient.subscribe(orderTopic(7));
    await hubClient.request('orders', { userId: 7, since: 1 });
    hub.publishOrderUpdate(7, update('b'));
    expect(hub.orderFramesSent).toBe(1);
    await eventually(() => live.includes(2), 'the followed update');
    // The last subscriber leaves: once the hub reads it, updates stop being sent.
    hubClient.unsubscribe(orderTopic(7));
    let published = 2;
    await eventually(() => {
      const before = hub.orderFramesSent;
      published += 1;
      hub.publishOrderUpdate(7, update(`c${published}`));
      return hub.orderFramesSent === before;
    }, 'updates no longer sent');
    const replay = await hubClient.request('orders', { userId: 7, since: 0 });
    expect(replay.updates.map((entry) => entry.seq)).toEqual(
      Array.from({ length: published }, (_, index) => index + 1),
    );
    // Subscribing again (the subscription message alone) brings them back.
    hubClient.subscribe(orderTopic(7));
    await eventually(() => {
      hub.publishOrderUpdate(7, update('d'));
      return live.length > 1 && (live.at(-1) ?? 0) > published;
    }, 'updates sent again after a new subscription');
  });
});
