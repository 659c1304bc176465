import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BrokerError,
  BrokerUnavailableError,
  InsufficientFundsError,
  NetworkError,
  RateLimitError,
  RequestTimeoutError,
} from '../errors.js';
import { createHttpClient, type HttpClientSettings, type LatencySample } from './index.js';

/** A loopback server whose next answers a test scripts; it records every request it gets. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Answer = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
const script: Answer[] = [];
const ok: Answer = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"status":"success"}');
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      (script.shift() ?? ok)(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  script.length = 0;
});

const status =
  (code: number, body = '', headers: Record<string, string> = {}): Answer =>
  (_request, response) => {
    response.writeHead(code, headers);
    response.end(body);
  };
/** Never answers: the client's timeout must fire. */
const hang: Answer = () => {};

function client(overrides: Partial<HttpClientSettings> = {}) {
  return createHttpClient({
    baseUrl,
    broker: 'acme',
    retry: { baseDelayMs: 1, maxDelayMs: 20 },
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('HttpClient requests', () => {
  it('sends method, path, query, headers and a form body in order', async () => {
    const http = client({ headers: { 'x-version': '3', authorization: 'default' } });
    const response = await http.request({
      method: 'POST',
      path: '/orders/regular',
      query: { a: 1, skip: undefined, b: 'x y' },
      headers: { authorization: 'token k:t' },
      form: [
        ['tradingsymbol', 'SBIN'],
        ['quantity', '1'],
      ],
      operation: 'placeOrder',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'success' });
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/orders/regular?a=1&b=x+y',
        body: 'tradingsymbol=SBIN&quantity=1',
        headers: expect.objectContaining({
          'x-version': '3',
          authorization: 'token k:t',
          'content-type': 'application/x-www-form-urlencoded',
        }),
      }),
    ]);
  });

  it('sends JSON bodies and goes through a given undici dispatcher', async () => {
    const agent = new Agent({ connections: 1 });
    const http = client({ dispatcher: agent, baseUrl: `${baseUrl}/` });
    await http.request({
      method: 'POST',
      path: '/margins',
      json: { legs: [1] },
      operation: 'margin',
      kind: 'read',
    });
    expect(seen[0]).toMatchObject({ url: '/margins', body: '{"legs":[1]}' });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    await agent.close();
  });

  it('hands over every header (repeated ones too), an empty 204, and a long call whose body streams', async () => {
    script.push((_request, response) => {
      response.writeHead(200, [
        ['content-type', 'text/csv'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-request-id', 'r-1'],
      ]);
      response.end('instrument_token,tradingsymbol\n1,SBIN\n');
    });
    const http = client();
    const answered = await http.request({ method: 'GET', path: '/instruments', operation: 'instruments' });
    expect(answered.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(answered.headers.get('x-request-id')).toBe('r-1');
    expect(await answered.text()).toBe('instrument_token,tradingsymbol\n1,SBIN\n');

    script.push(status(204));
    const empty = await http.request({
      method: 'DELETE',
      path: '/orders/regular/1',
      operation: 'cancelOrder',
    });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');

    // A long call (an instrument dump) is read as it arrives, before the broker has sent it all.
    let finish: () => void = () => undefined;
    script.push((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/csv' });
      response.write('first chunk\n');
      finish = () => response.end('last chunk\n');
    });
    const streamed = await http.request({
      method: 'GET',
      path: '/instruments',
      operation: 'instruments',
      kind: 'long',
    });
    const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('first chunk\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe('last chunk\n');
  });

  it('uses a custom fetch when given one', async () => {
    const urls: string[] = [];
    const http = client({
      fetch: async (url, init) => {
        urls.push(`${init.method} ${url}`);
        return new Response('hello', { status: 200 });
      },
    });
    const response = await http.request({
      method: 'GET',
      path: '/x',
      query: [['i', 'NSE:SBIN']],
      operation: 'fetchQuotes',
    });
    expect(await response.text()).toBe('hello');
    expect(urls).toEqual([`GET ${baseUrl}/x?i=NSE%3ASBIN`]);
    expect(seen).toEqual([]);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => createHttpClient({ baseUrl: 'ftp://x' })).toThrow(/http\(s\) URL/);
  });
});

describe('HttpClient retries', () => {
  it('retries an idempotent read after 5xx answers and succeeds', async () => {
    script.push(status(503), status(502, '<html>bad gateway</html>'));
    const warnings: object[] = [];
    const http = client({
      logger: {
        debug() {},
        info() {},
        warn: (data) => warnings.push(data),
        error() {},
        child() {
          return this;
        },
      },
    });
    const response = await http.request({ method: 'GET', path: '/orders', operation: 'fetchOrders' });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(warnings).toEqual([
      expect.objectContaining({ operation: 'fetchOrders', attempt: 1, code: 'BROKER_UNAVAILABLE' }),
      expect.objectContaining({ operation: 'fetchOrders', attempt: 2, code: 'BROKER_UNAVAILABLE' }),
    ]);
  });

  it('gives up after the configured attempts with the typed error', async () => {
    script.push(status(500), status(500), status(500, 'still down'));
    const error = await failure(
      client().request({ method: 'GET', path: '/orders', operation: 'fetchOrders' }),
    );
    expect(BrokerUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('still down');
    expect((error as BrokerUnavailableError).context).toMatchObject({
      httpStatus: 500,
      operation: 'fetchOrders',
    });
    expect(seen).toHaveLength(3);
  });

  it('never retries order placement, even on a retryable answer', async () => {
    script.push(status(503));
    const error = await failure(
      client().request({ method: 'POST', path: '/orders', operation: 'placeOrder', kind: 'read' }),
    );
    expect(BrokerUnavailableError.isInstance(error)).toBe(true);
    expect((error as BrokerUnavailableError).context).toMatchObject({ mayHaveReachedBroker: true });
    expect(seen).toHaveLength(1);
  });

  it('treats non-GET calls as writes unless marked as reads', async () => {
    script.push(status(503), status(503));
    await expect(client().request({ method: 'PUT', path: '/gtt/1', operation: 'gtt' })).rejects.toSatisfy(
      (error: unknown) => BrokerUnavailableError.isInstance(error),
    );
    expect(seen).toHaveLength(1);
    await client().request({ method: 'POST', path: '/margins', operation: 'margin', kind: 'read' });
    expect(seen).toHaveLength(3);
  });

  it('honours Retry-After on a 429 and reports RateLimitError if it persists', async () => {
    const waits: number[] = [];
    const http = client({
      retry: { baseDelayMs: 1, maxDelayMs: 5_000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    script.push(
      status(429, 'slow down', { 'retry-after': '2' }),
      status(429, 'slow down', { 'retry-after': '1' }),
    );
    script.push(status(429, 'Too many requests'));
    const error = await failure(http.request({ method: 'GET', path: '/quote', operation: 'fetchQuotes' }));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as RateLimitError).retryable).toBe(true);
    expect(waits).toEqual([2_000, 1_000]);
  });

  it("maps answers through the broker's error table first, then by status", async () => {
    const http = client({
      mapError: ({ bodyText, status: code }) =>
        bodyText.includes('margin')
          ? new InsufficientFundsError(`refused (${code}): ${bodyText}`)
          : undefined,
    });
    script.push(status(400, 'margin exceeds'));
    const refused = await failure(http.request({ method: 'POST', path: '/orders', operation: 'placeOrder' }));
    expect(InsufficientFundsError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toBe('refused (400): margin exceeds');
    script.push(status(404, ''));
    const missing = await failure(http.request({ method: 'GET', path: '/nope', operation: 'other' }));
    expect(BrokerError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toBe('acme answered HTTP 404');
    expect((missing as BrokerError).retryable).toBe(false);
  });
});

describe('HttpClient transport failures', () => {
  it('times a read out, retries it, and reports RequestTimeoutError when every attempt hangs', async () => {
    script.push(hang, hang);
    const http = client({ timeouts: { readMs: 150 }, retry: { attempts: 2, baseDelayMs: 1 } });
    const error = await failure(http.request({ method: 'GET', path: '/orders', operation: 'fetchOrders' }));
    expect(RequestTimeoutError.isInstance(error)).toBe(true);
    expect((error as RequestTimeoutError).retryable).toBe(true);
    expect((error as RequestTimeoutError).context).toMatchObject({
      timeoutMs: 150,
      mayHaveReachedBroker: false,
    });
    expect(seen).toHaveLength(2);
  });

  it('times an order write out once and says it may have reached the broker', async () => {
    script.push(hang);
    const http = client({ timeouts: { writeMs: 150 } });
    const error = await failure(http.request({ method: 'POST', path: '/orders', operation: 'placeOrder' }));
    expect(RequestTimeoutError.isInstance(error)).toBe(true);
    expect((error as RequestTimeoutError).retryable).toBe(false);
    expect((error as RequestTimeoutError).context).toMatchObject({
      mayHaveReachedBroker: true,
      operation: 'placeOrder',
    });
    expect(seen).toHaveLength(1);
  });

  it('reports a refused connection as a retryable NetworkError that never reached the broker', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const http = client({ baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 1 } });
    const error = await failure(http.request({ method: 'POST', path: '/orders', operation: 'placeOrder' }));
    expect(NetworkError.isInstance(error)).toBe(true);
    expect((error as NetworkError).retryable).toBe(true);
    expect((error as NetworkError).context).toMatchObject({
      code: 'ECONNREFUSED',
      mayHaveReachedBroker: false,
    });
  });

  it('reports a dropped connection on a write as possibly delivered', async () => {
    script.push((request) => request.socket.destroy());
    const error = await failure(
      client().request({ method: 'POST', path: '/orders', operation: 'placeOrder' }),
    );
    expect(NetworkError.isInstance(error)).toBe(true);
    expect((error as NetworkError).retryable).toBe(false);
    expect((error as NetworkError).context).toMatchObject({ mayHaveReachedBroker: true });
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    script.push(hang);
    const controller = new AbortController();
    const pending = failure(
      client().request({
        method: 'GET',
        path: '/orders',
        operation: 'fetchOrders',
        signal: controller.signal,
      }),
    );
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    const error = await pending;
    expect(NetworkError.isInstance(error)).toBe(true);
    expect((error as NetworkError).retryable).toBe(false);
    expect((error as NetworkError).context).toMatchObject({ aborted: true });
    expect(seen).toHaveLength(1);
  });
});

describe('HttpClient latency hook', () => {
  it('reports every attempt with its outcome, status and round trip', async () => {
    script.push(status(503), (_request, response) => {
      setTimeout(() => ok(_request, response), 40);
    });
    const samples: LatencySample[] = [];
    await client({ onLatency: (sample) => samples.push(sample) }).request({
      method: 'GET',
      path: '/orders?secret=1',
      operation: 'fetchOrders',
      label: 'orderBook',
    });
    expect(samples.map(({ durationMs: _durationMs, ...rest }) => rest)).toEqual([
      {
        operation: 'fetchOrders',
        label: 'orderBook',
        method: 'GET',
        path: '/orders',
        status: 503,
        outcome: 'http-error',
        attempt: 1,
        queuedMs: 0,
      },
      {
        operation: 'fetchOrders',
        label: 'orderBook',
        method: 'GET',
        path: '/orders',
        status: 200,
        outcome: 'ok',
        attempt: 2,
        queuedMs: 0,
      },
    ]);
    // The second answer was held 40 ms by the server: its round trip cannot be shorter.
    expect(samples[1]?.durationMs).toBeGreaterThanOrEqual(35);
  });

  it('reports a timeout with no status', async () => {
    script.push(hang);
    const samples: LatencySample[] = [];
    await failure(
      client({ timeouts: { writeMs: 100 }, onLatency: (sample) => samples.push(sample) }).request({
        method: 'DELETE',
        path: '/orders/1',
        operation: 'cancelOrder',
      }),
    );
    expect(samples).toEqual([
      expect.objectContaining({ status: null, outcome: 'timeout', operation: 'cancelOrder' }),
    ]);
  });
});

describe('HttpClient rate limiting', () => {
  it('queues calls beyond a bucket instead of failing them, per declared bucket', async () => {
    let now = 1_000_000;
    const waits: number[] = [];
    const queued: number[] = [];
    const http = client({
      onLatency: (sample) => queued.push(sample.queuedMs),
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
      pacing: 1,
      rateLimit: {
        scope: 'account',
        buckets: [
          { id: 'quote', operations: ['fetchQuotes'], perSecond: 2 },
          { id: 'other', operations: ['other'], perSecond: 100 },
        ],
      },
    });
    for (let index = 0; index < 4; index += 1) {
      await http.request({ method: 'GET', path: '/quote', operation: 'fetchQuotes' });
    }
    // Two go at once, then one every 500 ms: the third and fourth waited, none failed.
    expect(waits).toEqual([500, 500]);
    // fetchOrders is named by no bucket: it falls into `other`, which has room.
    await http.request({ method: 'GET', path: '/orders', operation: 'fetchOrders' });
    expect(waits).toEqual([500, 500]);
    expect(seen.map((request) => request.url)).toEqual(['/quote', '/quote', '/quote', '/quote', '/orders']);
    expect(queued).toEqual([0, 0, 500, 500, 0]);
  });
});
