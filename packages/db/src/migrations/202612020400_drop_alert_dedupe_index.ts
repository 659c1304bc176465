import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  // Duplicates are found through strategy_alert_dedupe now. This index served the old lookup
  // only; every alert paid for it, and a dedupe key (the whole payload of an alert that did
  // not parse) larger than an index row could hold refused the alert.
  await db.schema.dropIndex('strategy_alerts_dedupe_idx').ifExists().execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('strategy_alerts_dedupe_idx')
    .on('strategy_alerts')
    .columns(['strategy_id', 'dedupe_key', 'received_at'])
    .execute();
}
