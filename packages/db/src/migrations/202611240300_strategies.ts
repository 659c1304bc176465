import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('strategies')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('platform', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('webhook', 'chartink')`))
    .addColumn('webhook_id', 'text', (column) => column.notNull().unique())
    .addColumn('is_active', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('is_intraday', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('trading_mode', 'text', (column) =>
      column.notNull().defaultTo('LONG').check(sql`trading_mode in ('LONG', 'SHORT', 'BOTH')`),
    )
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('squareoff_time', 'text')
    .addColumn('last_squareoff_date', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('strategies_user_name_key')
    .on('strategies')
    .columns(['user_id', 'name'])
    .unique()
    .execute();

  await db.schema
    .createTable('strategy_symbols')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('strategy_id', 'integer', (column) =>
      column.notNull().references('strategies.id').onDelete('cascade'),
    )
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('quantity', 'integer', (column) => column.notNull().check(sql`quantity > 0`))
    .addColumn('product', 'text', (column) => column.notNull().check(sql`product in ('CNC', 'NRML', 'MIS')`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('strategy_symbols_key')
    .on('strategy_symbols')
    .columns(['strategy_id', 'symbol', 'exchange'])
    .unique()
    .execute();

  // Every alert is stored before it is acknowledged, then processed; the outcome is kept.
  await db.schema
    .createTable('strategy_alerts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('strategy_id', 'integer', (column) =>
      column.notNull().references('strategies.id').onDelete('cascade'),
    )
    .addColumn('received_at', 'timestamptz', (column) => column.notNull())
    .addColumn('payload', 'jsonb', (column) => column.notNull())
    .addColumn('dedupe_key', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .check(
          sql`status in ('received', 'processing', 'executed', 'partial', 'rejected', 'failed', 'expired', 'duplicate', 'ignored')`,
        ),
    )
    .addColumn('outcome', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('processed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('strategy_alerts_strategy_idx')
    .on('strategy_alerts')
    .columns(['strategy_id', 'received_at'])
    .execute();
  await db.schema
    .createIndex('strategy_alerts_dedupe_idx')
    .on('strategy_alerts')
    .columns(['strategy_id', 'dedupe_key', 'received_at'])
    .execute();
  await db.schema
    .createIndex('strategy_alerts_unprocessed_idx')
    .on('strategy_alerts')
    .column('received_at')
    .where(sql.ref('status'), 'in', ['received', 'processing'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('strategy_alerts').ifExists().execute();
  await db.schema.dropTable('strategy_symbols').ifExists().execute();
  await db.schema.dropTable('strategies').ifExists().execute();
}
