import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Every stored preference of a user, key → text. */
export async function getChartPreferences(db: Executor, userId: number): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('chart_preferences')
    .select(['key', 'value'])
    .where('user_id', '=', userId)
    .orderBy('key')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

/** Upserts the given keys; keys not given are kept. */
export async function upsertChartPreferences(
  db: Executor,
  userId: number,
  preferences: Readonly<Record<string, string>>,
  at: Date,
): Promise<void> {
  const rows = Object.entries(preferences).map(([key, value]) => ({
    user_id: userId,
    key,
    value,
    updated_at: at,
  }));
  if (rows.length === 0) {
    return;
  }
  await db
    .insertInto('chart_preferences')
    .values(rows)
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'key']).doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}
