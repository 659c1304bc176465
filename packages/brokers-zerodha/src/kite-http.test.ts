import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BadResponseError,
  BrokerUnavailableError,
  NetworkError,
  RateLimitError,
  RequestTimeoutError,
} from '@openalgo/broker-sdk';
import type { LatencySample } from '@openalgo/broker-sdk/http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';
import { createZerodhaBroker } from './zerodha-broker.js';

/** Transport behaviour: read retries on transient errors only, timeouts, malformed answers. */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ withoutInstruments: true });
});

afterAll(async () => {
  await harness.close();
});

beforeEach(() => {
  harness.fake.control.clearFaults();
  harness.fake.control.clearRequests();
});

const orderCalls = () => harness.fake.requests.filter((request) => request.path === '/orders').length;

describe('Kite HTTP transport', () => {
  it('retries a read after a 5xx and succeeds', async () => {
    harness.fake.control.failNext({ path: '/orders', status: 503, count: 2 });
    await expect(harness.broker.orders.fetchOrders(harness.context)).resolves.toEqual([]);
    expect(orderCalls()).toBe(3);
    const warnings = harness.logger.entries.filter(
      (entry) => entry.message === 'broker read failed, retrying',
    );
    expect(warnings.at(-1)?.data).toMatchObject({
      operation: 'fetchOrders',
      attempt: 2,
      code: 'BROKER_UNAVAILABLE',
    });
  });

  it('gives up after three attempts with the typed error', async () => {
    harness.fake.control.failNext({ path: '/orders', status: 502, body: 'html', count: 3 });
    const error = await harness.broker.orders.fetchOrders(harness.context).catch((caught: unknown) => caught);
    expect(BrokerUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('<html><body><h1>502 Bad Gateway</h1></body></html>');
    expect(orderCalls()).toBe(3);
  });

  it('retries a 429, honouring Retry-After, and reports a RateLimitError if it persists', async () => {
    harness.fake.control.failNext({ path: '/orders', status: 429, count: 3, retryAfterSeconds: 0 });
    const error = await harness.broker.orders.fetchOrders(harness.context).catch((caught: unknown) => caught);
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Too many requests');
    expect(orderCalls()).toBe(3);
  });

  it("answers Kite's per-second rate limit with RateLimitError, not a crash", async () => {
    harness.fake.control.setRateLimit(/^\/quote/, 1);
    const sbinRequest = async () =>
      fetch(`${harness.fake.baseUrl}/quote?i=NSE:SBIN`, {
        headers: {
          'X-Kite-Version': '3',
          Authorization: `token ${harness.fake.apiKey}:${harness.session.accessToken}`,
        },
      });
    expect((await sbinRequest()).status).toBe(200);
    const limited = await sbinRequest();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      status: 'error',
      message: 'Too many requests',
      data: null,
      error_type: 'NetworkException',
    });
  });

  it("queues calls to stay under Kite's per-second quote limit instead of hitting its 429", async () => {
    // The fake enforces Kite's real 1 quote call per second; the adapter's limiter must pace to it.
    harness.fake.control.setRateLimit(/^\/quote/, 1);
    const samples: LatencySample[] = [];
    const broker = createZerodhaBroker({
      apiKey: harness.fake.apiKey,
      apiSecret: harness.fake.apiSecret,
      baseUrl: harness.fake.baseUrl,
      retry: { attempts: 1 },
      onLatency: (sample) => samples.push(sample),
    });
    const sbin = {
      symbol: 'SBIN',
      exchange: 'NSE' as const,
      brSymbol: 'SBIN',
      brExchange: 'NSE',
      token: '779521::::3045',
      name: 'SBIN',
      lotSize: 1,
      tickSize: '0.05',
      instrumentType: 'EQ' as const,
    };
    for (let call = 0; call < 3; call += 1) {
      const [result] = await broker.marketData.fetchQuotes([sbin], harness.context);
      expect(result?.ok).toBe(true);
    }
    expect(samples.map((sample) => [sample.label, sample.status])).toEqual([
      ['fetchQuotes', 200],
      ['fetchQuotes', 200],
      ['fetchQuotes', 200],
    ]);
    // The first went at once; the others waited in the queue (90 % of 1/s: about 1.1 s each).
    expect(samples[0]?.queuedMs).toBe(0);
    expect(samples[1]?.queuedMs).toBeGreaterThan(500);
    expect(samples[2]?.queuedMs).toBeGreaterThan(500);
  });

  it('does not retry a malformed success body', async () => {
    harness.fake.control.failNext({ path: '/orders', status: 200, body: 'malformed' });
    const error = await harness.broker.orders.fetchOrders(harness.context).catch((caught: unknown) => caught);
    expect(BadResponseError.isInstance(error)).toBe(true);
    expect((error as BadResponseError).context).toMatchObject({
      operation: 'fetchOrders',
      body: '{"status": "success", "data": {',
    });
    expect(orderCalls()).toBe(1);
  });

  it('rejects a success envelope whose data has the wrong shape', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'success', data: { not: 'a list' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const broker = createZerodhaBroker({
        apiKey: 'key',
        apiSecret: 'secret',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      const error = await broker.orders.fetchOrders(harness.context).catch((caught: unknown) => caught);
      expect(BadResponseError.isInstance(error)).toBe(true);
      expect((error as BadResponseError).context).toMatchObject({ body: { not: 'a list' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('times a read out and retries it', async () => {
    const broker = createZerodhaBroker({
      apiKey: harness.fake.apiKey,
      apiSecret: harness.fake.apiSecret,
      baseUrl: harness.fake.baseUrl,
      // Generous against a loaded machine: the retry must answer within the timeout.
      timeouts: { readMs: 400 },
      retry: { baseDelayMs: 1 },
    });
    harness.fake.control.delayNext({ path: '/orders', ms: 1_500 });
    await expect(broker.orders.fetchOrders(harness.context)).resolves.toEqual([]);
    expect(orderCalls()).toBe(2);
    harness.fake.control.delayNext({ path: '/orders', ms: 1_500, count: 3 });
    const error = await broker.orders.fetchOrders(harness.context).catch((caught: unknown) => caught);
    expect(RequestTimeoutError.isInstance(error)).toBe(true);
    expect((error as RequestTimeoutError).context).toMatchObject({
      mayHaveReachedBroker: false,
      timeoutMs: 400,
    });
  });

  it('reports an unreachable Kite as a NetworkError that never reached it', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const broker = createZerodhaBroker({
      apiKey: 'key',
      apiSecret: 'secret',
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { attempts: 1 },
    });
    const error = await broker.orders
      .placeOrder(
        {
          instrument: {
            symbol: 'SBIN',
            exchange: 'NSE',
            brSymbol: 'SBIN',
            brExchange: 'NSE',
            token: '779521::::3045',
            name: 'SBIN',
            lotSize: 1,
            tickSize: '0.05',
            instrumentType: 'EQ',
          },
          action: 'BUY',
          quantity: 1,
          product: 'CNC',
          priceType: 'LIMIT',
          price: '100',
          triggerPrice: '0',
          disclosedQuantity: 0,
          validity: 'DAY',
          clientOrderId: 'x1',
        },
        harness.context,
      )
      .catch((caught: unknown) => caught);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect((error as NetworkError).context).toMatchObject({
      code: 'ECONNREFUSED',
      mayHaveReachedBroker: false,
    });
  });

  it('rejects settings it cannot use', () => {
    expect(() => createZerodhaBroker({ apiKey: 'bad key', apiSecret: 's' })).toThrow(
      /apiKey must be the alphanumeric/,
    );
    expect(() => createZerodhaBroker({ apiKey: 'k', apiSecret: '' })).toThrow(/apiSecret is required/);
    expect(() => createZerodhaBroker({ apiKey: 'k', apiSecret: 's', tickerUrl: 'http://x' })).toThrow(
      /ws\(s\) URL/,
    );
    expect(() =>
      createZerodhaBroker({
        apiKey: 'k',
        apiSecret: 's',
        streamLimits: { maxInstrumentsPerConnection: 5000 },
      }),
    ).toThrow(/maxInstrumentsPerConnection/);
  });
});
