import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle, reconnectBackoffSeconds } from './create-database.js';
import { isDatabaseUnavailable } from './errors.js';
import { DatabaseTimeoutError } from './postgres-driver.js';
import type { TcpProxy } from './tcp-proxy.js';
import { createTestDatabase, startPostgresProxy, type TestDatabase, testBackends } from './testing.js';

/**
 * PostgreSQL behind a loopback proxy that drops and refuses connections: the pool answers
 * promptly with "unavailable" errors while the database is away, never hangs, never runs a
 * transaction's statements outside it, and serves again as soon as the database is back.
 */

const CONNECT_TIMEOUT_MS = 1_000;

describe('reconnect backoff', () => {
  it('starts small and never exceeds one second', () => {
    expect(reconnectBackoffSeconds(1)).toBeLessThanOrEqual(0.05);
    for (let attempt = 1; attempt < 40; attempt += 1) {
      const seconds = reconnectBackoffSeconds(attempt);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(1);
    }
  });

  it('an acquire deadline reads as the database being unavailable', () => {
    expect(isDatabaseUnavailable(new DatabaseTimeoutError('no connection'))).toBe(true);
  });
});

const postgresOnly = testBackends().filter((kind) => kind === 'postgres');

describe.each(postgresOnly)('a dropped connection on %s', (kind) => {
  let base: TestDatabase;
  let proxy: TcpProxy;
  let proxiedUrl: string;
  const handles: DatabaseHandle[] = [];

  async function openThroughProxy(maxConnections: number, queryTimeoutMs?: number): Promise<DatabaseHandle> {
    const handle = await createDatabase({
      url: proxiedUrl,
      schema: base.schema ?? undefined,
      maxConnections,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      queryTimeoutMs,
    });
    handles.push(handle);
    return handle;
  }

  const ping = (handle: DatabaseHandle) =>
    sql<{ one: number }>`select 1 as one`.execute(handle.db).then((result) => result.rows[0]?.one);

  /** The first query that succeeds after a restore (each attempt settles by itself). */
  async function untilServed(handle: DatabaseHandle): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ping(handle);
        return attempt;
      } catch (error) {
        expect(isDatabaseUnavailable(error), String(error)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  beforeAll(async () => {
    base = await createTestDatabase(kind);
    ({ proxy, url: proxiedUrl } = await startPostgresProxy());
    await sql`create table fault_rows (id int primary key)`.execute(base.db);
  });

  afterEach(async () => {
    proxy.restore();
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
    await sql`delete from fault_rows`.execute(base.db);
  });

  afterAll(async () => {
    await proxy?.stop();
    await base?.close();
  });

  it('queries while connections are refused fail as unavailable, then the pool serves again', async () => {
    const handle = await openThroughProxy(4);
    expect(await ping(handle)).toBe(1);
    proxy.cut();
    const during = await Promise.allSettled(Array.from({ length: 12 }, () => ping(handle)));
    for (const result of during) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') {
        expect(isDatabaseUnavailable(result.reason), String(result.reason)).toBe(true);
      }
    }
    proxy.restore();
    await untilServed(handle);
    const after = await Promise.all(Array.from({ length: 12 }, () => ping(handle)));
    expect(after).toEqual(Array.from({ length: 12 }, () => 1));
  });

  it('a connection dropped while it fetches its types leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // postgres.js asks for the array types right after connecting, from a handler nobody
      // awaits: the connection is cut the moment that query leaves.
      proxy.cutWhen((chunk) => chunk.includes('typarray'), { isForwarded: false });
      try {
        await ping(await openThroughProxy(2));
      } catch (error) {
        expect(isDatabaseUnavailable(error), String(error)).toBe(true);
      }
      proxy.restore();
      const handle = await openThroughProxy(2);
      await untilServed(handle);
      // Let a rejection nobody handled reach the process before looking.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a fresh pool that cannot connect answers unavailable instead of retrying forever', async () => {
    proxy.cut();
    await expect(
      createDatabase({ url: proxiedUrl, maxConnections: 2, connectTimeoutMs: CONNECT_TIMEOUT_MS }),
    ).rejects.toSatisfy(isDatabaseUnavailable);
    expect(proxy.refused).toBeGreaterThan(0);
  });

  it('a transaction whose connection dropped never runs its later statements outside it', async () => {
    const handle = await openThroughProxy(2);
    let afterDrop: unknown = null;
    const transaction = handle.db.transaction().execute(async (trx) => {
      await sql`insert into fault_rows (id) values (1)`.execute(trx);
      proxy.cut();
      proxy.restore();
      // Another caller gets the reconnected connection meanwhile.
      await ping(handle).catch(() => undefined);
      try {
        await sql`insert into fault_rows (id) values (2)`.execute(trx);
      } catch (error) {
        afterDrop = error;
        throw error;
      }
    });
    await expect(transaction).rejects.toSatisfy(isDatabaseUnavailable);
    expect(isDatabaseUnavailable(afterDrop), String(afterDrop)).toBe(true);
    await untilServed(handle);
    const rows = await sql<{ id: number }>`select id from fault_rows order by id`.execute(base.db);
    expect(rows.rows).toEqual([]);
    // The pool is whole: as many concurrent transactions as connections complete.
    const done = await Promise.all(
      [10, 11, 12, 13].map((id) =>
        handle.db.transaction().execute(async (trx) => {
          await sql`insert into fault_rows (id) values (${id})`.execute(trx);
          return id;
        }),
      ),
    );
    expect(done).toEqual([10, 11, 12, 13]);
  });

  it('a query waiting for a connection when the connections drop is answered, and the pool recovers', async () => {
    const handle = await openThroughProxy(1);
    expect(await ping(handle)).toBe(1);
    let release: () => void = () => undefined;
    const held = handle.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      await sql`select 1`.execute(trx);
    });
    // Queued behind the only connection.
    const waiting = ping(handle);
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.cut();
    proxy.restore();
    release();
    await expect(held).rejects.toSatisfy(isDatabaseUnavailable);
    const waited = await waiting.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (waited.ok) {
      expect(waited.value).toBe(1);
    } else {
      expect(isDatabaseUnavailable(waited.error), String(waited.error)).toBe(true);
    }
    await untilServed(handle);
    expect(await Promise.all([ping(handle), ping(handle), ping(handle)])).toEqual([1, 1, 1]);
  });
  it('a transaction whose connection is reset mid-statement is answered at once, not at the query deadline', async () => {
    // A reset reaches postgres.js as an error first and a close later: the rollback Kysely
    // sends when the statement fails goes out in between, and must fail with the connection
    // rather than wait for an answer that cannot come (the account's lane waited 30 s).
    const handle = await openThroughProxy(1, 60_000);
    expect(await ping(handle)).toBe(1);
    const transaction = handle.db.transaction().execute(async (trx) => {
      await sql`insert into fault_rows (id) values (1)`.execute(trx);
      await sql`select pg_sleep(2)`.execute(trx);
    });
    setTimeout(() => proxy.cut({ reset: true }), 200);
    const outcome = await Promise.race([
      transaction.then(
        () => 'committed',
        (error: unknown) => (isDatabaseUnavailable(error) ? 'unavailable' : String(error)),
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000)),
    ]);
    expect(outcome).toBe('unavailable');
    proxy.restore();
    await untilServed(handle);
    expect(await Promise.all([ping(handle), ping(handle)])).toEqual([1, 1]);
    const rows = await sql<{ id: number }>`select id from fault_rows`.execute(base.db);
    expect(rows.rows).toEqual([]);
  });

  it('a statement unanswered within the query deadline fails as unavailable and its connection is replaced', async () => {
    const handle = await openThroughProxy(1, 300);
    expect(await ping(handle)).toBe(1);
    await expect(sql`select pg_sleep(5)`.execute(handle.db)).rejects.toSatisfy(isDatabaseUnavailable);
    // The only connection was ended, not handed back busy: the pool serves at once.
    expect(await ping(handle)).toBe(1);
    const done = await handle.db.transaction().execute(async (trx) => {
      await sql`insert into fault_rows (id) values (20)`.execute(trx);
      return 'committed';
    });
    expect(done).toBe('committed');
  });
});
