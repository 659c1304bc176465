import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  // The request that queued an order (a strategy alert's id for webhook orders): the order
  // placed on approval carries it into the order log, so it stays linked to its alert.
  await db.schema.alterTable('pending_orders').addColumn('request_id', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pending_orders').dropColumn('request_id').execute();
}
