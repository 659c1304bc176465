import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { JsonValue } from '../tables/broker-sessions.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function getSetting(db: Executor, key: string): Promise<JsonValue | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function putSetting(db: Executor, key: string, value: JsonValue): Promise<void> {
  const json = jsonb(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updated_at: new Date() })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: json, updated_at: new Date() }))
    .execute();
}
