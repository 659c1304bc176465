import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteWorkerDialect } from './pglite-dialect.js';
import { PGliteWorkerClient } from './pglite-worker.js';

/**
 * The embedded database's one session, shared by turns: a turn ends when its last message is
 * posted (the worker runs messages in order), so statements outside a transaction, and
 * whatever follows a COMMIT, are queued at the worker without waiting for earlier answers,
 * while a transaction's statements are never interleaved with anyone else's.
 */
describe('PGlite turns', () => {
  let client: PGliteWorkerClient;
  let db: Kysely<Record<string, never>>;
  /** Every statement as posted to the worker, and the most answers ever outstanding at once. */
  const posted: string[] = [];
  let outstanding = 0;
  let mostOutstanding = 0;

  beforeAll(async () => {
    client = await PGliteWorkerClient.open({});
    const query = client.query.bind(client);
    // Observes what is posted, and still runs it.
    client.query = async (text, parameters, before) => {
      posted.push(before ? `${before}; ${text}` : text);
      outstanding += 1;
      mostOutstanding = Math.max(mostOutstanding, outstanding);
      try {
        return await query(text, parameters, before);
      } finally {
        outstanding -= 1;
      }
    };
    db = new Kysely({ dialect: new PGliteWorkerDialect(client) });
    await sql`create table turns (id int primary key, note text)`.execute(db);
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
    await client?.close();
  });

  it('posts statements outside a transaction without waiting for earlier answers, answered in order', async () => {
    posted.length = 0;
    mostOutstanding = 0;
    const answers = await Promise.all(
      [1, 2, 3, 4].map((value) => sql<{ value: number }>`select ${value}::int as value`.execute(db)),
    );
    expect(answers.map((answer) => answer.rows[0]?.value)).toEqual([1, 2, 3, 4]);
    expect(posted).toHaveLength(4);
    expect(mostOutstanding).toBe(4);
  });

  it("keeps a transaction's statements together; what follows its COMMIT sees what it wrote", async () => {
    posted.length = 0;
    const transaction = db.transaction().execute(async (trx) => {
      await sql`insert into turns values (${1}, ${'first'})`.execute(trx);
      await sql`update turns set note = ${'second'} where id = ${1}`.execute(trx);
    });
    // Asked while the transaction runs: posted only once its COMMIT is.
    const reads = [1, 2].map(() => sql<{ note: string }>`select note from turns where id = ${1}`.execute(db));
    await transaction;
    const notes = (await Promise.all(reads)).map((read) => read.rows[0]?.note);
    expect(notes).toEqual(['second', 'second']);
    expect(posted.map((text) => text.split(' ')[0])).toEqual([
      'begin;',
      'update',
      'commit',
      'select',
      'select',
    ]);
  });

  it('a failed COMMIT ends the transaction: the next turn starts clean', async () => {
    await sql`create table deferred_turns (id int primary key, parent int references turns (id) deferrable initially deferred)`.execute(
      db,
    );
    const failed = db.transaction().execute(async (trx) => {
      await sql`insert into deferred_turns values (${1}, ${99})`.execute(trx);
    });
    const after = sql<{ count: number }>`select count(*)::int as count from deferred_turns`.execute(db);
    await expect(failed).rejects.toMatchObject({ code: '23503' });
    expect((await after).rows).toEqual([{ count: 0 }]);
  });
});
