import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testBackends } from './testing.js';

/**
 * A transaction's BEGIN travels with its first statement (one round trip less per
 * transaction) and still opens the transaction before that statement runs.
 */
describe.each(testBackends())('transactions on %s', (backend) => {
  let handle: TestDatabase;
  const statements: string[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase(backend, { onStatement: (text) => statements.push(text) });
    await sql`create table tx_probe (id integer primary key, note text not null)`.execute(handle.db);
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  const notes = async () =>
    (await sql<{ id: number }>`select id from tx_probe order by id`.execute(handle.db)).rows.map(
      (row) => row.id,
    );

  it('costs its statements and a COMMIT, no round trip of its own for BEGIN', async () => {
    statements.length = 0;
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into tx_probe values (1, 'a')`.execute(trx);
      await sql`insert into tx_probe values (2, 'b')`.execute(trx);
    });
    expect(statements.map((text) => text.trim())).toEqual([
      "insert into tx_probe values (1, 'a')",
      "insert into tx_probe values (2, 'b')",
      'commit',
    ]);
    expect(await notes()).toEqual([1, 2]);
  });

  it('the first statement already runs inside the transaction: a rollback undoes it', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into tx_probe values (3, 'c')`.execute(trx);
        // The insert was given a transaction id; a statement of the same transaction
        // sees it, one autocommitted after the insert's own transaction would not.
        const open = await sql<{
          open: boolean;
        }>`select pg_current_xact_id_if_assigned() is not null as open`.execute(trx);
        expect(open.rows[0]?.open).toBe(true);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await notes()).toEqual([1, 2]);
  });

  it('a failing first statement rolls back cleanly, and the connection serves the next transaction', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into tx_probe values (1, 'duplicate')`.execute(trx);
      }),
    ).rejects.toThrow();
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into tx_probe values (4, 'd')`.execute(trx);
    });
    expect(await notes()).toEqual([1, 2, 4]);
  });

  it('a transaction that starts with a streamed query streams inside it', async () => {
    const held = await handle.db.transaction().execute(async (trx) => {
      const ids: number[] = [];
      for await (const row of trx
        .selectFrom(sql<{ id: number }>`tx_probe`.as('p'))
        .select(sql<number>`id`.as('id'))
        .where(sql<boolean>`id = 1`)
        .forUpdate()
        .stream(1)) {
        ids.push(row.id);
      }
      expect(ids).toEqual([1]);
      if (backend === 'pglite') {
        return true;
      }
      // The row the stream locked stays locked until this transaction ends.
      return handle.db
        .transaction()
        .execute((other) => sql`select id from tx_probe where id = 1 for update nowait`.execute(other))
        .then(
          () => false,
          () => true,
        );
    });
    expect(held).toBe(true);
  });

  it('an empty transaction sends nothing; the isolation level still applies to a real one', async () => {
    statements.length = 0;
    expect(await handle.db.transaction().execute(async () => 'nothing')).toBe('nothing');
    expect(statements).toEqual([]);
    const level = await handle.db
      .transaction()
      .setIsolationLevel('serializable')
      .execute(
        async (trx) =>
          (
            await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(
              trx,
            )
          ).rows[0]?.level,
      );
    expect(level).toBe('serializable');
  });
});
