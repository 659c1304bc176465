import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_orders')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('api_type', 'text', (column) =>
      column
        .notNull()
        .check(
          sql`api_type in ('placeorder', 'smartorder', 'basketorder', 'splitorder', 'optionsorder', 'optionsmultiorder', 'placegttorder')`,
        ),
    )
    .addColumn('order_data', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'executing', 'executed', 'failed', 'rejected', 'expired')`),
    )
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('approved_at', 'timestamptz')
    .addColumn('approved_by', 'text')
    .addColumn('rejected_at', 'timestamptz')
    .addColumn('rejected_by', 'text')
    .addColumn('rejected_reason', 'text')
    .addColumn('executed_at', 'timestamptz')
    .addColumn('execution_mode', 'text')
    .addColumn('broker_order_id', 'text')
    .addColumn('broker_status', 'text')
    .addColumn('result', 'jsonb')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('pending_orders_user_status_idx')
    .on('pending_orders')
    .columns(['user_id', 'status'])
    .execute();
  await db.schema
    .createIndex('pending_orders_created_idx')
    .on('pending_orders')
    .column('created_at')
    .execute();
  await db.schema
    .createIndex('pending_orders_due_idx')
    .on('pending_orders')
    .column('expires_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('pending_order_events')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('pending_order_id', 'integer', (column) => column.notNull())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('detail', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('pending_order_events_order_idx')
    .on('pending_order_events')
    .columns(['pending_order_id', 'id'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pending_order_events').ifExists().execute();
  await db.schema.dropTable('pending_orders').ifExists().execute();
}
