import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { ApiKeyRow, NewApiKeyRow, OrderMode } from '../tables/api-keys.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function insertApiKey(db: Executor, row: NewApiKeyRow): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

/** An index lookup on the peppered hash: never a scan, never the key itself. */
export async function findActiveApiKeyByHash(db: Executor, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function findActiveApiKeyForUser(db: Executor, userId: number): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Revokes every active key of a user; returns the revoked rows (their hashes leave caches). */
export async function revokeApiKeysOfUser(db: Executor, userId: number, at: Date): Promise<ApiKeyRow[]> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .execute();
}

export async function setApiKeyOrderMode(db: Executor, id: number, mode: OrderMode): Promise<void> {
  await db.updateTable('api_keys').set({ order_mode: mode }).where('id', '=', id).execute();
}

export async function touchApiKeys(db: Executor, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', ids).execute();
}
