import { sql } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_MESSAGES } from '../../services/orders/reconciler.js';
import type { SandboxAnalyzerTargets } from '../../services/orders/sandbox-targets.js';
import { placeOrder } from '../../testing/order-helpers.js';
import { UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp, tradingHoursClock } from '../../testing/test-app.js';

/**
 * An analyzer order whose deadline passes while it still waits for its account's turn was
 * certainly not placed: it is answered so (429, try again) at the deadline and recorded as
 * failed at once, not "unconfirmed" and left to reconciliation for the whole window. The
 * order already running when the deadline passed keeps the uncertain answer.
 */
describe.each(testBackends())('an analyzer order whose deadline passes in its lane on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      env: { ...UNLIMITED_RATES, BROKER_ORDER_TIMEOUT_MS: '400', ANALYZER_MAX_WAIT_MS: '200' },
      now: tradingHoursClock(),
    });
    expect((await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true })).status).toBe(200);
    // The account's funds and the key's checks exist before the database is held.
    expect((await order('warm-up')).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const order = (strategy: string) =>
    placeOrder(t, {
      strategy,
      symbol: 'SBIN',
      action: 'BUY',
      quantity: 1,
      pricetype: 'MARKET',
      product: 'CNC',
    });

  async function rowOf(strategy: string) {
    await t.app.services.orderJournal.flush();
    const rows = await t.database.db
      .selectFrom('order_log')
      .select(['status', 'request', 'response'])
      .where('strategy', '=', strategy)
      .execute();
    expect(rows).toHaveLength(1);
    return rows[0] as (typeof rows)[number];
  }

  it('is answered at its deadline as not placed, recorded failed, and never runs', async () => {
    // The account's funds held by another transaction for a while (on the embedded database,
    // its one connection): the running order stalls on them, the next one waits behind it.
    const holding = t.database.db.transaction().execute(async (trx) => {
      await sql`lock table ${sql.table(`${t.database.sandboxSchema}.funds`)} in access exclusive mode`.execute(
        trx,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const running = order('running');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const waiting = await order('waiting');
    const waitedMs = performance.now() - started;
    expect(waiting.status, waiting.text).toBe(429);
    expect(waiting.json).toMatchObject({ status: 'error', mode: 'analyze' });
    expect(String((waiting.json as { message: string }).message)).toMatch(
      /^Analyzer mode is busy: the order was not placed \(it waited \d+ ms for its turn in this account's queue\)\. Try again shortly\.$/,
    );
    // At its deadline, not once the database let go.
    expect(waitedMs).toBeLessThan(1_200);
    // The running one keeps the uncertain answer: unconfirmed, or placed when the reconciler's
    // first look (which waits for the database too) already finds it.
    const first = await running;
    if (first.status !== 200) {
      expect(first.status, first.text).toBe(504);
      expect(first.json).toMatchObject({ message: RECONCILE_MESSAGES.unconfirmed });
    }
    await holding;
    await (t.app.services.analyzerTargets as SandboxAnalyzerTargets).sandbox.idle();
    const row = await rowOf('waiting');
    expect(row.status).toBe('failed');
    expect(row.response).toMatchObject({ http_status: 429 });
    const clientOrderId = (row.request as { client_order_id: string }).client_order_id;
    const stored = await sql<{ orderid: string }>`
      select orderid from ${sql.table(`${t.database.sandboxSchema}.orders`)}
      where client_order_id = ${clientOrderId}`.execute(t.database.db);
    expect(stored.rows).toEqual([]);
  }, 30_000);
});
