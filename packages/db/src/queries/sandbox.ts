import { CompiledQuery, sql } from 'kysely';
import { jsonb } from '../json.js';
import type { SandboxExecutor } from '../sandbox-database.js';
import type { JsonValue } from '../tables/broker-sessions.js';
import type {
  NewSandboxDailyPnlRow,
  NewSandboxFundsRow,
  NewSandboxGttLegRow,
  NewSandboxGttRow,
  NewSandboxHoldingRow,
  NewSandboxLedgerRow,
  NewSandboxOrderRow,
  NewSandboxPositionRow,
  NewSandboxTradeRow,
  SandboxConfigRow,
  SandboxFundsRow,
  SandboxFundsRowUpdate,
  SandboxGttLegRow,
  SandboxGttLegStatus,
  SandboxGttRow,
  SandboxGttStatus,
  SandboxHoldingRow,
  SandboxLedgerRow,
  SandboxOrderRow,
  SandboxOrderRowUpdate,
  SandboxOrderStatus,
  SandboxPositionRow,
  SandboxPositionRowUpdate,
  SandboxTradeRow,
} from '../tables/sandbox.js';
import {
  compileTemplate,
  instantiate,
  parameterMarker,
  StatementCache,
  type StatementTemplate,
} from './statement-template.js';

/**
 * Queries of the analyzer-mode tables. Callers that change money run them inside one
 * transaction that first locks the user's funds row (`lockSandboxFunds`), so the order,
 * trade, position and ledger of one fill commit together or not at all.
 */

export type SandboxSequence = 'order_id_seq' | 'trade_id_seq' | 'gtt_id_seq';

/** The next value of one of the sandbox's sequences: ids never collide, however busy. */
export async function nextSandboxSequence(
  db: SandboxExecutor,
  schema: string,
  sequence: SandboxSequence,
): Promise<number> {
  const result = await sql<{
    value: string | number;
  }>`select nextval(${`${schema}.${sequence}`}::regclass) as value`.execute(db);
  return Number(result.rows[0]?.value);
}

/**
 * `count` values of a sandbox sequence in one round trip, ascending: a caller that hands out
 * ids from memory fetches a block at a time. Values are never handed out twice (sequences do
 * not roll back), so a block lost with its process only leaves a gap.
 */
export async function nextSandboxSequenceBlock(
  db: SandboxExecutor,
  schema: string,
  sequence: SandboxSequence,
  count: number,
): Promise<number[]> {
  const result = await sql<{
    value: string | number;
  }>`select nextval(${`${schema}.${sequence}`}::regclass) as value from generate_series(1, ${Math.max(1, Math.floor(count))}::int)`.execute(
    db,
  );
  return result.rows.map((row) => Number(row.value)).sort((left, right) => left - right);
}

// ---------------------------------------------------------------- funds and ledger

export async function insertSandboxFunds(db: SandboxExecutor, row: NewSandboxFundsRow): Promise<boolean> {
  const inserted = await db
    .insertInto('funds')
    .values(row)
    .onConflict((conflict) => conflict.column('user_id').doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Reads and locks a user's funds row until the transaction ends. */
export async function lockSandboxFunds(
  db: SandboxExecutor,
  userId: number,
): Promise<SandboxFundsRow | undefined> {
  return db.selectFrom('funds').selectAll().where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

export async function findSandboxFunds(
  db: SandboxExecutor,
  userId: number,
): Promise<SandboxFundsRow | undefined> {
  return db.selectFrom('funds').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function listSandboxFunds(db: SandboxExecutor): Promise<SandboxFundsRow[]> {
  return db.selectFrom('funds').selectAll().orderBy('user_id').execute();
}

export async function updateSandboxFunds(
  db: SandboxExecutor,
  userId: number,
  update: SandboxFundsRowUpdate,
): Promise<void> {
  await db.updateTable('funds').set(update).where('user_id', '=', userId).execute();
}

export async function insertSandboxLedger(
  db: SandboxExecutor,
  rows: readonly NewSandboxLedgerRow[],
): Promise<void> {
  if (rows.length > 0) {
    await db
      .insertInto('ledger')
      .values([...rows])
      .execute();
  }
}

export async function listSandboxLedger(db: SandboxExecutor, userId: number): Promise<SandboxLedgerRow[]> {
  return db.selectFrom('ledger').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

export interface SandboxLedgerTotals {
  cash: string;
  margin: string;
  holdings: string;
  capital: string;
  realized: string;
  entries: number;
}

/** The journal summed since the last reset entry: it must equal the funds row. */
export async function sumSandboxLedger(db: SandboxExecutor, userId: number): Promise<SandboxLedgerTotals> {
  const row = await db
    .selectFrom('ledger')
    .select((eb) => [
      eb.fn.sum<string | null>('cash').as('cash'),
      eb.fn.sum<string | null>('margin').as('margin'),
      eb.fn.sum<string | null>('holdings').as('holdings'),
      eb.fn.sum<string | null>('capital').as('capital'),
      eb.fn.sum<string | null>('realized').as('realized'),
      eb.fn.countAll<string | number>().as('entries'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return {
    cash: row?.cash ?? '0',
    margin: row?.margin ?? '0',
    holdings: row?.holdings ?? '0',
    capital: row?.capital ?? '0',
    realized: row?.realized ?? '0',
    entries: Number(row?.entries ?? 0),
  };
}

export interface SandboxReservationTotals {
  orders: string;
  positions: string;
  gtts: string;
}

/** What a user's owner rows reserve; `funds.used_margin` must equal their sum. */
export async function sumSandboxReservations(
  db: SandboxExecutor,
  schema: string,
  userId: number,
): Promise<SandboxReservationTotals> {
  const result = await sql<{ orders: string | null; positions: string | null; gtts: string | null }>`select
      (select sum(reservation) from ${sql.id(schema, 'orders')} where user_id = ${userId}) as orders,
      (select sum(reservation) from ${sql.id(schema, 'positions')} where user_id = ${userId}) as positions,
      (select sum(reservation) from ${sql.id(schema, 'gtts')} where user_id = ${userId}) as gtts`.execute(db);
  const row = result.rows[0];
  return { orders: row?.orders ?? '0', positions: row?.positions ?? '0', gtts: row?.gtts ?? '0' };
}

export async function sumSandboxHoldingsCost(db: SandboxExecutor, userId: number): Promise<string> {
  const row = await db
    .selectFrom('holdings')
    .select((eb) => eb.fn.sum<string | null>('cost').as('cost'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.cost ?? '0';
}

// ---------------------------------------------------------------- orders and trades

export type SandboxOrderInsert = Omit<NewSandboxOrderRow, 'instrument'> & { instrument: JsonValue };

export async function insertSandboxOrder(
  db: SandboxExecutor,
  row: SandboxOrderInsert,
): Promise<SandboxOrderRow> {
  return db
    .insertInto('orders')
    .values({ ...row, instrument: jsonb(row.instrument) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSandboxOrder(
  db: SandboxExecutor,
  userId: number,
  orderid: string,
): Promise<SandboxOrderRow | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('user_id', '=', userId)
    .where('orderid', '=', orderid)
    .executeTakeFirst();
}

/** Reads and locks one order until the transaction ends. */
export async function lockSandboxOrder(
  db: SandboxExecutor,
  orderid: string,
): Promise<SandboxOrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('orderid', '=', orderid).forUpdate().executeTakeFirst();
}

export async function updateSandboxOrder(
  db: SandboxExecutor,
  orderid: string,
  update: SandboxOrderRowUpdate,
): Promise<SandboxOrderRow> {
  return db
    .updateTable('orders')
    .set(update)
    .where('orderid', '=', orderid)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Moves an order out of one of `from` and applies `update`, or returns `undefined` when the
 * order is no longer in such a status: a fill and a cancel can never both win.
 */
export async function claimSandboxOrder(
  db: SandboxExecutor,
  orderid: string,
  from: readonly SandboxOrderStatus[],
  update: SandboxOrderRowUpdate,
): Promise<SandboxOrderRow | undefined> {
  return db
    .updateTable('orders')
    .set(update)
    .where('orderid', '=', orderid)
    .where('status', 'in', [...from])
    .returningAll()
    .executeTakeFirst();
}

/** The columns the in-memory book needs, for every working order (loaded at start). */
export async function listWorkingSandboxOrderKeys(db: SandboxExecutor) {
  return db
    .selectFrom('orders')
    .select([
      'orderid',
      'user_id',
      'symbol',
      'exchange',
      'action',
      'price_type',
      'product',
      'status',
      'price',
      'trigger_price',
    ])
    .where('status', 'in', ['open', 'trigger pending'])
    .orderBy('id')
    .execute();
}

/** One stored instrument per symbol among the given rows' table (`orders` or `positions`). */
export async function listSandboxInstruments(
  db: SandboxExecutor,
  table: 'orders' | 'positions',
): Promise<{ symbol: string; exchange: string; instrument: JsonValue }[]> {
  if (table === 'orders') {
    return db
      .selectFrom('orders')
      .select(['symbol', 'exchange', 'instrument'])
      .distinctOn(['exchange', 'symbol'])
      .where('status', 'in', ['open', 'trigger pending'])
      .orderBy('exchange')
      .orderBy('symbol')
      .execute();
  }
  return db
    .selectFrom('positions')
    .select(['symbol', 'exchange', 'instrument'])
    .distinctOn(['exchange', 'symbol'])
    .where('quantity', '!=', 0)
    .orderBy('exchange')
    .orderBy('symbol')
    .execute();
}

export interface ListSandboxOrdersFilter {
  userId?: number;
  since?: Date;
  placedBefore?: Date;
  /** Only orders on contracts whose expiry day is on or before this `yyyy-MM-dd`. */
  expiringBy?: string;
  statuses?: readonly SandboxOrderStatus[];
  products?: readonly string[];
  exchanges?: readonly string[];
  symbol?: { symbol: string; exchange: string };
}

export async function listSandboxOrders(
  db: SandboxExecutor,
  filter: ListSandboxOrdersFilter = {},
): Promise<SandboxOrderRow[]> {
  let query = db.selectFrom('orders').selectAll();
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId);
  }
  if (filter.since) {
    query = query.where('placed_at', '>=', filter.since);
  }
  if (filter.placedBefore) {
    query = query.where('placed_at', '<', filter.placedBefore);
  }
  if (filter.expiringBy) {
    query = query.where('expiry_date', 'is not', null).where('expiry_date', '<=', filter.expiringBy);
  }
  if (filter.statuses) {
    query = query.where('status', 'in', [...filter.statuses]);
  }
  if (filter.products) {
    query = query.where('product', 'in', [...filter.products] as SandboxOrderRow['product'][]);
  }
  if (filter.exchanges) {
    query = query.where('exchange', 'in', [...filter.exchanges]);
  }
  if (filter.symbol) {
    query = query.where('symbol', '=', filter.symbol.symbol).where('exchange', '=', filter.symbol.exchange);
  }
  return query.orderBy('placed_at', 'desc').orderBy('id', 'desc').execute();
}

/** Cancels every working order of a user at once (fund resets); returns them as they were. */
export async function cancelWorkingSandboxOrders(
  db: SandboxExecutor,
  userId: number,
  at: Date,
): Promise<SandboxOrderRow[]> {
  return db
    .updateTable('orders')
    .set({ status: 'cancelled', pending_quantity: 0, reservation: '0', updated_at: at })
    .where('user_id', '=', userId)
    .where('status', 'in', ['open', 'trigger pending'])
    .returningAll()
    .execute();
}

/** Shares already promised to working CNC sell orders of one symbol. */
export async function sumWorkingCncSellQuantity(
  db: SandboxExecutor,
  userId: number,
  symbol: string,
  exchange: string,
): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.sum<string | number | null>('quantity').as('quantity'))
    .where('user_id', '=', userId)
    .where('symbol', '=', symbol)
    .where('exchange', '=', exchange)
    .where('product', '=', 'CNC')
    .where('action', '=', 'SELL')
    .where('status', 'in', ['open', 'trigger pending'])
    .executeTakeFirst();
  return Number(row?.quantity ?? 0);
}

export async function insertSandboxTrade(
  db: SandboxExecutor,
  row: NewSandboxTradeRow,
): Promise<SandboxTradeRow> {
  return db.insertInto('trades').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listSandboxTrades(
  db: SandboxExecutor,
  filter: { userId?: number; since?: Date } = {},
): Promise<SandboxTradeRow[]> {
  let query = db.selectFrom('trades').selectAll();
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId);
  }
  if (filter.since) {
    query = query.where('traded_at', '>=', filter.since);
  }
  return query.orderBy('traded_at', 'desc').orderBy('id', 'desc').execute();
}

export interface SandboxFillWrite {
  /** The order: stored already complete (a placement that fills at once) or completed now. */
  order: { insert: SandboxOrderInsert } | { orderid: string; update: SandboxOrderRowUpdate };
  trade: NewSandboxTradeRow;
  position: { insert: SandboxPositionInsert } | { id: number; update: SandboxPositionRowUpdate };
  /** The funds row's new figures, or `null` when they did not change. */
  funds: { userId: number; update: SandboxFundsRowUpdate } | null;
  /** Journal rows, in order. */
  ledger: readonly NewSandboxLedgerRow[];
}

/**
 * Everything one fill writes — the order, its trade, the position, the funds row and the
 * journal — in one statement (a data-modifying CTE per table), inside the caller's
 * transaction that locked the funds row and the position. Returns the order as stored.
 * `schema` is the executor's sandbox schema.
 *
 * Each table's rows go over as one JSON parameter, expanded by PostgreSQL into typed rows
 * (`json_populate_record`, as `jsonRecordset` does for bulk writes; dates as ISO strings, the
 * jsonb instrument as nested JSON): the statement has a handful of parameters instead of one
 * per column, and its text depends only on the write's shape (insert or update of the order
 * and the position, the columns given, funds or not), so it is built once per shape, and on
 * PostgreSQL runs as a prepared statement.
 */
export async function writeSandboxFill(
  db: SandboxExecutor,
  schema: string,
  write: SandboxFillWrite,
): Promise<SandboxOrderRow> {
  const { order, position, funds, ledger } = write;
  const isOrderInsert = 'insert' in order;
  const isPositionInsert = 'insert' in position;
  const orderRow = isOrderInsert ? order.insert : order.update;
  const positionRow = isPositionInsert ? position.insert : position.update;
  // The parameters, in the order `fillStatement` numbers them.
  const parameters: unknown[] = [JSON.stringify(write.trade), JSON.stringify(positionRow)];
  if (!isPositionInsert) {
    parameters.push(position.id);
  }
  parameters.push(...moneyParameters(funds, ledger), JSON.stringify(orderRow));
  if (!isOrderInsert) {
    parameters.push(order.orderid);
  }
  const ledgerShape = ledgerKey(ledger);
  const key = `${schema}|${isOrderInsert ? 'oi' : 'ou'}:${columnsKey(orderRow)}|t:${columnsKey(write.trade)}|${isPositionInsert ? 'pi' : 'pu'}:${columnsKey(positionRow)}|f:${funds ? columnsKey(funds.update) : '-'}|l:${ledgerShape}`;
  const text = fillStatements.get(key, () => fillStatement(schema, write));
  const { rows } = await db.executeQuery<SandboxOrderRow>(CompiledQuery.raw(text, parameters));
  const row = rows[0];
  if (!row) {
    throw new Error(
      `sandbox fill of order ${isOrderInsert ? order.insert.orderid : order.orderid} not written`,
    );
  }
  return row;
}

const fillStatements = new StatementCache<string>();

/**
 * The defined columns of a row (`a,b,…,`), as its JSON carries them. A value JSON would not
 * carry faithfully (a non-finite number, an invalid date: JSON turns them into null) throws.
 */
function columnsKey(row: object): string {
  let key = '';
  for (const column of Object.keys(row)) {
    const value = (row as Record<string, unknown>)[column];
    if (value === undefined) {
      continue;
    }
    if (
      (typeof value === 'number' && !Number.isFinite(value)) ||
      (value instanceof Date && Number.isNaN(value.getTime())) ||
      typeof value === 'bigint' ||
      typeof value === 'function'
    ) {
      throw new RangeError(`sandbox fill: column ${column} has a value JSON cannot carry`);
    }
    key += `${column},`;
  }
  return key;
}

function definedColumns(row: object): string[] {
  return Object.keys(row).filter((column) => (row as Record<string, unknown>)[column] !== undefined);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Builds one statement of data-modifying CTEs: each table's rows as one JSON parameter,
 * numbered in the order the pieces are asked for.
 */
function cteBuilder(schema: string) {
  let parameter = 0;
  const next = () => `$${++parameter}`;
  const table = (name: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
  const rowsOf = (name: string, kind: 'record' | 'recordset') =>
    `json_populate_${kind}(null::${table(name)}, ${next()}::text::json)`;
  const insert = (name: string, row: object, returning: string, kind: 'record' | 'recordset' = 'record') => {
    const columns = definedColumns(row).map(quoteIdentifier).join(', ');
    return `insert into ${table(name)} (${columns}) select ${columns} from ${rowsOf(name, kind)} returning ${returning}`;
  };
  const update = (name: string, row: object, keyColumn: string, returning: string) => {
    const columns = definedColumns(row).map(quoteIdentifier);
    if (columns.length === 0) {
      throw new Error(`sandbox write: an update of ${name} sets no column`);
    }
    const assignments = columns.map((column) => `${column} = "r".${column}`).join(', ');
    const source = rowsOf(name, 'record');
    return `update ${table(name)} as "t" set ${assignments} from ${source} as "r" where "t".${quoteIdentifier(keyColumn)} = ${next()} returning ${returning}`;
  };
  /** The funds and journal CTEs (empty selects when there is nothing to write). */
  const money = (funds: SandboxFillWrite['funds'], ledger: SandboxFillWrite['ledger']) => [
    `"funds_row" as (${
      funds
        ? update('funds', funds.update, 'user_id', '"t"."user_id"')
        : `select "user_id" from ${table('funds')} where false`
    })`,
    `"ledger_rows" as (${
      ledger.length > 0
        ? insert('ledger', ledger[0] as object, '"id"', 'recordset')
        : `select "id" from ${table('ledger')} where false`
    })`,
  ];
  return { insert, update, money };
}

/** The parameters of the funds and journal CTEs, as `cteBuilder().money` numbers them. */
function moneyParameters(funds: SandboxFillWrite['funds'], ledger: SandboxFillWrite['ledger']): unknown[] {
  const parameters: unknown[] = [];
  if (funds) {
    parameters.push(JSON.stringify(funds.update), funds.userId);
  }
  if (ledger.length > 0) {
    parameters.push(JSON.stringify(ledger));
  }
  return parameters;
}

/** The shape key of the journal rows (all must give the same columns). */
function ledgerKey(ledger: SandboxFillWrite['ledger']): string {
  const shape = ledger.length > 0 ? columnsKey(ledger[0] as object) : '-';
  for (const entry of ledger) {
    if (columnsKey(entry) !== shape) {
      throw new Error('sandbox journal rows of one write must all give the same columns');
    }
  }
  return shape;
}

/** The fill statement of `write`'s shape, its parameters numbered as `writeSandboxFill` lists them. */
function fillStatement(schema: string, write: SandboxFillWrite): string {
  const { order, position, funds, ledger } = write;
  const { insert, update, money } = cteBuilder(schema);
  const ctes = [
    `"trade_row" as (${insert('trades', write.trade, '"id"')})`,
    `"position_row" as (${
      'insert' in position
        ? insert('positions', position.insert, '"id"')
        : update('positions', position.update, 'id', '"t"."id"')
    })`,
    ...money(funds, ledger),
    `"order_row" as (${
      'insert' in order
        ? insert('orders', order.insert, '*')
        : update('orders', order.update, 'orderid', '"t".*')
    })`,
  ];
  // Data-modifying CTEs run whether or not the final select reads them; these make sure.
  return `with ${ctes.join(', ')} select * from "order_row" where exists (select "id" from "trade_row") and exists (select "id" from "position_row")`;
}

export interface SandboxPlacementWrite {
  order: SandboxOrderInsert;
  /** The funds row's new figures (the order's reservation), or `null` when none. */
  funds: SandboxFillWrite['funds'];
  ledger: SandboxFillWrite['ledger'];
}

/**
 * A placement that does not fill at once — the new order, the funds row that reserves its
 * margin and the journal — in one statement, as `writeSandboxFill` writes a fill, inside the
 * caller's transaction that locked the funds row. Returns the order as stored.
 */
export async function writeSandboxPlacement(
  db: SandboxExecutor,
  schema: string,
  write: SandboxPlacementWrite,
): Promise<SandboxOrderRow> {
  const { order, funds, ledger } = write;
  const parameters = [...moneyParameters(funds, ledger), JSON.stringify(order)];
  const key = `${schema}|o:${columnsKey(order)}|f:${funds ? columnsKey(funds.update) : '-'}|l:${ledgerKey(ledger)}`;
  const text = placementStatements.get(key, () => {
    const { insert, money } = cteBuilder(schema);
    const ctes = [...money(funds, ledger), `"order_row" as (${insert('orders', order, '*')})`];
    return `with ${ctes.join(', ')} select * from "order_row"`;
  });
  const { rows } = await db.executeQuery<SandboxOrderRow>(CompiledQuery.raw(text, parameters));
  const row = rows[0];
  if (!row) {
    throw new Error(`sandbox order ${order.orderid} not written`);
  }
  return row;
}

const placementStatements = new StatementCache<string>();

// ---------------------------------------------------------------- positions and holdings

export interface SandboxPositionKey {
  userId: number;
  symbol: string;
  exchange: string;
  product: string;
}

export async function lockSandboxPosition(
  db: SandboxExecutor,
  key: SandboxPositionKey,
): Promise<SandboxPositionRow | undefined> {
  return db
    .selectFrom('positions')
    .selectAll()
    .where('user_id', '=', key.userId)
    .where('symbol', '=', key.symbol)
    .where('exchange', '=', key.exchange)
    .where('product', '=', key.product as SandboxPositionRow['product'])
    .forUpdate()
    .executeTakeFirst();
}

export type SandboxPositionInsert = Omit<NewSandboxPositionRow, 'instrument'> & { instrument: JsonValue };

/** Every column of `positions`, as `lockSandboxFundsAndPosition` reads them beside the funds row. */
const POSITION_COLUMNS = [
  'id',
  'user_id',
  'symbol',
  'exchange',
  'product',
  'instrument',
  'quantity',
  'average_price',
  'reservation',
  'realized_pnl',
  'today_realized_pnl',
  'today_session',
  'ltp',
  'expiry_date',
  'opened_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof SandboxPositionRow)[];

/**
 * Reads and locks a user's funds row, then one of their positions, in one round trip — in
 * that order, as every transaction of the account locks them (the position is a lateral
 * subquery of the funds row, so it cannot be locked first). `funds` is `undefined` when the
 * user has no funds row yet; nothing is locked then. `schema` is the executor's sandbox
 * schema: the statement never changes, so it is compiled once per schema.
 */
export async function lockSandboxFundsAndPosition(
  db: SandboxExecutor,
  schema: string,
  key: SandboxPositionKey,
): Promise<{ funds: SandboxFundsRow | undefined; position: SandboxPositionRow | undefined }> {
  const template = lockTemplates.get(schema, () => compileLockTemplate(db, schema));
  const { rows } = await db.executeQuery<Record<string, unknown>>(
    instantiate(template, [key.userId, key.symbol, key.exchange, key.product]),
  );
  const record = rows[0];
  if (!record) {
    return { funds: undefined, position: undefined };
  }
  const funds: Record<string, unknown> = {};
  for (const column of Object.keys(record)) {
    if (!column.startsWith('p_')) {
      funds[column] = record[column];
    }
  }
  let position: Record<string, unknown> | undefined;
  if (record.p_id !== null && record.p_id !== undefined) {
    position = {};
    for (let index = 0; index < POSITION_COLUMNS.length; index += 1) {
      position[POSITION_COLUMNS[index] as string] = record[POSITION_ALIASES[index] as string];
    }
  }
  return {
    funds: funds as unknown as SandboxFundsRow,
    position: position as unknown as SandboxPositionRow | undefined,
  };
}

const POSITION_ALIASES = POSITION_COLUMNS.map((column) => `p_${column}`);

const lockTemplates = new StatementCache<StatementTemplate>();

function compileLockTemplate(db: SandboxExecutor, schema: string): StatementTemplate {
  // Markers in place of the user, symbol, exchange and product (values 0 … 3).
  const [userId, symbol, exchange, product] = [0, 1, 2, 3].map(parameterMarker) as [
    string,
    string,
    string,
    string,
  ];
  const query = db
    .selectFrom(
      db
        .selectFrom('funds')
        .selectAll()
        .where('user_id', '=', userId as unknown as number)
        .forUpdate()
        .as('f'),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('positions')
          .selectAll()
          .whereRef('positions.user_id', '=', 'f.user_id')
          .where('symbol', '=', symbol)
          .where('exchange', '=', exchange)
          .where('product', '=', product as SandboxPositionRow['product'])
          .forUpdate()
          .as('p'),
      (join) => join.onTrue(),
    )
    .selectAll('f')
    .select(POSITION_COLUMNS.map((column) => sql.ref(`p.${column}`).as(`p_${column}`)));
  const template = compileTemplate(query, 4);
  if (!template.sql.includes(`"${schema}".`)) {
    throw new Error(`sandbox lock statement compiled outside schema ${schema}`);
  }
  return template;
}

export async function insertSandboxPosition(
  db: SandboxExecutor,
  row: SandboxPositionInsert,
): Promise<SandboxPositionRow> {
  return db
    .insertInto('positions')
    .values({ ...row, instrument: jsonb(row.instrument) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateSandboxPosition(
  db: SandboxExecutor,
  id: number,
  update: SandboxPositionRowUpdate,
): Promise<void> {
  await db.updateTable('positions').set(update).where('id', '=', id).execute();
}

export async function deleteSandboxPosition(db: SandboxExecutor, id: number): Promise<void> {
  await db.deleteFrom('positions').where('id', '=', id).execute();
}

export interface ListSandboxPositionsFilter {
  userId?: number;
  products?: readonly string[];
  exchanges?: readonly string[];
  isOpen?: boolean;
  updatedBefore?: Date;
  openedBefore?: Date;
  /** Only positions on contracts whose expiry day is on or before this `yyyy-MM-dd`. */
  expiringBy?: string;
}

export async function listSandboxPositions(
  db: SandboxExecutor,
  filter: ListSandboxPositionsFilter = {},
): Promise<SandboxPositionRow[]> {
  let query = db.selectFrom('positions').selectAll();
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId);
  }
  if (filter.products) {
    query = query.where('product', 'in', [...filter.products] as SandboxPositionRow['product'][]);
  }
  if (filter.exchanges) {
    query = query.where('exchange', 'in', [...filter.exchanges]);
  }
  if (filter.isOpen) {
    query = query.where('quantity', '!=', 0);
  }
  if (filter.updatedBefore) {
    query = query.where('updated_at', '<', filter.updatedBefore);
  }
  if (filter.openedBefore) {
    query = query.where('opened_at', '<', filter.openedBefore);
  }
  if (filter.expiringBy) {
    query = query.where('expiry_date', 'is not', null).where('expiry_date', '<=', filter.expiringBy);
  }
  return query.orderBy('user_id').orderBy('id').execute();
}

/** Stores the last mark of positions (when the book is read), one statement. */
export async function markSandboxPositions(
  db: SandboxExecutor,
  schema: string,
  marks: readonly { id: number; ltp: string }[],
): Promise<void> {
  if (marks.length === 0) {
    return;
  }
  const ids = marks.map((mark) => mark.id);
  const ltps = marks.map((mark) => mark.ltp);
  await sql`update ${sql.id(schema, 'positions')} as p set ltp = m.ltp::numeric
    from unnest(${ids}::bigint[], ${ltps}::text[]) as m(id, ltp) where p.id = m.id`.execute(db);
}

export async function markSandboxHoldings(
  db: SandboxExecutor,
  schema: string,
  marks: readonly { id: number; ltp: string }[],
): Promise<void> {
  if (marks.length === 0) {
    return;
  }
  const ids = marks.map((mark) => mark.id);
  const ltps = marks.map((mark) => mark.ltp);
  await sql`update ${sql.id(schema, 'holdings')} as h set ltp = m.ltp::numeric
    from unnest(${ids}::bigint[], ${ltps}::text[]) as m(id, ltp) where h.id = m.id`.execute(db);
}

export async function lockSandboxHolding(
  db: SandboxExecutor,
  userId: number,
  symbol: string,
  exchange: string,
): Promise<SandboxHoldingRow | undefined> {
  return db
    .selectFrom('holdings')
    .selectAll()
    .where('user_id', '=', userId)
    .where('symbol', '=', symbol)
    .where('exchange', '=', exchange)
    .forUpdate()
    .executeTakeFirst();
}

export type SandboxHoldingInsert = Omit<NewSandboxHoldingRow, 'instrument'> & { instrument: JsonValue };

export async function insertSandboxHolding(db: SandboxExecutor, row: SandboxHoldingInsert): Promise<void> {
  await db
    .insertInto('holdings')
    .values({ ...row, instrument: jsonb(row.instrument) })
    .execute();
}

export async function updateSandboxHolding(
  db: SandboxExecutor,
  id: number,
  update: { quantity: number; average_price: string; cost: string; updated_at: Date },
): Promise<void> {
  await db.updateTable('holdings').set(update).where('id', '=', id).execute();
}

export async function deleteSandboxHolding(db: SandboxExecutor, id: number): Promise<void> {
  await db.deleteFrom('holdings').where('id', '=', id).execute();
}

export async function listSandboxHoldings(
  db: SandboxExecutor,
  filter: { userId?: number } = {},
): Promise<SandboxHoldingRow[]> {
  let query = db.selectFrom('holdings').selectAll();
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId);
  }
  return query.orderBy('user_id').orderBy('symbol').execute();
}

/** Wipes a user's positions and holdings (fund resets). */
export async function deleteSandboxPortfolio(db: SandboxExecutor, userId: number): Promise<void> {
  await db.deleteFrom('positions').where('user_id', '=', userId).execute();
  await db.deleteFrom('holdings').where('user_id', '=', userId).execute();
}

/** Wipes a user's whole history (manual reset): orders, trades, GTTs and daily P&L too. */
export async function deleteSandboxHistory(db: SandboxExecutor, userId: number): Promise<void> {
  await db.deleteFrom('orders').where('user_id', '=', userId).execute();
  await db.deleteFrom('trades').where('user_id', '=', userId).execute();
  await db.deleteFrom('gtts').where('user_id', '=', userId).execute();
  await db.deleteFrom('daily_pnl').where('user_id', '=', userId).execute();
}

// ---------------------------------------------------------------- config, daily P&L, job runs

export async function listSandboxConfig(db: SandboxExecutor): Promise<SandboxConfigRow[]> {
  return db.selectFrom('config').selectAll().orderBy('key').execute();
}

/** Seeds missing keys; existing values are never overwritten. */
export async function seedSandboxConfig(
  db: SandboxExecutor,
  rows: readonly { key: string; value: string }[],
  at: Date,
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await db
    .insertInto('config')
    .values(rows.map((row) => ({ ...row, updated_at: at })))
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
}

export async function putSandboxConfig(
  db: SandboxExecutor,
  key: string,
  value: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('config')
    .values({ key, value, updated_at: at })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value, updated_at: at }))
    .execute();
}

export async function upsertSandboxDailyPnl(db: SandboxExecutor, row: NewSandboxDailyPnlRow): Promise<void> {
  const { user_id: _user, date: _date, ...values } = row;
  await db
    .insertInto('daily_pnl')
    .values(row)
    .onConflict((conflict) => conflict.columns(['user_id', 'date']).doUpdateSet(values))
    .execute();
}

export async function listSandboxDailyPnl(db: SandboxExecutor, userId: number) {
  return db.selectFrom('daily_pnl').selectAll().where('user_id', '=', userId).orderBy('date').execute();
}

/**
 * Claims one run of a scheduled job for its due instant: `true` for the one caller that
 * inserted the row, `false` for everyone else (another process, a restart, a second timer).
 */
export async function claimSandboxJobRun(
  db: SandboxExecutor,
  job: string,
  dueAt: Date,
  ranAt: Date,
  summary: JsonValue = {},
): Promise<boolean> {
  const row = await db
    .insertInto('job_runs')
    .values({ job, due_at: dueAt, ran_at: ranAt, summary: jsonb(summary) })
    .onConflict((conflict) => conflict.columns(['job', 'due_at']).doNothing())
    .returning('job')
    .executeTakeFirst();
  return row !== undefined;
}

export async function listSandboxJobRuns(db: SandboxExecutor, job?: string) {
  let query = db.selectFrom('job_runs').selectAll();
  if (job) {
    query = query.where('job', '=', job);
  }
  return query.orderBy('due_at').execute();
}

export async function setSandboxJobRunSummary(
  db: SandboxExecutor,
  job: string,
  dueAt: Date,
  summary: JsonValue,
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ summary: jsonb(summary) })
    .where('job', '=', job)
    .where('due_at', '=', dueAt)
    .execute();
}

// ---------------------------------------------------------------- GTT

export type SandboxGttInsert = Omit<NewSandboxGttRow, 'instrument'> & { instrument: JsonValue };

export async function insertSandboxGtt(
  db: SandboxExecutor,
  gtt: SandboxGttInsert,
  legs: readonly NewSandboxGttLegRow[],
): Promise<{ gtt: SandboxGttRow; legs: SandboxGttLegRow[] }> {
  const row = await db
    .insertInto('gtts')
    .values({ ...gtt, instrument: jsonb(gtt.instrument) })
    .returningAll()
    .executeTakeFirstOrThrow();
  const legRows = await db
    .insertInto('gtt_legs')
    .values([...legs])
    .returningAll()
    .execute();
  return { gtt: row, legs: legRows };
}

export async function findSandboxGtt(
  db: SandboxExecutor,
  userId: number,
  gttId: string,
): Promise<{ gtt: SandboxGttRow; legs: SandboxGttLegRow[] } | undefined> {
  const gtt = await db
    .selectFrom('gtts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('gtt_id', '=', gttId)
    .executeTakeFirst();
  if (!gtt) {
    return undefined;
  }
  const legs = await db
    .selectFrom('gtt_legs')
    .selectAll()
    .where('gtt_id', '=', gttId)
    .orderBy('leg_number')
    .execute();
  return { gtt, legs };
}

export async function listSandboxGtts(
  db: SandboxExecutor,
  filter: { userId?: number; statuses?: readonly SandboxGttStatus[] } = {},
): Promise<{ gtt: SandboxGttRow; legs: SandboxGttLegRow[] }[]> {
  let query = db.selectFrom('gtts').selectAll();
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId);
  }
  if (filter.statuses) {
    query = query.where('status', 'in', [...filter.statuses]);
  }
  const gtts = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  if (gtts.length === 0) {
    return [];
  }
  const legs = await db
    .selectFrom('gtt_legs')
    .selectAll()
    .where(
      'gtt_id',
      'in',
      gtts.map((gtt) => gtt.gtt_id),
    )
    .orderBy('leg_number')
    .execute();
  return gtts.map((gtt) => ({ gtt, legs: legs.filter((leg) => leg.gtt_id === gtt.gtt_id) }));
}

/** Cancels every active GTT of a user (fund resets); returns them. */
export async function cancelActiveSandboxGtts(
  db: SandboxExecutor,
  userId: number,
  at: Date,
): Promise<SandboxGttRow[]> {
  const rows = await db
    .updateTable('gtts')
    .set({ status: 'cancelled', reservation: '0', updated_at: at })
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .returningAll()
    .execute();
  for (const row of rows) {
    await db
      .updateTable('gtt_legs')
      .set({ status: 'cancelled', updated_at: at })
      .where('gtt_id', '=', row.gtt_id)
      .where('status', 'in', ['pending', 'triggering'])
      .execute();
  }
  return rows;
}

/** Conditional status change of a GTT (`active` → …): `undefined` when someone else won. */
export async function claimSandboxGtt(
  db: SandboxExecutor,
  gttId: string,
  from: SandboxGttStatus,
  update: { status: SandboxGttStatus; reservation: string; updated_at: Date },
): Promise<SandboxGttRow | undefined> {
  return db
    .updateTable('gtts')
    .set(update)
    .where('gtt_id', '=', gttId)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}

export async function updateSandboxGtt(
  db: SandboxExecutor,
  gttId: string,
  update: {
    last_price?: string;
    margin_blocked?: string;
    reservation?: string;
    updated_at: Date;
    expires_at?: Date | null;
  },
): Promise<void> {
  await db.updateTable('gtts').set(update).where('gtt_id', '=', gttId).execute();
}

export async function replaceSandboxGttLegs(
  db: SandboxExecutor,
  gttId: string,
  legs: readonly NewSandboxGttLegRow[],
): Promise<SandboxGttLegRow[]> {
  await db.deleteFrom('gtt_legs').where('gtt_id', '=', gttId).execute();
  return db
    .insertInto('gtt_legs')
    .values([...legs])
    .returningAll()
    .execute();
}

export async function setSandboxGttLegs(
  db: SandboxExecutor,
  gttId: string,
  from: readonly SandboxGttLegStatus[],
  update: { status: SandboxGttLegStatus; updated_at: Date; claimed_at?: Date | null },
): Promise<void> {
  await db
    .updateTable('gtt_legs')
    .set(update)
    .where('gtt_id', '=', gttId)
    .where('status', 'in', [...from])
    .execute();
}

export async function setSandboxGttLegOrder(
  db: SandboxExecutor,
  legId: number,
  orderid: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable('gtt_legs')
    .set({ status: 'triggered', triggered_order_id: orderid, claimed_at: at, updated_at: at })
    .where('id', '=', legId)
    .execute();
}
