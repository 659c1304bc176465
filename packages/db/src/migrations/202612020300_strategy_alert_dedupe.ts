import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  // The last alert of each (strategy, dedupe key) that was not a duplicate: an alert is stored
  // with one statement that claims this row (insert, or update when the window has passed),
  // so two deliveries racing in different processes can never both execute. Keyed by the
  // SHA-256 of the dedupe key (hex), which can be as long as the payload.
  await db.schema
    .createTable('strategy_alert_dedupe')
    .addColumn('strategy_id', 'integer', (column) =>
      column.notNull().references('strategies.id').onDelete('cascade'),
    )
    .addColumn('key_hash', 'text', (column) => column.notNull())
    .addColumn('alert_id', 'text', (column) => column.notNull())
    .addColumn('last_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('strategy_alert_dedupe_pkey', ['strategy_id', 'key_hash'])
    .execute();
  // Alerts stored before this table existed still count within their window.
  await sql`
    insert into strategy_alert_dedupe (strategy_id, key_hash, alert_id, last_at)
    select distinct on (strategy_id, dedupe_key)
      strategy_id, encode(sha256(convert_to(dedupe_key, 'UTF8')), 'hex'), id, received_at
    from strategy_alerts
    where status <> 'duplicate'
    order by strategy_id, dedupe_key, received_at desc, id desc`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('strategy_alert_dedupe').ifExists().execute();
}
