import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from './create-database.js';
import { MAX_PREPARED_PARAMETERS } from './postgres-driver.js';
import { createTestDatabase, type TestDatabase, testBackends } from './testing.js';

/**
 * On PostgreSQL, statements with parameters run as named prepared statements: once described,
 * each execution is one round trip and skips parsing. Long parameter lists stay unnamed, and
 * the setting turns it off for poolers that cannot follow prepared statements.
 */

const postgresOnly = testBackends().filter((kind) => kind === 'postgres');

describe.each(postgresOnly)('prepared statements on %s', (kind) => {
  let base: TestDatabase;
  const handles: DatabaseHandle[] = [];

  /** One connection, so every statement and `pg_prepared_statements` share one session. */
  async function open(preparedStatements?: boolean): Promise<DatabaseHandle> {
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

  it('prepares nothing when turned off', async () => {
    const handle = await open(false);
    for (const id of [1, 2]) {
      await sql`select label /* marker-c */ from prepared_rows where id = ${id}`.execute(handle.db);
    }
    expect(await executions(handle, 'marker-c')).toEqual([]);
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
