import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  // One bot per installation (single row, id = 1).
  await db.schema
    .createTable('telegram_bot')
    .addColumn('id', 'integer', (column) => column.primaryKey().check(sql`id = 1`))
    .addColumn('token_enc', 'text')
    .addColumn('bot_username', 'text')
    .addColumn('is_active', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('polling_mode', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('webhook_url', 'text')
    .addColumn('broadcast_enabled', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('rate_limit_per_minute', 'integer', (column) => column.notNull().defaultTo(30))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('telegram_users')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('telegram_id', 'bigint', (column) => column.notNull().unique())
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('telegram_username', 'text')
    .addColumn('broker', 'text')
    .addColumn('notifications_enabled', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('order_notifications', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('trade_notifications', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('pnl_notifications', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('daily_summary', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('summary_time', 'text')
    .addColumn('language', 'text', (column) => column.notNull().defaultTo('en'))
    .addColumn('timezone', 'text', (column) => column.notNull().defaultTo('Asia/Kolkata'))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('last_command_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('telegram_users_user_idx').on('telegram_users').column('user_id').execute();

  await db.schema
    .createTable('telegram_command_log')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('telegram_id', 'bigint', (column) => column.notNull())
    .addColumn('command', 'text', (column) => column.notNull())
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('telegram_command_log_at_idx')
    .on('telegram_command_log')
    .column('at')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('telegram_command_log').ifExists().execute();
  await db.schema.dropTable('telegram_users').ifExists().execute();
  await db.schema.dropTable('telegram_bot').ifExists().execute();
}
