import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('username', 'text', (column) => column.notNull().unique())
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('is_admin', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('totp_secret_enc', 'text')
    .addColumn('totp_enabled', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('key_prefix', 'text', (column) => column.notNull())
    .addColumn('order_mode', 'text', (column) =>
      column.notNull().defaultTo('auto').check(sql`order_mode in ('auto', 'semi_auto')`),
    )
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('broker_sessions')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('broker', 'text', (column) => column.notNull())
    .addColumn('broker_user_id', 'text')
    .addColumn('access_token_enc', 'text', (column) => column.notNull())
    .addColumn('feed_token_enc', 'text')
    .addColumn('metadata', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('broker_sessions_active_idx')
    .on('broker_sessions')
    .columns(['user_id', 'created_at'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'jsonb', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('symbols')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('broker', 'text', (column) => column.notNull())
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('brsymbol', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('brexchange', 'text', (column) => column.notNull())
    .addColumn('token', 'text', (column) => column.notNull())
    .addColumn('expiry', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('expiry_date', 'date')
    .addColumn('strike', 'numeric', (column) => column.notNull().defaultTo(0))
    .addColumn('lotsize', 'integer', (column) => column.notNull().defaultTo(1))
    .addColumn('instrumenttype', 'text', (column) => column.notNull())
    .addColumn('tick_size', 'numeric', (column) => column.notNull())
    .addColumn('contract_value', 'numeric')
    .execute();
  // Exact lookups: symbol ↔ token, broker symbol ↔ our symbol.
  await db.schema
    .createIndex('symbols_symbol_exchange_key')
    .on('symbols')
    .columns(['symbol', 'exchange'])
    .unique()
    .execute();
  await db.schema
    .createIndex('symbols_brsymbol_exchange_idx')
    .on('symbols')
    .columns(['brsymbol', 'exchange'])
    .execute();
  await db.schema
    .createIndex('symbols_token_exchange_idx')
    .on('symbols')
    .columns(['token', 'exchange'])
    .execute();
  // Expiry lists and option chains: underlying name + exchange + type + expiry.
  await db.schema
    .createIndex('symbols_chain_idx')
    .on('symbols')
    .columns(['name', 'exchange', 'instrumenttype', 'expiry_date'])
    .execute();
  // Prefix search on the symbol text, and trigram (fuzzy) search on symbol and name.
  await sql`create index symbols_symbol_prefix_idx on symbols (symbol text_pattern_ops)`.execute(db);
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  await sql`create index symbols_symbol_trgm_idx on symbols using gin (symbol public.gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index symbols_name_trgm_idx on symbols using gin (name public.gin_trgm_ops)`.execute(db);

  await db.schema
    .createTable('order_log')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'integer')
    .addColumn('api_key_id', 'integer')
    .addColumn('request_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('mode', 'text', (column) => column.notNull().check(sql`mode in ('live', 'analyze')`))
    .addColumn('broker', 'text', (column) => column.notNull())
    .addColumn('operation', 'text', (column) => column.notNull())
    .addColumn('strategy', 'text')
    .addColumn('exchange', 'text')
    .addColumn('symbol', 'text')
    .addColumn('request', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'sent', 'accepted', 'rejected', 'failed', 'unknown')`),
    )
    .addColumn('broker_order_id', 'text')
    .addColumn('response', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('order_log_idempotency_key')
    .on('order_log')
    .columns(['api_key_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();
  await db.schema.createIndex('order_log_created_idx').on('order_log').column('created_at').execute();
  await db.schema
    .createIndex('order_log_unfinished_idx')
    .on('order_log')
    .column('status')
    .where(sql.ref('status'), 'in', ['pending', 'sent', 'unknown'])
    .execute();
  await db.schema
    .createIndex('order_log_broker_order_idx')
    .on('order_log')
    .column('broker_order_id')
    .execute();

  await db.schema
    .createTable('traffic_log')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('request_id', 'text')
    .addColumn('method', 'text', (column) => column.notNull())
    .addColumn('path', 'text', (column) => column.notNull())
    .addColumn('status', 'integer', (column) => column.notNull())
    .addColumn('duration_ms', 'double precision', (column) => column.notNull())
    .addColumn('client_ip', 'text')
    .addColumn('api_key_id', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('traffic_log_at_idx').on('traffic_log').column('at').execute();

  await db.schema
    .createTable('latency_log')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('order_id', 'text')
    .addColumn('operation', 'text', (column) => column.notNull())
    .addColumn('broker', 'text', (column) => column.notNull())
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('platform_ms', 'double precision', (column) => column.notNull())
    .addColumn('broker_ms', 'double precision', (column) => column.notNull())
    .addColumn('total_ms', 'double precision', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('latency_log_at_idx').on('latency_log').column('at').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'latency_log',
    'traffic_log',
    'order_log',
    'symbols',
    'settings',
    'broker_sessions',
    'api_keys',
    'users',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
