import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness } from './testing/harness.js';

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

function brokerCalls(h: Harness, kind: 'subscribe' | 'unsubscribe', symbol: string) {
  return h.calls
    .filter((call) => call.kind === kind)
    .flatMap((call) => call.subscriptions)
    .filter((entry) => entry.symbol === symbol);
}

describe('several proxies, a dropping feed and slow clients', () => {
  it('two proxies share one broker subscription per symbol, released when the last client anywhere leaves', async () => {
    const h = await startHarness();
    harness = h;
    const first = await h.startProxy();
    const second = await h.startProxy();
    const alice = await h.client(first.url);
    const bob = await h.client(second.url);
    const carol = await h.client(second.url);
    for (const client of [alice, bob, carol]) {
      await client.authenticate();
    }
    const quote = (symbols: string[]) => ({
      action: 'subscribe',
      symbols: symbols.map((symbol) => ({ symbol, exchange: 'NSE' })),
      mode: 2,
    });
    await alice.request(quote(['SBIN', 'INFY']), 'subscribe');
    await bob.request(quote(['SBIN', 'TCS']), 'subscribe');
    await carol.request(quote(['SBIN']), 'subscribe');
    for (const [client, symbol] of [
      [alice, 'INFY'],
      [alice, 'SBIN'],
      [bob, 'TCS'],
      [bob, 'SBIN'],
      [carol, 'SBIN'],
    ] as const) {
      await client.next(
        (frame) => frame.type === 'market_data' && frame.symbol === symbol,
        `${symbol} ticks`,
      );
    }
    expect(brokerCalls(h, 'subscribe', 'SBIN')).toHaveLength(1);
    expect(brokerCalls(h, 'subscribe', 'INFY')).toHaveLength(1);
    expect(brokerCalls(h, 'subscribe', 'TCS')).toHaveLength(1);

    // Alice leaves SBIN and Bob disconnects: Carol still holds SBIN, so the broker keeps it.
    await alice.request(
      { action: 'unsubscribe', symbols: [{ symbol: 'SBIN', exchange: 'NSE' }] },
      'unsubscribe',
    );
    bob.close();
    await eventually(() => brokerCalls(h, 'unsubscribe', 'TCS').length === 1, 'TCS released with Bob');
    const marker = carol.frames.length;
    await carol.next((frame) => frame.symbol === 'SBIN', 'SBIN still flowing to Carol', 10_000, marker);
    expect(brokerCalls(h, 'unsubscribe', 'SBIN')).toHaveLength(0);

    carol.close();
    await eventually(
      () => brokerCalls(h, 'unsubscribe', 'SBIN').length === 1,
      'SBIN released with the last client',
    );
    expect(brokerCalls(h, 'unsubscribe', 'INFY')).toHaveLength(0);
    alice.close();
    await eventually(() => brokerCalls(h, 'unsubscribe', 'INFY').length === 1, 'INFY released');
    // Nothing was ever subscribed twice.
    expect(brokerCalls(h, 'subscribe', 'SBIN')).toHaveLength(1);
  });

  it('keeps every client subscription through a broker feed drop and a failed reconnect; data resumes', async () => {
    const h = await startHarness({
      hub: { feed: { backoff: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 } } },
    });
    harness = h;
    const { url } = await h.startProxy();
    const client = await h.client(url);
    await client.authenticate();
    await client.request(
      { action: 'subscribe', symbols: [{ symbol: 'RELIANCE', exchange: 'NSE' }], mode: 1 },
      'subscribe',
    );
    await client.next((frame) => frame.symbol === 'RELIANCE', 'ticks before the drop');

    // The feed drops and the broker refuses the first reconnect: the stream recovers by itself.
    h.broker.control.failNext('unavailable', 'other');
    h.broker.control.dropStreams();
    await client.next(
      (frame) => frame.type === 'feed_status' && frame.status === 'reconnecting',
      'a feed_status reconnecting push',
    );
    const resumedFrom = client.frames.length;
    await client.next((frame) => frame.symbol === 'RELIANCE', 'ticks after the drop', 15_000, resumedFrom);
    await client.next(
      (frame) => frame.type === 'feed_status' && frame.status === 'connected',
      'connected again',
    );
    expect(client.closed).toBeNull();
    expect(brokerCalls(h, 'subscribe', 'RELIANCE').length).toBeGreaterThanOrEqual(1);
  });

  it('conflates a client that stops reading, keeps the others flowing and disconnects it with a reason', async () => {
    const h = await startHarness({ ticksPerSecond: 20_000 });
    harness = h;
    const { url, proxy } = await h.startProxy({ WS_HIGH_WATER_BYTES: '16384', WS_SLOW_CLIENT_SECONDS: '2' });
    // Every equity in Depth mode: enough bytes per second to fill the loopback buffers quickly.
    const symbols = h.broker.exchange.instruments
      .filter((instrument) => instrument.instrumentType === 'EQ')
      .map((instrument) => ({ symbol: instrument.symbol, exchange: instrument.exchange }));
    const subscribe = { action: 'subscribe', symbols, mode: 3 };
    const slow = await h.client(url);
    const fast = await h.client(url);
    for (const client of [slow, fast]) {
      await client.authenticate();
      await client.request(subscribe, 'subscribe');
    }
    await slow.next((frame) => frame.type === 'market_data', 'ticks to the slow client');
    slow.socket.pause();

    await eventually(() => proxy.stats().slowClients === 1, 'the paused client marked slow');
    const whileSlow = fast.frames.length;
    await eventually(() => proxy.stats().conflated > 100, 'ticks conflated for the slow client');
    // Memory held for the slow client stays within one frame per subscription.
    expect(proxy.stats().heldFrames).toBeLessThanOrEqual(symbols.length);
    expect(proxy.stats().bufferedBytes).toBeLessThan(16_384 + 64_000);
    await eventually(() => fast.frames.length - whileSlow > 500, 'the other client keeps receiving');

    // Behind for longer than WS_SLOW_CLIENT_SECONDS: cut off with a reason.
    await eventually(() => proxy.stats().clients === 1, 'the slow client disconnected', 15_000);
    slow.socket.resume();
    const closed = await slow.waitClosed();
    expect([4008, 1006]).toContain(closed.code);
    expect(fast.closed).toBeNull();
    const after = fast.frames.length;
    await fast.next(
      (frame) => frame.type === 'market_data',
      'ticks after the slow client left',
      10_000,
      after,
    );
  });
});
