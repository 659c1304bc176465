import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { BrokerSessionRow, NewBrokerSessionRow } from '../tables/broker-sessions.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Stores a new session and revokes the user's previous ones, in one transaction. */
export async function replaceBrokerSession(
  db: Kysely<Database>,
  row: NewBrokerSessionRow,
): Promise<BrokerSessionRow> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('broker_sessions')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', row.user_id)
      .where('revoked_at', 'is', null)
      .execute();
    return trx
      .insertInto('broker_sessions')
      .values({ ...row, metadata: jsonb(row.metadata ?? {}) })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** The live (not revoked, not expired) session of a user, if any. */
export async function findActiveBrokerSession(
  db: Executor,
  userId: number,
  now: Date,
): Promise<BrokerSessionRow | undefined> {
  return db
    .selectFrom('broker_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function revokeBrokerSessions(db: Executor, userId: number, at: Date): Promise<number> {
  const result = await db
    .updateTable('broker_sessions')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
