import { createDatabase, type DatabaseHandle, sql } from '@openalgo/db';
import {
  createTestDatabase,
  startPostgresProxy,
  type TcpProxy,
  type TestDatabase,
} from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../src/errors.js';
import { RECONCILE_MESSAGES } from '../../src/services/orders/reconciler.js';
import { startTestApp, type TestApp, tradingHoursClock } from '../../src/testing/test-app.js';

/**
 * Load and fault: 64 concurrent clients place analyzer-mode orders over real HTTP for 60 s
 * while the api's connections to PostgreSQL (through a loopback proxy) are dropped and
 * refused for a while, then restored. Every accepted order is in the order log exactly once,
 * every other request got a clear answer (4xx or 503 in the OpenAlgo error shape, never a
 * 500, never a hang), nothing is left pending, and orders are accepted again promptly after
 * the database is back. The one exception to "4xx or 503": a placement whose sandbox COMMIT
 * was on its way when the connection dropped has an unknown outcome, is answered 504
 * "unconfirmed" (a 503 would invite a duplicate) and is settled by reconciliation, so the
 * order log and the sandbox's orders still agree exactly.
 */

const CLIENTS = 64;
const LOAD_MS = 60_000;
const CUT_AT_MS = 20_000;
const OUTAGE_MS = 10_000;
/** A request unanswered this long counts as hung. */
const HANG_MS = 15_000;
/** The api's wait for a database connection (DATABASE_CONNECT_TIMEOUT_MS). */
const CONNECT_TIMEOUT_MS = 2_000;
const SYMBOLS = ['SBIN', 'INFY', 'TCS', 'RELIANCE'];

interface Answer {
  client: number;
  sentAt: number;
  answeredAt: number;
  status: number | 'hung' | 'network';
  body: unknown;
  retryAfter: string | null;
}

const isErrorShape = (body: unknown): body is { status: 'error'; message: string } =>
  typeof body === 'object' &&
  body !== null &&
  (body as { status?: unknown }).status === 'error' &&
  typeof (body as { message?: unknown }).message === 'string' &&
  (body as { message: string }).message.length > 0;

// Dropping connections needs a server to connect to: like every PostgreSQL suite, this one runs
// when DATABASE_URL is set (CI sets it) and is reported as skipped, by name, when it is not.

describe.skipIf(!process.env.DATABASE_URL)(
  '64 clients placing analyzer orders while the PostgreSQL connection drops once (needs DATABASE_URL)',
  () => {
    let base: TestDatabase;
    let proxy: TcpProxy;
    let database: DatabaseHandle;
    let t: TestApp;
    let userId: number;

    beforeAll(async () => {
      base = await createTestDatabase('postgres');
      let url: string;
      ({ proxy, url } = await startPostgresProxy());
      database = await createDatabase({
        url,
        schema: base.schema ?? undefined,
        maxConnections: 10,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      t = await startTestApp('postgres', {
        database,
        now: tradingHoursClock(),
        env: { ANALYZER_STARTING_CAPITAL: '1000000000000' },
      });
      userId = (await t.app.services.accounts.findAdmin()).id;
      const toggled = await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true });
      expect(toggled.status, toggled.text).toBe(200);
    }, 120_000);

    afterAll(async () => {
      const startedAt = performance.now();
      proxy?.restore();
      await t?.close();
      await database?.close();
      await proxy?.stop();
      await base?.close();
      process.stdout.write(`teardown: ${Math.round(performance.now() - startedAt)} ms\n`);
    }, 60_000);

    async function place(client: number, index: number): Promise<Answer> {
      const sentAt = performance.now();
      try {
        const response = await fetch(`${t.baseUrl}/api/v1/placeorder`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            apikey: t.apiKey,
            strategy: 'fault',
            exchange: 'NSE',
            symbol: SYMBOLS[(client + index) % SYMBOLS.length],
            action: 'BUY',
            quantity: 1,
            pricetype: 'MARKET',
            product: 'CNC',
          }),
          signal: AbortSignal.timeout(HANG_MS),
        });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text: fails the shape check below
        }
        return {
          client,
          sentAt,
          answeredAt: performance.now(),
          status: response.status,
          body,
          retryAfter: response.headers.get('retry-after'),
        };
      } catch (error) {
        const isTimeout = error instanceof Error && error.name === 'TimeoutError';
        return {
          client,
          sentAt,
          answeredAt: performance.now(),
          status: isTimeout ? 'hung' : 'network',
          body: String(error),
          retryAfter: null,
        };
      }
    }

    it(
      'answers every request clearly, logs every accepted order exactly once and recovers promptly',
      async () => {
        const answers: Answer[] = [];
        const startedAt = performance.now();
        const endAt = startedAt + LOAD_MS;
        let cutAt = 0;
        let restoredAt = 0;
        let droppedConnections = 0;
        const fault = (async () => {
          await new Promise((resolve) => setTimeout(resolve, CUT_AT_MS));
          cutAt = performance.now();
          droppedConnections = proxy.cut();
          await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
          proxy.restore();
          restoredAt = performance.now();
        })();
        await Promise.all([
          fault,
          ...Array.from({ length: CLIENTS }, async (_, client) => {
            for (let index = 0; performance.now() < endAt; index += 1) {
              const answer = await place(client, index);
              answers.push(answer);
              if (answer.status === 503) {
                // As a client that honours retry-after would, a little sooner.
                await new Promise((resolve) => setTimeout(resolve, 100));
              }
            }
          }),
        ]);

        // The journal writes completions shortly after the answers; give it its interval.
        await t.app.services.orderJournal.flush();
        // Unconfirmed placements are settled by the reconciler: found in the sandbox's book, or
        // given up once ORDER_RECONCILE_WINDOW_MS (60 s) has passed, at a check whose interval
        // backs off to 30 s. (One whose deadline passed while it still waited in the account's
        // lane is answered 429 "not placed" and recorded failed at once.) Wait as long as that
        // takes; usually nothing is left and this ends at once.
        const deadline = performance.now() + 60_000 + 30_000 + 5_000;
        let unfinished = 0;
        do {
          await t.app.services.orderJournal.flush();
          const row = await base.db
            .selectFrom('order_log')
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .where('status', 'in', ['pending', 'sent', 'unknown'])
            .executeTakeFirstOrThrow();
          unfinished = Number(row.count);
          if (unfinished > 0) {
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        } while (unfinished > 0 && performance.now() < deadline);

        const accepted = answers.filter((answer) => answer.status === 200);
        const refused = answers.filter((answer) => answer.status !== 200);
        const byStatus = new Map<string, number>();
        for (const answer of refused) {
          byStatus.set(String(answer.status), (byStatus.get(String(answer.status)) ?? 0) + 1);
        }
        const acceptedIds = accepted.map((answer) => (answer.body as { orderid?: string }).orderid ?? '');
        const logRows = await base.db
          .selectFrom('order_log')
          .select(['id', 'status', 'broker_order_id', 'response'])
          .where('operation', '=', 'placeorder')
          .where('strategy', '=', 'fault')
          .execute();
        const rowsByOrderId = new Map<string, number>();
        for (const row of logRows) {
          if (row.status === 'accepted' && row.broker_order_id) {
            rowsByOrderId.set(row.broker_order_id, (rowsByOrderId.get(row.broker_order_id) ?? 0) + 1);
          }
        }
        const rowsByStatus = new Map<string, number>();
        for (const row of logRows) {
          rowsByStatus.set(row.status, (rowsByStatus.get(row.status) ?? 0) + 1);
        }
        const duplicates = [...rowsByOrderId.values()].filter((count) => count > 1).length;
        const sandboxOrders = await sql<{ orderid: string }>`
        select orderid from ${sql.table(`${database.sandboxSchema}.orders`)} where user_id = ${userId}`.execute(
          base.db,
        );
        const sandboxIds = new Set(sandboxOrders.rows.map((row) => row.orderid));
        const firstAcceptedAfterRestore = accepted
          .filter((answer) => answer.sentAt >= restoredAt)
          .reduce((first, answer) => Math.min(first, answer.answeredAt), Number.POSITIVE_INFINITY);
        // What the clients saw, in 5 s windows from the start (status: count).
        const timeline: string[] = [];
        for (let from = 0; from < LOAD_MS; from += 5_000) {
          const inWindow = answers.filter(
            (answer) => answer.answeredAt - startedAt >= from && answer.answeredAt - startedAt < from + 5_000,
          );
          const counts = new Map<string, number>();
          for (const answer of inWindow) {
            counts.set(String(answer.status), (counts.get(String(answer.status)) ?? 0) + 1);
          }
          timeline.push(
            `  ${from / 1000}-${from / 1000 + 5} s: ${JSON.stringify(Object.fromEntries(counts))}`,
          );
        }
        const slowest = answers.reduce((max, answer) => Math.max(max, answer.answeredAt - answer.sentAt), 0);

        process.stdout.write(
          `${[
            `requests: ${answers.length} in ${Math.round((performance.now() - startedAt) / 1000)} s`,
            `accepted: ${accepted.length}`,
            `refused: ${JSON.stringify(Object.fromEntries(byStatus))}`,
            `order-log rows: ${logRows.length} ${JSON.stringify(Object.fromEntries(rowsByStatus))}`,
            `duplicates: ${duplicates}`,
            `pending rows left: ${unfinished}`,
            `sandbox orders: ${sandboxIds.size} (not in the log as accepted: ${[...sandboxIds].filter((id) => !rowsByOrderId.has(id)).length})`,
            `connections dropped at the cut: ${droppedConnections}, refused while cut: ${proxy.refused}`,
            `first order accepted after restore: ${Math.round(firstAcceptedAfterRestore - restoredAt)} ms`,
            `slowest answer: ${Math.round(slowest)} ms`,
            `cut at ${Math.round((cutAt - startedAt) / 1000)} s for ${OUTAGE_MS / 1000} s; answers by time:`,
            ...timeline,
          ].join('\n')}\n`,
        );

        // Every answer clear: no hang, no 500, errors in the OpenAlgo shape.
        expect(answers.filter((answer) => answer.status === 'hung' || answer.status === 'network')).toEqual(
          [],
        );
        const unconfirmed = refused.filter((answer) => answer.status === 504);
        for (const answer of refused) {
          expect(isErrorShape(answer.body), JSON.stringify(answer.body)).toBe(true);
          if (answer.status === 504) {
            expect((answer.body as { message: string }).message).toBe(RECONCILE_MESSAGES.unconfirmed);
          } else {
            expect(
              answer.status === 503 || (Number(answer.status) >= 400 && Number(answer.status) < 500),
              JSON.stringify(answer),
            ).toBe(true);
          }
        }
        const unavailable = refused.filter((answer) => answer.status === 503);
        for (const answer of unavailable) {
          expect((answer.body as { message: string }).message).toBe(DATABASE_UNAVAILABLE_MESSAGE);
          expect(answer.retryAfter).toBe('1');
        }
        // The fault happened and was felt, and the api served before and after it.
        expect(cutAt).toBeGreaterThan(0);
        expect(unavailable.length).toBeGreaterThan(0);
        expect(accepted.filter((answer) => answer.answeredAt < cutAt).length).toBeGreaterThan(0);
        expect(firstAcceptedAfterRestore - restoredAt).toBeLessThan(5_000);
        // Exactly once: each accepted order has one accepted order-log row and a sandbox order.
        expect(new Set(acceptedIds).size).toBe(accepted.length);
        expect(duplicates).toBe(0);
        for (const id of acceptedIds) {
          expect(rowsByOrderId.get(id), id).toBe(1);
          expect(sandboxIds.has(id), id).toBe(true);
        }
        // Accepted rows beyond the accepted answers are unconfirmed placements found by
        // reconciliation; the sandbox holds exactly the orders the log says were accepted.
        const reconciled = (rowsByStatus.get('accepted') ?? 0) - accepted.length;
        expect(reconciled).toBeGreaterThanOrEqual(0);
        expect(reconciled).toBeLessThanOrEqual(unconfirmed.length);
        expect(sandboxIds.size).toBe(rowsByOrderId.size);
        for (const id of sandboxIds) {
          expect(rowsByOrderId.get(id), id).toBe(1);
        }
        // Nothing left unsettled; a row that is not accepted answered its client with a refusal.
        expect(unfinished).toBe(0);
        expect(logRows.length - accepted.length).toBeLessThanOrEqual(refused.length);
      },
      LOAD_MS + 160_000,
    );
  },
);
