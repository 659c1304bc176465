import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from './create-database.js';
import { MAX_PREPARED_PARAMETERS } from './postgres-driver.js';
import { createTestDatabase, type TestDatabase, testBackends } from './testing.js';

/**
 * Statements with parameters run as named prepared statements: once described, each execution
 * is one round trip (PostgreSQL) or one call into the engine (PGlite), and none is parsed
 * again. Long parameter lists stay unnamed, and on PostgreSQL the setting turns it off for
 * poolers that cannot follow prepared statements.
 */

describe.each(testBackends())('prepared statements on %s', (kind) => {
  let base: TestDatabase;
  const handles: DatabaseHandle[] = [];

  /**
   * One session, so every statement and `pg_prepared_statements` share it: PGlite has only
   * one; on PostgreSQL a handle of one connection.
   */
  async function open(preparedStatements?: boolean): Promise<DatabaseHandle> {
    if (kind === 'pglite') {
      return base;
    }
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error('DATABASE_URL is not set');
    }
    const handle = await createDatabase({
      url,
      schema: base.schema ?? undefined,
      maxConnections: 1,
      preparedStatements,
    });
    handles.push(handle);
    return handle;
  }

  /** Executions of the prepared statements whose text contains `marker`, on this session. */
  async function executions(handle: DatabaseHandle, marker: string): Promise<number[]> {
    const result = await sql<{ runs: number }>`
      select (generic_plans + custom_plans)::int as runs from pg_prepared_statements
      where strpos(statement, ${marker}) > 0`.execute(handle.db);
    return result.rows.map((row) => row.runs);
  }

  beforeAll(async () => {
    base = await createTestDatabase(kind);
    await sql`create table prepared_rows (id int primary key, label text)`.execute(base.db);
    await sql`insert into prepared_rows values (1, 'one'), (2, 'two')`.execute(base.db);
  });

  afterAll(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
    await base?.close();
  });

  it('prepares a statement once and runs it again by name', async () => {
    const handle = await open();
    const labels: string[] = [];
    for (const id of [1, 2, 1]) {
      const row = await handle.db
        .selectFrom('prepared_rows' as never)
        .select(sql<string>`label /* marker-a */`.as('label'))
        .where(sql.ref('id'), '=', id)
        .executeTakeFirstOrThrow();
      labels.push(row.label);
    }
    expect(labels).toEqual(['one', 'two', 'one']);
    // One statement, executed three times: described and parsed once.
    expect(await executions(handle, 'marker-a')).toEqual([3]);
  });

  it('runs long parameter lists unnamed', async () => {
    const handle = await open();
    const ids = Array.from({ length: MAX_PREPARED_PARAMETERS + 1 }, (_, index) => index + 1);
    const rows = await handle.db
      .selectFrom('prepared_rows' as never)
      .select(sql<number>`id /* marker-b */`.as('id'))
      .where(sql.ref('id'), 'in', ids)
      .execute();
    expect(rows.map((row) => row.id).sort()).toEqual([1, 2]);
    expect(await executions(handle, 'marker-b')).toEqual([]);
  });

  if (kind === 'postgres') {
    // PGlite has no such setting: its one session is ours alone.
    it('prepares nothing when turned off', async () => {
      const handle = await open(false);
      for (const id of [1, 2]) {
        await sql`select label /* marker-c */ from prepared_rows where id = ${id}`.execute(handle.db);
      }
      expect(await executions(handle, 'marker-c')).toEqual([]);
    });
  }

  it('keeps no statement that failed to parse, and the session goes on', async () => {
    const handle = await open();
    const broken = sql`select label /* marker-e */ from prepared_rows where id = ${1} and and`.execute(
      handle.db,
    );
    await expect(broken).rejects.toMatchObject({ code: '42601' });
    expect(await executions(handle, 'marker-e')).toEqual([]);
    const row = await sql<{ label: string }>`select label from prepared_rows where id = ${2}`.execute(
      handle.db,
    );
    expect(row.rows).toEqual([{ label: 'two' }]);
  });

  it('binds each value by its parameter type, the same on every run', async () => {
    const handle = await open();
    const at = new Date('2026-12-02T09:15:00.000Z');
    const read = (flag: boolean) =>
      sql<{ a: string; b: boolean; c: Date; d: number[]; e: string | null }>`
        select ${JSON.stringify({ a: 'x' })}::text::jsonb ->> 'a' as a, ${flag}::boolean as b,
          ${at}::timestamptz as c, ${[3, 4]}::int[] as d, ${null}::text as e /* marker-f */`.execute(
        handle.db,
      );
    for (const flag of [true, false]) {
      const result = await read(flag);
      expect(result.rows).toEqual([{ a: 'x', b: flag, c: at, d: [3, 4], e: null }]);
    }
    expect(await executions(handle, 'marker-f')).toEqual([2]);
  });

  it('a failed statement in a transaction rolls it back; the next one starts clean', async () => {
    const handle = await open();
    const failed = handle.db.transaction().execute(async (trx) => {
      await sql`insert into prepared_rows values (${10}, ${'ten'})`.execute(trx);
      await sql`insert into prepared_rows values (${1}, ${'duplicate'})`.execute(trx);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into prepared_rows values (${11}, ${'eleven'})`.execute(trx);
    });
    const rows = await sql<{
      id: number;
    }>`select id from prepared_rows where id >= ${10} order by id`.execute(handle.db);
    expect(rows.rows).toEqual([{ id: 11 }]);
  });

  it('a prepared statement follows a change of its table', async () => {
    const handle = await open();
    const read = () =>
      sql<Record<string, unknown>>`select * /* marker-d */ from prepared_rows where id = ${1}`.execute(
        handle.db,
      );
    await read();
    await read();
    await sql`alter table prepared_rows add column note text default 'added'`.execute(base.db);
    const after = await read();
    expect(after.rows[0]).toEqual({ id: 1, label: 'one', note: 'added' });
  });
});
