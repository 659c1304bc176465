import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompleteOrderInput, type RecordOrderInput, recordOrders, sql } from '@openalgo/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@openalgo/db/testing';
import type { KyselyPlugin } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderJournal } from './order-journal.js';
import { OrderSpool, type OrderSpoolSync } from './order-spool.js';

const quiet = pino({ level: 'silent' });
const CRASH_CHILD = fileURLToPath(new URL('../../testing/spool-crash-child.ts', import.meta.url));

function order(id: string, idempotencyKey: string | null = null): RecordOrderInput {
  return {
    id,
    userId: 1,
    apiKeyId: 1,
    requestId: `req-${id}`,
    idempotencyKey,
    mode: 'live',
    broker: 'simulator',
    operation: 'placeorder',
    strategy: 'journal test',
    exchange: 'NSE',
    symbol: 'SBIN',
    request: { symbol: 'SBIN', quantity: '1' },
    createdAt: new Date(),
  };
}

/** The broker's acceptance of `id`, as order `B-<id>`. */
function acceptedOutcome(id: string): CompleteOrderInput {
  return {
    id,
    status: 'accepted',
    brokerOrderId: `B-${id}`,
    response: { http_status: 200 },
    error: null,
    completedAt: new Date(),
  };
}

/** The spool's entries on disk, in order. */
function spoolLines(dir: string): Array<{ k: string; id: string }> {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { k: string; id: string });
}

/** Counts the statements a database handle runs. */
function statementCounter(): KyselyPlugin & { statements: number } {
  const counter = {
    statements: 0,
    transformQuery: (args: Parameters<KyselyPlugin['transformQuery']>[0]) => {
      counter.statements += 1;
      return args.node;
    },
    transformResult: async (args: Parameters<KyselyPlugin['transformResult']>[0]) => args.result,
  };
  return counter;
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(testBackends())('the order journal and its spool on %s', (kind) => {
  let database: TestDatabase;
  let dir: string;
  const journals: OrderJournal[] = [];
  let spool: OrderSpool;

  const open = (options: { flushIntervalMs?: number; plugin?: KyselyPlugin; sync?: OrderSpoolSync } = {}) => {
    // Segments recycled as soon as the database catches up, so the tests can watch the files.
    const opened = OrderSpool.open({ dir, sync: options.sync ?? 'os', logger: quiet, recycleBytes: 1 });
    if (!opened) {
      throw new Error('spool held');
    }
    spool = opened;
    const journal = new OrderJournal({
      db: options.plugin ? database.db.withPlugin(options.plugin) : database.db,
      logger: quiet,
      flushIntervalMs: options.flushIntervalMs ?? 60_000,
      spool,
    });
    journals.push(journal);
    return journal;
  };
  const rows = () =>
    database.db
      .selectFrom('order_log')
      .select(['id', 'status', 'broker_order_id', 'completed_at'])
      .orderBy('id')
      .execute();

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'openalgo-spool-'));
  });

  afterEach(async () => {
    for (const journal of journals.splice(0)) {
      await journal.close();
    }
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records an order in the spool before its row exists; the row follows and the spool empties', async () => {
    const journal = open();
    await spool.settled();
    expect(await journal.record(order('ord_a'))).toBe(true);
    // Durable on file, not yet in the database: nothing waited for a round trip.
    expect(spoolLines(dir)).toEqual([expect.objectContaining({ k: 'r', id: 'ord_a' })]);
    expect(await rows()).toEqual([]);
    await journal.flush();
    expect(await rows()).toEqual([expect.objectContaining({ id: 'ord_a', status: 'pending' })]);
    await spool.settled();
    expect(spoolLines(dir)).toEqual([]);
    await journals.pop()?.close();
    // A clean stop leaves nothing behind, not even the lock.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an outcome known before the row is written goes in with it, one statement for both', async () => {
    const counter = statementCounter();
    const journal = open({ plugin: counter });
    await journal.record(order('ord_b'));
    journal.complete({
      id: 'ord_b',
      status: 'accepted',
      brokerOrderId: 'B-7',
      response: { http_status: 200 },
      error: null,
      completedAt: new Date(),
    });
    await journal.flush();
    expect(counter.statements).toBe(1);
    const [row] = await rows();
    expect(row).toMatchObject({ id: 'ord_b', status: 'accepted', broker_order_id: 'B-7' });
    expect(row?.completed_at).toBeInstanceOf(Date);
  });

  it('spooled rows wait for the interval flush and go in complete, all in one statement', async () => {
    const counter = statementCounter();
    const journal = open({ plugin: counter, flushIntervalMs: 1_000 });
    for (const id of ['ord_w1', 'ord_w2', 'ord_w3']) {
      await journal.record(order(id));
      journal.complete(acceptedOutcome(id));
    }
    // Durable in the spool, outcomes known: still nothing written before the interval.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(counter.statements).toBe(0);
    expect(await rows()).toEqual([]);
    await until(async () => (await rows()).length === 3);
    expect((await rows()).map((row) => [row.id, row.status, row.broker_order_id])).toEqual([
      ['ord_w1', 'accepted', 'B-ord_w1'],
      ['ord_w2', 'accepted', 'B-ord_w2'],
      ['ord_w3', 'accepted', 'B-ord_w3'],
    ]);
    expect(counter.statements).toBe(1);
  });

  it('a flush ends while orders keep coming: it writes what was queued when it began', async () => {
    const journal = open();
    let isStreaming = true;
    let recorded = 0;
    const stream = (async () => {
      while (isStreaming) {
        const id = `ord_t${recorded}`;
        await journal.record(order(id));
        recorded += 1;
        journal.complete(acceptedOutcome(id));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const recordedBefore = recorded;
    const outcome = await Promise.race([
      journal.flush().then(() => 'flushed'),
      new Promise((resolve) => setTimeout(() => resolve('still draining'), 3_000)),
    ]);
    isStreaming = false;
    await stream;
    expect(outcome).toBe('flushed');
    const written = new Map((await rows()).map((row) => [row.id, row.status]));
    for (let index = 0; index < recordedBefore; index += 1) {
      expect(written.get(`ord_t${index}`)).toBe('accepted');
    }
  });

  it('a spooled row whose outcome does not come is written pending at the interval flush', async () => {
    const journal = open({ flushIntervalMs: 50 });
    await journal.record(order('ord_slow'));
    await until(async () => (await rows()).length > 0);
    expect(await rows()).toEqual([expect.objectContaining({ id: 'ord_slow', status: 'pending' })]);
  });

  it('an order waiting for its row is written at once, with the spooled rows still waiting for outcomes', async () => {
    const journal = open();
    await journal.record(order('ord_s1'));
    // Its row is the only proof its key was free: it must not wait for ord_s1's outcome.
    expect(await journal.record(order('ord_k9', 'key-9'))).toBe(true);
    expect((await rows()).map((row) => row.id)).toEqual(['ord_k9', 'ord_s1']);
  });

  it('a row already stored (an earlier insert committed, its answer lost) still gets the outcome that rode with it', async () => {
    const journal = open();
    await recordOrders(database.db, [order('ord_lost')]);
    await journal.record(order('ord_lost'));
    journal.complete({
      id: 'ord_lost',
      status: 'failed',
      brokerOrderId: null,
      response: { http_status: 503 },
      error: 'database unavailable',
      completedAt: new Date(),
    });
    await journal.flush();
    await journal.flush();
    expect(await rows()).toEqual([expect.objectContaining({ id: 'ord_lost', status: 'failed' })]);
  });

  it('an order with an idempotency key waits for its row, and a reused key is refused', async () => {
    const journal = open();
    const first = journal.record(order('ord_k1', 'key-1'));
    // Not spooled: its row is the only proof the key was free, across processes.
    expect(spoolLines(dir)).toEqual([]);
    expect(await first).toBe(true);
    expect(await rows()).toEqual([expect.objectContaining({ id: 'ord_k1' })]);
    expect(await journal.record(order('ord_k2', 'key-1'))).toBe(false);
  });

  it('keeps spooled rows while the database refuses them, and new orders wait for the database then', async () => {
    const journal = open();
    await sql`alter table order_log rename to order_log_away`.execute(database.db);
    expect(await journal.record(order('ord_c'))).toBe(true);
    await journal.flush();
    expect(journal.pendingRecords).toBe(1);
    // The database refused: the next order is not sent on the spool's word alone.
    await expect(journal.record(order('ord_d'))).rejects.toThrow();
    expect(spoolLines(dir).map((line) => line.id)).toEqual(['ord_c']);
    await sql`alter table order_log_away rename to order_log`.execute(database.db);
    // Retried with backoff, without anyone asking.
    await until(async () => (await rows()).length > 0);
    expect(await rows()).toEqual([expect.objectContaining({ id: 'ord_c', status: 'pending' })]);
    expect(journal.pendingRecords).toBe(0);
    // Healthy again: spooled, answered at once.
    await spool.settled();
    expect(await journal.record(order('ord_e'))).toBe(true);
    expect(spoolLines(dir).map((line) => line.id)).toEqual(['ord_e']);
  });

  it('with disk sync, the orders of one turn are told together once their lines are synced, and their rows follow', async () => {
    const journal = open({ sync: 'disk' });
    await spool.settled();
    const told: string[] = [];
    const ids = ['ord_d1', 'ord_d2', 'ord_d3'];
    const recorded = ids.map((id) =>
      journal.record(order(id)).then((isRecorded) => {
        // Told only once the line is in the file (and synced): never before.
        expect(spoolLines(dir).map((line) => line.id)).toContain(id);
        told.push(id);
        return isRecorded;
      }),
    );
    expect(await Promise.all(recorded)).toEqual([true, true, true]);
    expect(told).toEqual(ids);
    expect(await rows()).toEqual([]);
    journal.complete(acceptedOutcome('ord_d2'));
    await journal.flush();
    expect(await rows()).toEqual([
      expect.objectContaining({ id: 'ord_d1', status: 'pending' }),
      expect.objectContaining({ id: 'ord_d2', status: 'accepted', broker_order_id: 'B-ord_d2' }),
      expect.objectContaining({ id: 'ord_d3', status: 'pending' }),
    ]);
    // Later turns sync again: an order after the first batch is told too.
    expect(await journal.record(order('ord_d4'))).toBe(true);
    expect(spoolLines(dir).map((line) => line.id)).toContain('ord_d4');
  });

  it.each(['os', 'disk'] as const)(
    'writes at the next start what a killed process left in its spool (%s sync)',
    async (sync) => {
      const ids = ['ord_x1', 'ord_x2', 'ord_x3'];
      const child = spawn(process.execPath, ['--import', 'tsx', CRASH_CHILD, dir, sync, ...ids], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_, signal) => resolve(signal)),
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('\n')) {
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`child ended early: ${errors}`)));
      });
      // Its database refused the rows: all three are only in its spool.
      expect(output.trim()).toBe('recorded 3');
      // While it lives, the folder is its own.
      expect(OrderSpool.open({ dir, sync: 'os', logger: quiet })).toBeNull();
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const journal = open();
      expect(await journal.recover()).toEqual({
        records: 3,
        alreadyStored: 0,
        completions: 1,
        unreadable: 0,
      });
      expect(await rows()).toEqual([
        expect.objectContaining({ id: 'ord_x1', status: 'accepted', broker_order_id: 'B-1' }),
        expect.objectContaining({ id: 'ord_x2', status: 'pending' }),
        expect.objectContaining({ id: 'ord_x3', status: 'pending' }),
      ]);
      // Read back once: its files are gone, and a second recovery finds nothing.
      expect(spoolLines(dir)).toEqual([]);
      expect(await journal.recover()).toEqual({
        records: 0,
        alreadyStored: 0,
        completions: 0,
        unreadable: 0,
      });
    },
    60_000,
  );
});
