import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { JsonValue } from '../tables/broker-sessions.js';
import type { OrderLogRow, OrderLogStatus } from '../tables/order-log.js';
import { columnList, jsonRecordsetOf } from './json-rows.js';
import { fixedStatement } from './statement-template.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface RecordOrderInput {
  id: string;
  userId: number | null;
  apiKeyId: number | null;
  requestId: string | null;
  idempotencyKey: string | null;
  mode: 'live' | 'analyze';
  broker: string;
  operation: string;
  strategy: string | null;
  exchange: string | null;
  symbol: string | null;
  request: JsonValue;
  createdAt: Date;
  /** The outcome, when it is known before the row is written: the row is inserted complete. */
  completion?: Omit<CompleteOrderInput, 'id'> | null;
}

/**
 * Writes the order before the broker is called. Returns `null` when the idempotency key was
 * already used by this API key (the caller then answers with the first result).
 */
export async function recordOrder(db: Executor, input: RecordOrderInput): Promise<OrderLogRow | null> {
  const row = await db
    .insertInto('order_log')
    .values({
      id: input.id,
      user_id: input.userId,
      api_key_id: input.apiKeyId,
      request_id: input.requestId,
      idempotency_key: input.idempotencyKey,
      mode: input.mode,
      broker: input.broker,
      operation: input.operation,
      strategy: input.strategy,
      exchange: input.exchange,
      symbol: input.symbol,
      request: jsonb(input.request),
      status: 'pending',
      created_at: input.createdAt,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['api_key_id', 'idempotency_key'])
        .where('idempotency_key', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

const RECORD_COLUMNS = [
  'id',
  'user_id',
  'api_key_id',
  'request_id',
  'idempotency_key',
  'mode',
  'broker',
  'operation',
  'strategy',
  'exchange',
  'symbol',
  'request',
  'status',
  'broker_order_id',
  'response',
  'error',
  'created_at',
  'completed_at',
] as const;

/**
 * Writes several orders in one statement (concurrent placements share one round trip; the rows
 * travel as one JSON parameter). Returns the ids actually inserted: a row missing from the
 * answer lost an idempotency-key conflict with an earlier order of the same API key, or was
 * there already.
 */
export async function recordOrders(db: Executor, inputs: readonly RecordOrderInput[]): Promise<Set<string>> {
  if (inputs.length === 0) {
    return new Set();
  }
  const rows = inputs.map((input) => ({
    id: input.id,
    user_id: input.userId,
    api_key_id: input.apiKeyId,
    request_id: input.requestId,
    idempotency_key: input.idempotencyKey,
    mode: input.mode,
    broker: input.broker,
    operation: input.operation,
    strategy: input.strategy,
    exchange: input.exchange,
    symbol: input.symbol,
    request: input.request,
    status: input.completion?.status ?? 'pending',
    broker_order_id: input.completion?.brokerOrderId ?? null,
    response: input.completion?.response ?? null,
    error: input.completion?.error ?? null,
    created_at: input.createdAt,
    completed_at: input.completion?.completedAt ?? null,
  }));
  const result = await insertOrderRows(db, JSON.stringify(rows));
  return new Set(result.rows.map((row) => row.id));
}

// No conflict target: a row lost to an earlier use of its idempotency key, and a row already
// there (written back from the spool after a crash), are both skipped.
const insertOrderRows = fixedStatement(
  (rowsJson: string) => sql<{ id: string }>`
    insert into order_log (${columnList(RECORD_COLUMNS)})
    select ${columnList(RECORD_COLUMNS)} from ${jsonRecordsetOf('order_log', rowsJson)}
    on conflict do nothing
    returning id`,
);

export async function markOrderSent(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('order_log').set({ status: 'sent', sent_at: at }).where('id', '=', id).execute();
}

export interface CompleteOrderInput {
  id: string;
  status: Exclude<OrderLogStatus, 'pending' | 'sent'>;
  brokerOrderId: string | null;
  response: JsonValue | null;
  error: string | null;
  completedAt: Date;
}

export async function completeOrder(db: Executor, input: CompleteOrderInput): Promise<void> {
  await db
    .updateTable('order_log')
    .set({
      status: input.status,
      broker_order_id: input.brokerOrderId,
      response: input.response === null ? null : jsonb(input.response),
      error: input.error,
      completed_at: input.completedAt,
    })
    .where('id', '=', input.id)
    .execute();
}

/**
 * Completes many orders in one statement (`UPDATE … FROM` a JSON recordset): the completions
 * of concurrent orders are written together, off the request path.
 */
export async function completeOrders(db: Executor, inputs: readonly CompleteOrderInput[]): Promise<void> {
  if (inputs.length === 0) {
    return;
  }
  const rows = inputs.map((input) => ({
    id: input.id,
    status: input.status,
    broker_order_id: input.brokerOrderId,
    response: input.response,
    error: input.error,
    completed_at: input.completedAt,
  }));
  await completeOrderRows(db, JSON.stringify(rows));
}

const completeOrderRows = fixedStatement(
  (rowsJson: string) => sql`
    update order_log as o set
      status = v.status,
      broker_order_id = coalesce(v.broker_order_id, o.broker_order_id),
      response = v.response,
      error = v.error,
      completed_at = v.completed_at
    from ${jsonRecordsetOf('order_log', rowsJson)} as v
    where o.id = v.id`,
);

export async function findOrderLogByIdempotencyKey(
  db: Executor,
  apiKeyId: number,
  idempotencyKey: string,
): Promise<OrderLogRow | undefined> {
  return db
    .selectFrom('order_log')
    .selectAll()
    .where('api_key_id', '=', apiKeyId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

export async function findOrderLog(db: Executor, id: string): Promise<OrderLogRow | undefined> {
  return db.selectFrom('order_log').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Orders whose outcome is not known: reconciled at start-up and after timeouts. */
export async function listUnfinishedOrders(db: Executor): Promise<OrderLogRow[]> {
  return db
    .selectFrom('order_log')
    .selectAll()
    .where('status', 'in', ['pending', 'sent', 'unknown'])
    .orderBy('created_at')
    .execute();
}

export interface ListOrderLogInput {
  limit?: number;
  /** One user's rows. */
  userId?: number;
  before?: Date;
  mode?: 'live' | 'analyze';
}

export async function listOrderLog(db: Executor, input: ListOrderLogInput = {}): Promise<OrderLogRow[]> {
  let builder = db.selectFrom('order_log').selectAll();
  if (input.userId !== undefined) {
    builder = builder.where('user_id', '=', input.userId);
  }
  if (input.before) {
    builder = builder.where('created_at', '<', input.before);
  }
  if (input.mode) {
    builder = builder.where('mode', '=', input.mode);
  }
  return builder
    .orderBy('created_at', 'desc')
    .limit(Math.min(input.limit ?? 100, 1_000))
    .execute();
}

/** Order-log rows of one mode (the analyzer's request count, `/api/v1/analyzer`). */
export async function countOrderLog(
  db: Executor,
  input: { mode?: 'live' | 'analyze' } = {},
): Promise<number> {
  let builder = db.selectFrom('order_log').select((eb) => eb.fn.countAll<number>().as('count'));
  if (input.mode) {
    builder = builder.where('mode', '=', input.mode);
  }
  const row = await builder.executeTakeFirstOrThrow();
  return Number(row.count);
}
