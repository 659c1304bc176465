import { createDatabase, type DatabaseHandle, DatabaseTimeoutError, sql } from '@openalgo/db';
import {
  createTestDatabase,
  startPostgresProxy,
  type TcpProxy,
  type TestDatabase,
  testBackends,
} from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../errors.js';
import { failureOf } from '../services/orders/order-service.js';
import { RECONCILE_MESSAGES } from '../services/orders/reconciler.js';
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

    const order = (strategy = 'unavailable') =>
      t.post('/api/v1/placeorder', {
        apikey: t.apiKey,
        strategy,
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
      let url: string;
      ({ proxy, url } = await startPostgresProxy());
      database = await createDatabase({
        url,
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
    /**
     * The one order-log row of a strategy once it is settled, and its sandbox orders. The row
     * follows the answer (the order was recorded in the spool first; its row may still be
     * waiting for the database to take it after the cut), so it is waited for; there is never
     * more than one.
     */
    async function settledPlacement(strategy: string) {
      // Up to 25 s: the reconciler looks again after 0.5, 1.5, 3.5, 7.5 and 15.5 s, and its first
      // looks may meet connections the cut left reconnecting.
      for (let attempt = 0; attempt < 250; attempt += 1) {
        const rows = await base.db
          .selectFrom('order_log')
          .select(['status', 'broker_order_id', 'request', 'response'])
          .where('strategy', '=', strategy)
          .execute();
        expect(rows.length).toBeLessThanOrEqual(1);
        const row = rows[0];
        if (row && !['pending', 'sent', 'unknown'].includes(row.status)) {
          const clientOrderId = (row.request as { client_order_id: string }).client_order_id;
          const sandbox = await sql<{ orderid: string }>`
            select orderid from ${sql.table(`${database.sandboxSchema}.orders`)}
            where client_order_id = ${clientOrderId}`.execute(base.db);
          return { row, sandboxOrderIds: sandbox.rows.map((order) => order.orderid) };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the ${strategy} placement was never settled`);
    }

    // The COMMIT statement as the driver sends it (a Parse message: the text, NUL-terminated).
    const isCommit = (chunk: Buffer) => chunk.includes('commit\0');

    /** After an earlier cut: the api's pool serves again. */
    async function untilServed(): Promise<void> {
      for (;;) {
        try {
          await sql`select 1`.execute(database.db);
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }

    it('a placement whose commit answer was lost is unconfirmed, then reconciled as the one order it is', async () => {
      await untilServed();
      proxy.cutWhen(isCommit, { isForwarded: true });
      const answered = await order('answer-lost');
      expect(answered.status, answered.text).toBe(504);
      expect(answered.json).toEqual({
        status: 'error',
        message: RECONCILE_MESSAGES.unconfirmed,
        mode: 'analyze',
      });
      proxy.restore();
      const { row, sandboxOrderIds } = await settledPlacement('answer-lost');
      expect(row.status).toBe('accepted');
      expect(sandboxOrderIds).toEqual([row.broker_order_id]);
    }, 60_000);

    it('a placement whose commit never left is settled as not placed at the first read, not after the window', async () => {
      await untilServed();
      proxy.cutWhen(isCommit, { isForwarded: false });
      const answered = await order('never-sent');
      expect(answered.status, answered.text).toBe(504);
      proxy.restore();
      const { row, sandboxOrderIds } = await settledPlacement('never-sent');
      expect(row.status).toBe('failed');
      expect(sandboxOrderIds).toEqual([]);
    }, 60_000);
  },
);
