/**
 * A process that records orders and then dies before their rows reach the database, for the
 * spool's crash test: its database refuses order-log writes (the table is renamed away), it
 * records the orders given on the command line through a spooled journal (in the sync mode
 * given), completes the first one, says `recorded` on stdout, and waits to be killed.
 */
import { sql } from '@openalgo/db';
import { createTestDatabase } from '@openalgo/db/testing';
import pino from 'pino';
import { OrderJournal } from '../services/orders/order-journal.js';
import { OrderSpool } from '../services/orders/order-spool.js';

const [dir, sync, ...ids] = process.argv.slice(2);
if (!dir || (sync !== 'os' && sync !== 'disk') || ids.length === 0) {
  throw new Error('usage: spool-crash-child <spool dir> <os|disk> <order id>...');
}
const logger = pino({ level: 'silent' });
const database = await createTestDatabase('pglite');
await sql`alter table order_log rename to order_log_away`.execute(database.db);
const spool = OrderSpool.open({ dir, sync, logger });
if (!spool) {
  throw new Error('spool held');
}
const journal = new OrderJournal({ db: database.db, logger, flushIntervalMs: 10, spool });
// All in one turn, so all are in the spool (and, with disk sync, synced) before the journal's
// first attempt to write their rows fails: after a failed write it stops spooling new orders.
const recorded = await Promise.all(
  ids.map((id) =>
    journal.record({
      id,
      userId: 1,
      apiKeyId: 1,
      requestId: `req-${id}`,
      idempotencyKey: null,
      mode: 'live',
      broker: 'simulator',
      operation: 'placeorder',
      strategy: 'crash',
      exchange: 'NSE',
      symbol: 'SBIN',
      request: { symbol: 'SBIN', quantity: '1' },
      createdAt: new Date(),
    }),
  ),
);
const unrecorded = ids.filter((_, index) => !recorded[index]);
if (unrecorded.length > 0) {
  throw new Error(`${unrecorded.join(', ')} not recorded`);
}
journal.complete({
  id: ids[0] as string,
  status: 'accepted',
  brokerOrderId: 'B-1',
  response: { http_status: 200 },
  error: null,
  completedAt: new Date(),
});
// Let the journal try (and fail) to write the rows, so the crash comes after a refused write,
// and let the spool write the outcome (it goes with the next record, or at the end of the turn).
await journal.flush();
await new Promise((resolve) => setImmediate(resolve));
process.stdout.write(`recorded ${journal.pendingRecords}\n`);
setInterval(() => undefined, 1_000);
