import {
  wsAuthSuccessFrameSchema,
  wsBrokerInfoFrameSchema,
  wsErrorFrameSchema,
  wsMarketDataFrameSchema,
  wsPongFrameSchema,
  wsSubscribeReplySchema,
  wsSupportedBrokersFrameSchema,
  wsUnsubscribeReplySchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, eventually, type Harness, startHarness } from './testing/harness.js';

let harness: Harness;
let url: string;
/** A proxy with a short auth grace period, for the timeout case only. */
let impatientUrl: string;

beforeAll(async () => {
  harness = await startHarness();
  ({ url } = await harness.startProxy());
  ({ url: impatientUrl } = await harness.startProxy({ WS_AUTH_GRACE_SECONDS: '0.3' }));
});

afterAll(async () => {
  await harness.close();
});

describe('the OpenAlgo WebSocket protocol over real sockets', () => {
  it('authenticates with a valid key in OpenAlgo’s exact success shape', async () => {
    const client = await harness.client(url);
    const reply = await client.authenticate();
    expect(wsAuthSuccessFrameSchema.parse(reply)).toEqual({
      type: 'auth',
      status: 'success',
      message: 'Authentication successful',
      broker: 'simulator',
      user_id: 'admin',
      supported_features: { ltp: true, quote: true, depth: true },
    });
    // `apikey` is accepted too.
    const second = await harness.client(url);
    expect((await second.request({ action: 'auth', apikey: API_KEY }, 'auth')).status).toBe('success');
  });

  it('refuses a bad or missing key with AUTHENTICATION_ERROR and keeps the socket open', async () => {
    const client = await harness.client(url);
    const bad = await client.request({ action: 'authenticate', api_key: 'f'.repeat(64) }, 'auth');
    expect(wsErrorFrameSchema.parse(bad)).toMatchObject({
      code: 'AUTHENTICATION_ERROR',
      message: 'Invalid API key',
    });
    const missing = await client.request({ action: 'authenticate' }, 'auth');
    expect(missing).toMatchObject({
      status: 'error',
      code: 'AUTHENTICATION_ERROR',
      message: 'API key is required',
    });
    const early = await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE' }, 'subscribe');
    expect(early).toMatchObject({ code: 'NOT_AUTHENTICATED', message: 'You must authenticate first' });
    expect((await client.authenticate()).status).toBe('success');
    expect(client.closed).toBeNull();
  });

  it('closes a socket that never authenticates with 4401 auth timeout', async () => {
    const client = await harness.client(impatientUrl);
    client.send({ action: 'ping' });
    const closed = await client.waitClosed();
    expect(closed).toEqual({ code: 4401, reason: 'auth timeout' });
    expect(client.frames.some((frame) => frame.type === 'pong')).toBe(true);
  });

  it('subscribes in LTP, Quote and Depth modes and streams each in its shape', async () => {
    const client = await harness.client(url);
    await client.authenticate();
    const ltp = await client.request(
      { action: 'subscribe', symbols: [{ symbol: 'SBIN', exchange: 'NSE' }], mode: 1, request_id: 'r1' },
      'subscribe',
    );
    expect(wsSubscribeReplySchema.parse(ltp)).toEqual({
      type: 'subscribe',
      status: 'success',
      subscriptions: [
        { symbol: 'SBIN', exchange: 'NSE', status: 'success', mode: 'LTP', depth: 5, broker: 'simulator' },
      ],
      message: 'Subscription processing complete',
      broker: 'simulator',
      request_id: 'r1',
    });
    const quote = await client.request(
      { action: 'subscribe', symbol: 'INFY', exchange: 'NSE', mode: 'quote' },
      'subscribe',
    );
    expect(quote.status).toBe('success');
    const depth = await client.request(
      { action: 'subscribe', symbols: [{ symbol: 'TCS', exchange: 'NSE' }], mode: ' Depth ', depth: 20 },
      'subscribe',
    );
    // The simulator serves 5 levels: a 20-level request falls back and says so.
    expect((depth.subscriptions as Array<Record<string, unknown>>)[0]).toMatchObject({
      mode: 'Depth',
      depth: 5,
    });

    const sbin = wsMarketDataFrameSchema.parse(
      await client.next((frame) => frame.type === 'market_data' && frame.symbol === 'SBIN', 'an SBIN tick'),
    );
    expect(sbin).toMatchObject({
      exchange: 'NSE',
      mode: 1,
      broker: 'simulator',
      data: { symbol: 'SBIN', mode: 1 },
    });
    expect(sbin.data.open).toBeUndefined();
    const infy = wsMarketDataFrameSchema.parse(
      await client.next((frame) => frame.type === 'market_data' && frame.symbol === 'INFY', 'an INFY tick'),
    );
    expect(infy.mode).toBe(2);
    expect(infy.data.high).toBeTypeOf('number');
    const tcs = wsMarketDataFrameSchema.parse(
      await client.next((frame) => frame.type === 'market_data' && frame.symbol === 'TCS', 'a TCS tick'),
    );
    expect(tcs.mode).toBe(3);
    expect(tcs.data.depth?.buy).toHaveLength(5);
  });

  it('reports per-symbol failures as a partial subscribe and rejects bad requests with their codes', async () => {
    const client = await harness.client(url);
    await client.authenticate();
    const partial = await client.request(
      {
        action: 'subscribe',
        symbols: [
          { symbol: 'SBIN', exchange: 'NSE' },
          { symbol: 'NOSUCH', exchange: 'NSE' },
          { symbol: 'X' },
        ],
      },
      'subscribe',
    );
    expect(partial.status).toBe('partial');
    expect(partial.subscriptions).toEqual([
      { symbol: 'SBIN', exchange: 'NSE', status: 'success', mode: 'Quote', depth: 5, broker: 'simulator' },
      {
        symbol: 'NOSUCH',
        exchange: 'NSE',
        status: 'error',
        message: 'Symbol NOSUCH not found on NSE',
        broker: 'simulator',
      },
    ]);
    const badMode = await client.request(
      { action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: true },
      'subscribe',
    );
    expect(badMode).toMatchObject({ status: 'error', code: 'INVALID_MODE' });
    const noSymbols = await client.request({ action: 'subscribe', symbols: [], request_id: 7 }, 'subscribe');
    expect(noSymbols).toEqual({
      type: 'error',
      status: 'error',
      code: 'INVALID_PARAMETERS',
      message: 'At least one symbol must be specified',
      request_id: 7,
    });
    const noTarget = await client.request({ action: 'unsubscribe' }, 'unsubscribe');
    expect(noTarget).toMatchObject({
      code: 'INVALID_PARAMETERS',
      message: 'Either symbols or unsubscribe_all is required',
    });
  });

  it('answers an unknown action or invalid JSON with an error and keeps working', async () => {
    const client = await harness.client(url);
    await client.authenticate();
    const unknown = await client.request({ action: 'dance' }, 'dance');
    expect(wsErrorFrameSchema.parse(unknown)).toMatchObject({
      code: 'INVALID_ACTION',
      message: 'Invalid action: dance',
    });
    const from = client.frames.length;
    client.send('{not json');
    const invalid = await client.next(
      (frame) => frame.status === 'error',
      'an INVALID_JSON error',
      10_000,
      from,
    );
    expect(invalid).toMatchObject({ code: 'INVALID_JSON', message: 'Invalid JSON message' });
    const pong = await client.request({ action: 'ping', timestamp: 123, _pingId: 9 }, 'pong');
    expect(wsPongFrameSchema.parse(pong)).toMatchObject({ client_timestamp: 123, _pingId: 9 });
    const subscribed = await client.request(
      { type: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 },
      'subscribe',
    );
    expect(subscribed.status).toBe('success');
    await client.next((frame) => frame.type === 'market_data', 'ticks after the errors');
    expect(client.closed).toBeNull();
  });

  it('stops data after unsubscribe, releasing exactly what was subscribed', async () => {
    const client = await harness.client(url);
    await client.authenticate();
    await client.request(
      { action: 'subscribe', symbols: [{ symbol: 'WIPRO', exchange: 'NSE' }], mode: 1 },
      'subscribe',
    );
    await client.request(
      { action: 'subscribe', symbols: [{ symbol: 'WIPRO', exchange: 'NSE' }], mode: 2 },
      'subscribe',
    );
    const firstQuote = await client.next(
      (frame) => frame.type === 'market_data' && frame.symbol === 'WIPRO' && frame.mode === 2,
      'a WIPRO quote tick',
    );
    // Holding LTP and Quote, a tick arrives once, tagged with the richer mode.
    const since = client.frames.indexOf(firstQuote);
    const wipro = () => client.frames.slice(since).filter((frame) => frame.symbol === 'WIPRO');
    await eventually(() => wipro().length >= 5, 'several WIPRO ticks');
    expect(wipro().every((frame) => frame.mode === 2)).toBe(true);
    // The list form without a per-entry mode uses the top-level mode (LTP here), not Quote.
    const first = await client.request(
      { action: 'unsubscribe', symbols: [{ symbol: 'WIPRO', exchange: 'NSE' }], mode: 2 },
      'unsubscribe',
    );
    expect(wsUnsubscribeReplySchema.parse(first)).toMatchObject({
      status: 'success',
      successful: [
        { symbol: 'WIPRO', exchange: 'NSE', status: 'success', mode: 'Quote', broker: 'simulator' },
      ],
      failed: [],
    });
    const afterQuote = client.frames.length;
    await client.next(
      (frame) => frame.type === 'market_data' && frame.symbol === 'WIPRO',
      'LTP ticks',
      10_000,
      afterQuote,
    );
    await eventually(() => client.ticks('WIPRO').length > 0, 'ticks');
    const lastFew = client.frames.slice(afterQuote + 5).filter((frame) => frame.symbol === 'WIPRO');
    expect(lastFew.every((frame) => frame.mode === 1)).toBe(true);
    await client.request(
      { action: 'unsubscribe', symbol: 'WIPRO', exchange: 'NSE', mode: 'LTP' },
      'unsubscribe',
    );
    await eventually(
      () =>
        harness.calls.some(
          (call) =>
            call.kind === 'unsubscribe' &&
            call.subscriptions.some((entry) => entry.symbol === 'WIPRO' && entry.mode === 'ltp'),
        ),
      'the broker told to drop WIPRO',
    );
    const settled = client.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.frames.slice(settled).filter((frame) => frame.symbol === 'WIPRO')).toEqual([]);
  });

  it('unsubscribe_all releases everything; broker info and supported brokers answer', async () => {
    const client = await harness.client(url);
    const brokers = await client.request({ action: 'get_supported_brokers' }, 'supported_brokers');
    expect(wsSupportedBrokersFrameSchema.parse(brokers)).toMatchObject({ brokers: ['simulator'], count: 1 });
    await client.authenticate();
    await client.request(
      { action: 'subscribe', symbols: [{ symbol: 'HDFCBANK', exchange: 'NSE' }] },
      'subscribe',
    );
    const all = await client.request({ action: 'unsubscribe_all' }, 'unsubscribe');
    expect(all.successful).toEqual([
      { symbol: 'HDFCBANK', exchange: 'NSE', status: 'success', mode: 'Quote', broker: 'simulator' },
    ]);
    const info = await client.request({ action: 'get_broker_info' }, 'broker_info');
    expect(wsBrokerInfoFrameSchema.parse(info)).toMatchObject({
      broker: 'simulator',
      user_id: 'admin',
      supported_depth_levels: [5],
    });
    expect(['connected', 'connecting', 'stale']).toContain(info.adapter_status);
  });
});
