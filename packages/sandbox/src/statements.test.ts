import { createTestDatabase, testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from './core.js';
import { createTestSandbox, orderRequest, type TestSandbox } from './test-support.js';
import { testInstrument } from './testing/index.js';

const SBIN = testInstrument('SBIN', 'NSE');
const INFY = testInstrument('INFY', 'NSE');

/**
 * The round trips of the analyzer's hot path. A marketable placement is one transaction of
 * three round trips: the funds row and the position locked together (the transaction's
 * BEGIN travels with it), the order stored already complete with its trade, position, funds
 * and journal, COMMIT. A second transaction (a second COMMIT) or another statement fails here.
 */
describe.each(testBackends())('sandbox statements per order on %s', (backend) => {
  let t: TestSandbox;
  const statements: string[] = [];
  const events: SandboxEvent[] = [];
  const userId = 501;

  beforeAll(async () => {
    const database = await createTestDatabase(backend, { onStatement: (text) => statements.push(text) });
    t = await createTestSandbox(backend, { database });
    t.sandbox.onEvent((event) => events.push(event));
    t.ticks.tick('NSE', 'SBIN', { ltp: 500, bid: 499.9, ask: 500.1 });
    t.ticks.tick('NSE', 'INFY', { ltp: 1500, bid: 1499.5, ask: 1500.5 });
    // The account's first order creates its funds row and fetches a block of order ids.
    await t.sandbox.orders.placeOrder(orderRequest(SBIN, { quantity: 1, product: 'CNC' }), t.context(userId));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await t?.database.close();
  });

  function shapeOf(text: string): string {
    const sql = text.trim().toLowerCase();
    if (sql === 'begin' || sql === 'commit') {
      return sql;
    }
    if (sql.startsWith('select') && /for update/.test(sql)) {
      return `lock ${[...sql.matchAll(/from "[^"]+"\."(\w+)"/g)].map((match) => match[1]).join('+')}`;
    }
    if (sql.startsWith('with')) {
      return `write ${[...sql.matchAll(/(?:insert into|update) "[^"]+"\."(\w+)"/g)].map((match) => match[1]).join('+')}`;
    }
    return sql.slice(0, 60);
  }

  it('a MARKET order that adds to a position: one lock, one write, commit', async () => {
    statements.length = 0;
    events.length = 0;
    const placed = await t.sandbox.orders.placeOrder(
      orderRequest(SBIN, { quantity: 4, product: 'CNC' }),
      t.context(userId),
    );
    expect(statements.map(shapeOf)).toEqual([
      'lock funds+positions',
      'write trades+positions+funds+ledger+orders',
      'commit',
    ]);
    // Each table's rows travel as one JSON parameter: a handful of parameters, whatever the
    // columns (PostgreSQL then runs the write as a prepared statement).
    const placeholders = [...(statements[1] ?? '').matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
    expect(Math.max(...placeholders)).toBeLessThanOrEqual(8);
    const row = await t.sandbox.views.orderStatus(userId, placed.orderId);
    expect(row).toMatchObject({ order_status: 'complete', average_price: 500.1, filled_quantity: 4 });
    // Subscribers still see the order open, then complete.
    expect(
      events.flatMap((event) => (event.type === 'order_update' ? [event.order.order_status] : [])),
    ).toEqual(['open', 'complete']);
    expect(events.filter((event) => event.type === 'order_filled')).toHaveLength(1);
  });

  it('a MARKET order that opens a position, and one that closes it, cost the same three', async () => {
    for (const action of ['BUY', 'SELL'] as const) {
      statements.length = 0;
      await t.sandbox.orders.placeOrder(
        orderRequest(INFY, { action, quantity: 2, product: 'MIS' }),
        t.context(userId),
      );
      expect(statements.map(shapeOf)).toEqual([
        'lock funds+positions',
        'write trades+positions+funds+ledger+orders',
        'commit',
      ]);
    }
    const book = await t.sandbox.views.positionBook(userId);
    expect(book.data.find((position) => position.symbol === 'INFY')).toMatchObject({ quantity: 0 });
    const report = await t.sandbox.reconcile(userId);
    expect(report.problems).toEqual([]);
  });
});
