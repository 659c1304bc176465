import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  // Which api process is executing an alert: start-up recovery in one process must not run
  // again what another, still alive, is executing (several api instances on one database).
  await db.schema.alterTable('strategy_alerts').addColumn('claimed_by', 'text').execute();
  // Each api process on a shared database says it is alive here, every few seconds.
  await db.schema
    .createTable('api_instances')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('started_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('heartbeat_at', 'timestamptz', (column) => column.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_instances').execute();
  await db.schema.alterTable('strategy_alerts').dropColumn('claimed_by').execute();
}
