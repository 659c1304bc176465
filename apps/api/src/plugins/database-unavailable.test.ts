import { createDatabase, type DatabaseHandle, DatabaseTimeoutError } from '@openalgo/db';
import { createTestDatabase, TcpProxy, type TestDatabase, testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../errors.js';
import { failureOf } from '../services/orders/order-service.js';
import { startTestApp, type TestApp, type TestResponse, tradingHoursClock } from '../testing/test-app.js';

/**
 * The database being unreachable is answered 503 with `retry-after` in the OpenAlgo error
 * shape, promptly, on the order path and elsewhere; never a 500, never a hang.
 */

describe('the order path maps an unreachable database', () => {
  it('to 503 with the unavailable message, marked in analyzer mode', () => {
    const outcome = failureOf(new DatabaseTimeoutError('no connection'), 'analyze', 'fallback');
    expect(outcome).toEqual({
      ok: false,
      statusCode: 503,
      body: { status: 'error', message: DATABASE_UNAVAILABLE_MESSAGE, mode: 'analyze' },
    });
  });

  it('and anything else unexpected to 500 with the fallback message', () => {
    expect(failureOf(new Error('bug'), 'live', 'fallback')).toEqual({
      ok: false,
      statusCode: 500,
      body: { status: 'error', message: 'fallback' },
    });
  });
});

describe.each(testBackends().filter((kind) => kind === 'postgres'))(
  'requests while %s is unreachable',
  (kind) => {
    let base: TestDatabase;
    let proxy: TcpProxy;
    let database: DatabaseHandle;
    let t: TestApp;

    const order = () =>
      t.post('/api/v1/placeorder', {
        apikey: t.apiKey,
        strategy: 'unavailable',
        exchange: 'NSE',
        symbol: 'SBIN',
        action: 'BUY',
        quantity: 1,
        pricetype: 'MARKET',
        product: 'CNC',
      });

    function expectUnavailable(response: TestResponse, extra: { mode?: 'analyze' } = {}): void {
      expect(response.status, response.text).toBe(503);
      expect(response.contentType).toMatch(/^application\/json/);
      expect(response.json).toEqual({ status: 'error', message: DATABASE_UNAVAILABLE_MESSAGE, ...extra });
    }

    beforeAll(async () => {
      base = await createTestDatabase(kind);
      const target = new URL(process.env.DATABASE_URL ?? '');
      proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      await proxy.start();
      target.host = `127.0.0.1:${proxy.port}`;
      database = await createDatabase({
        url: target.toString(),
        schema: base.schema ?? undefined,
        maxConnections: 4,
        connectTimeoutMs: 1_000,
      });
      t = await startTestApp(kind, { database, now: tradingHoursClock() });
      const toggled = await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true });
      expect(toggled.status, toggled.text).toBe(200);
      expect((await order()).status).toBe(200);
    }, 120_000);

    afterAll(async () => {
      proxy?.restore();
      await t?.close();
      await database?.close();
      await proxy?.stop();
      await base?.close();
    });

    it('a placement is answered 503 with retry-after, and is placed again once the database is back', async () => {
      proxy.cut();
      const refused = await order();
      expectUnavailable(refused, { mode: 'analyze' });
      const response = await fetch(`${t.baseUrl}/api/v1/placeorder`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apikey: t.apiKey,
          strategy: 'unavailable',
          exchange: 'NSE',
          symbol: 'SBIN',
          action: 'BUY',
          quantity: 1,
          pricetype: 'MARKET',
          product: 'CNC',
        }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      await response.body?.cancel();
      proxy.restore();
      let placed: TestResponse | undefined;
      for (let attempt = 0; attempt < 50; attempt += 1) {
        placed = await order();
        if (placed.status === 200) {
          break;
        }
        expectUnavailable(placed, { mode: 'analyze' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(placed?.status, placed?.text).toBe(200);
    });

    it('a read served by the database is answered 503 through the error handler', async () => {
      proxy.cut();
      const book = await t.post('/api/v1/orderbook', { apikey: t.apiKey });
      const funds = await t.post('/api/v1/funds', { apikey: t.apiKey });
      proxy.restore();
      for (const response of [book, funds]) {
        expect(response.status, response.text).toBe(503);
        expect(response.contentType).toMatch(/^application\/json/);
        expect(response.json).toMatchObject({ status: 'error', message: DATABASE_UNAVAILABLE_MESSAGE });
      }
    });
  },
);
