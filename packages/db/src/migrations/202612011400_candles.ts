import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  // The local history store behind `/history` with `source=db`, filled from broker history.
  await db.schema
    .createTable('candles')
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('interval', 'text', (column) => column.notNull())
    // Bar start, epoch seconds (daily and longer bars at 00:00 UTC of the IST trading date).
    .addColumn('time', 'bigint', (column) => column.notNull())
    .addColumn('open', 'numeric', (column) => column.notNull())
    .addColumn('high', 'numeric', (column) => column.notNull())
    .addColumn('low', 'numeric', (column) => column.notNull())
    .addColumn('close', 'numeric', (column) => column.notNull())
    .addColumn('volume', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('oi', 'bigint', (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('candles_pkey', ['symbol', 'exchange', 'interval', 'time'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('candles').execute();
}
