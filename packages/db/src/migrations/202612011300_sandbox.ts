import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * Analyzer mode's own schema. Its name follows the schema the migration runs in: `sandbox`
 * beside `public`, `<schema>_sandbox` beside any other (isolated test schemas), so every
 * database keeps its sandbox apart.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
async function sandboxSchemaOf(db: Kysely<any>): Promise<string> {
  const result = await sql<{ name: string }>`select current_schema() as name`.execute(db);
  const current = result.rows[0]?.name ?? 'public';
  return current === 'public' ? 'sandbox' : `${current}_sandbox`;
}

const MONEY = 'numeric';

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  const name = await sandboxSchemaOf(db);
  await db.schema.createSchema(name).ifNotExists().execute();
  const schema = db.schema.withSchema(name);
  const zero = sql`0`;

  await sql`create sequence ${sql.id(name, 'order_id_seq')}`.execute(db);
  await sql`create sequence ${sql.id(name, 'trade_id_seq')}`.execute(db);
  await sql`create sequence ${sql.id(name, 'gtt_id_seq')}`.execute(db);

  await schema
    .createTable('funds')
    .addColumn('user_id', 'integer', (column) => column.primaryKey())
    .addColumn('capital', MONEY, (column) => column.notNull())
    .addColumn('cash', MONEY, (column) => column.notNull())
    .addColumn('used_margin', MONEY, (column) =>
      column.notNull().defaultTo(zero).check(sql`used_margin >= 0`),
    )
    .addColumn('holdings_cost', MONEY, (column) =>
      column.notNull().defaultTo(zero).check(sql`holdings_cost >= 0`),
    )
    .addColumn('realized_pnl', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('today_realized_pnl', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('today_session', 'timestamptz', (column) => column.notNull())
    .addColumn('unrealized_pnl', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('last_reset_at', 'timestamptz', (column) => column.notNull())
    .addColumn('reset_count', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    // The books always balance: cash, margin and settled holdings are the capital plus the P&L.
    .addCheckConstraint('funds_reconcile', sql`cash + used_margin + holdings_cost = capital + realized_pnl`)
    .execute();

  await schema
    .createTable('ledger')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('at', 'timestamptz', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('owner_kind', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('cash', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('margin', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('holdings', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('capital', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('realized', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('note', 'text', (column) => column.notNull().defaultTo(''))
    .addCheckConstraint('ledger_balanced', sql`cash + margin + holdings = capital + realized`)
    .execute();
  await schema.createIndex('ledger_user_idx').on('ledger').columns(['user_id', 'id']).execute();

  await schema
    .createTable('orders')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('orderid', 'text', (column) => column.notNull().unique())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('strategy', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('instrument', 'jsonb', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull().check(sql`action in ('BUY', 'SELL')`))
    .addColumn('quantity', 'integer', (column) => column.notNull().check(sql`quantity > 0`))
    .addColumn('price', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('trigger_price', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('price_type', 'text', (column) =>
      column.notNull().check(sql`price_type in ('MARKET', 'LIMIT', 'SL', 'SL-M')`),
    )
    .addColumn('product', 'text', (column) => column.notNull().check(sql`product in ('CNC', 'NRML', 'MIS')`))
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('open', 'trigger pending', 'complete', 'cancelled', 'rejected')`),
    )
    .addColumn('average_price', MONEY)
    .addColumn('filled_quantity', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('pending_quantity', 'integer', (column) => column.notNull())
    .addColumn('rejection_reason', 'text')
    .addColumn('margin_blocked', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('reservation', MONEY, (column) =>
      column.notNull().defaultTo(zero).check(sql`reservation >= 0`),
    )
    .addColumn('margin_quantity', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('expiry_date', 'text')
    .addColumn('gtt_leg_id', 'bigint', (column) => column.unique())
    .addColumn('client_order_id', 'text')
    .addColumn('placed_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addCheckConstraint(
      'orders_fill_quantities',
      sql`filled_quantity >= 0 and pending_quantity >= 0 and filled_quantity + pending_quantity <= quantity`,
    )
    .addCheckConstraint(
      'orders_reservation_only_while_working',
      sql`reservation = 0 or status in ('open', 'trigger pending')`,
    )
    .execute();
  await schema.createIndex('orders_user_placed_idx').on('orders').columns(['user_id', 'placed_at']).execute();
  await schema
    .createIndex('orders_working_idx')
    .on('orders')
    .columns(['user_id', 'symbol', 'exchange'])
    .where(sql.ref('status'), 'in', ['open', 'trigger pending'])
    .execute();

  await schema
    .createTable('trades')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('tradeid', 'text', (column) => column.notNull().unique())
    .addColumn('orderid', 'text', (column) => column.notNull().unique())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('strategy', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull().check(sql`action in ('BUY', 'SELL')`))
    .addColumn('quantity', 'integer', (column) => column.notNull().check(sql`quantity > 0`))
    .addColumn('price', MONEY, (column) => column.notNull().check(sql`price >= 0`))
    .addColumn('product', 'text', (column) => column.notNull())
    .addColumn('realized_pnl', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('traded_at', 'timestamptz', (column) => column.notNull())
    .execute();
  await schema.createIndex('trades_user_idx').on('trades').columns(['user_id', 'traded_at']).execute();

  await schema
    .createTable('positions')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('product', 'text', (column) => column.notNull())
    .addColumn('instrument', 'jsonb', (column) => column.notNull())
    .addColumn('quantity', 'integer', (column) => column.notNull())
    .addColumn('average_price', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('reservation', MONEY, (column) =>
      column.notNull().defaultTo(zero).check(sql`reservation >= 0`),
    )
    .addColumn('realized_pnl', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('today_realized_pnl', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('today_session', 'timestamptz', (column) => column.notNull())
    .addColumn('ltp', MONEY)
    .addColumn('expiry_date', 'text')
    .addColumn('opened_at', 'timestamptz', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addUniqueConstraint('positions_key', ['user_id', 'symbol', 'exchange', 'product'])
    .execute();

  await schema
    .createTable('holdings')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('instrument', 'jsonb', (column) => column.notNull())
    .addColumn('quantity', 'integer', (column) => column.notNull().check(sql`quantity >= 0`))
    .addColumn('average_price', MONEY, (column) => column.notNull())
    .addColumn('cost', MONEY, (column) => column.notNull().check(sql`cost >= 0`))
    .addColumn('ltp', MONEY)
    .addColumn('settlement_date', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addUniqueConstraint('holdings_key', ['user_id', 'symbol', 'exchange'])
    .execute();

  await schema
    .createTable('config')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .execute();

  await schema
    .createTable('daily_pnl')
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('date', 'text', (column) => column.notNull())
    .addColumn('realized_pnl', MONEY, (column) => column.notNull())
    .addColumn('positions_unrealized_pnl', MONEY, (column) => column.notNull())
    .addColumn('holdings_unrealized_pnl', MONEY, (column) => column.notNull())
    .addColumn('total_mtm', MONEY, (column) => column.notNull())
    .addColumn('available_balance', MONEY, (column) => column.notNull())
    .addColumn('used_margin', MONEY, (column) => column.notNull())
    .addColumn('portfolio_value', MONEY, (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('daily_pnl_key', ['user_id', 'date'])
    .execute();

  await schema
    .createTable('gtts')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('gtt_id', 'text', (column) => column.notNull().unique())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('strategy', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('trigger_type', 'text', (column) =>
      column.notNull().check(sql`trigger_type in ('single', 'two-leg')`),
    )
    .addColumn('symbol', 'text', (column) => column.notNull())
    .addColumn('exchange', 'text', (column) => column.notNull())
    .addColumn('instrument', 'jsonb', (column) => column.notNull())
    .addColumn('last_price', MONEY, (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('active', 'triggered', 'cancelled', 'expired', 'rejected')`),
    )
    .addColumn('margin_blocked', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('reservation', MONEY, (column) =>
      column.notNull().defaultTo(zero).check(sql`reservation >= 0`),
    )
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addCheckConstraint('gtts_reservation_only_while_active', sql`reservation = 0 or status = 'active'`)
    .execute();
  await schema.createIndex('gtts_user_idx').on('gtts').columns(['user_id', 'status']).execute();

  await schema
    .createTable('gtt_legs')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('gtt_id', 'text', (column) => column.notNull().references('gtts.gtt_id').onDelete('cascade'))
    .addColumn('leg_number', 'integer', (column) => column.notNull())
    .addColumn('trigger_price', MONEY, (column) => column.notNull())
    .addColumn('trigger_direction', 'text', (column) =>
      column.notNull().check(sql`trigger_direction in ('below', 'above')`),
    )
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('quantity', 'integer', (column) => column.notNull())
    .addColumn('price', MONEY, (column) => column.notNull())
    .addColumn('price_type', 'text', (column) => column.notNull().defaultTo('LIMIT'))
    .addColumn('product', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'triggering', 'triggered', 'cancelled')`),
    )
    .addColumn('triggered_order_id', 'text')
    .addColumn('leg_margin', MONEY, (column) => column.notNull().defaultTo(zero))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addUniqueConstraint('gtt_legs_key', ['gtt_id', 'leg_number'])
    .execute();

  await schema
    .createTable('job_runs')
    .addColumn('job', 'text', (column) => column.notNull())
    .addColumn('due_at', 'timestamptz', (column) => column.notNull())
    .addColumn('ran_at', 'timestamptz', (column) => column.notNull())
    .addColumn('summary', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addPrimaryKeyConstraint('job_runs_key', ['job', 'due_at'])
    .execute();

  // The analyzer request log lives beside the other logs, in the main schema.
  await db.schema
    .createTable('analyzer_log')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer')
    .addColumn('api_type', 'text', (column) => column.notNull())
    .addColumn('request', 'jsonb', (column) => column.notNull())
    .addColumn('response', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('analyzer_log_created_idx').on('analyzer_log').column('created_at').execute();
  await db.schema
    .createIndex('analyzer_log_type_created_idx')
    .on('analyzer_log')
    .columns(['api_type', 'created_at'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('analyzer_log').ifExists().execute();
  await db.schema
    .dropSchema(await sandboxSchemaOf(db))
    .ifExists()
    .cascade()
    .execute();
}
