import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { JsonValue } from '../tables/broker-sessions.js';
import type {
  AlertStatus,
  NewStrategyRow,
  NewStrategySymbolRow,
  StrategyAlertRow,
  StrategyRow,
  StrategyRowUpdate,
  StrategySymbolRow,
} from '../tables/strategies.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function insertStrategy(db: Executor, row: NewStrategyRow): Promise<StrategyRow> {
  return db.insertInto('strategies').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateStrategy(
  db: Executor,
  id: number,
  userId: number,
  update: StrategyRowUpdate,
): Promise<StrategyRow | undefined> {
  return db
    .updateTable('strategies')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteStrategy(db: Executor, id: number, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('strategies')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findStrategy(
  db: Executor,
  id: number,
  userId: number,
): Promise<StrategyRow | undefined> {
  return db
    .selectFrom('strategies')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function findStrategyByWebhookId(
  db: Executor,
  webhookId: string,
): Promise<StrategyRow | undefined> {
  return db.selectFrom('strategies').selectAll().where('webhook_id', '=', webhookId).executeTakeFirst();
}

export async function listStrategies(db: Executor, userId: number): Promise<StrategyRow[]> {
  return db.selectFrom('strategies').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** Intraday strategies, for the square-off scheduler. */
export async function listIntradayStrategies(db: Executor): Promise<StrategyRow[]> {
  return db
    .selectFrom('strategies')
    .selectAll()
    .where('is_intraday', '=', true)
    .where('squareoff_time', 'is not', null)
    .orderBy('id')
    .execute();
}

export async function markStrategySquaredOff(db: Executor, id: number, istDate: string): Promise<boolean> {
  // Only one process wins the day's square-off: the update is conditional.
  const result = await db
    .updateTable('strategies')
    .set({ last_squareoff_date: istDate })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_squareoff_date', 'is', null), eb('last_squareoff_date', '<>', istDate)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listStrategySymbols(db: Executor, strategyId: number): Promise<StrategySymbolRow[]> {
  return db
    .selectFrom('strategy_symbols')
    .selectAll()
    .where('strategy_id', '=', strategyId)
    .orderBy('symbol')
    .orderBy('exchange')
    .execute();
}

/** Adds or updates mappings (symbol+exchange is the key); returns the stored rows. */
export async function upsertStrategySymbols(
  db: Executor,
  rows: readonly NewStrategySymbolRow[],
): Promise<StrategySymbolRow[]> {
  if (rows.length === 0) {
    return [];
  }
  return db
    .insertInto('strategy_symbols')
    .values([...rows])
    .onConflict((conflict) =>
      conflict.columns(['strategy_id', 'symbol', 'exchange']).doUpdateSet((eb) => ({
        quantity: eb.ref('excluded.quantity'),
        product: eb.ref('excluded.product'),
      })),
    )
    .returningAll()
    .execute();
}

export async function deleteStrategySymbol(
  db: Executor,
  strategyId: number,
  symbolId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('strategy_symbols')
    .where('strategy_id', '=', strategyId)
    .where('id', '=', symbolId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface InsertAlertInput {
  id: string;
  strategyId: number;
  receivedAt: Date;
  payload: JsonValue;
  dedupeKey: string;
}

/**
 * Persists an alert before it is acknowledged, in one statement. It claims the
 * (strategy, dedupe key) row of `strategy_alert_dedupe`: inserted when new, moved to this
 * alert when the last alert of that key that executed is older than `dedupeWindowMs`, else
 * left as it is — then this alert is stored as a `duplicate` of the one the row names. The
 * claim takes the row's lock (a concurrent insert of the same key waits for the first to
 * commit, then sees its row), so two concurrent deliveries, in one process or several, can
 * never both execute.
 */
export async function insertAlert(
  db: Executor,
  input: InsertAlertInput,
  dedupeWindowMs: number,
  options: { claim?: boolean; owner?: string } = {},
): Promise<StrategyAlertRow> {
  const since = new Date(input.receivedAt.getTime() - dedupeWindowMs);
  const fresh = options.claim ? 'processing' : 'received';
  const owner = options.claim ? (options.owner ?? null) : null;
  const keyHash = createHash('sha256').update(input.dedupeKey, 'utf8').digest('hex');
  const result = await sql<StrategyAlertRow>`
    with anchor as (
      insert into strategy_alert_dedupe as d (strategy_id, key_hash, alert_id, last_at)
      values (${input.strategyId}, ${keyHash}, ${input.id}, ${input.receivedAt})
      on conflict (strategy_id, key_hash) do update set
        alert_id = case when d.last_at < ${since} then excluded.alert_id else d.alert_id end,
        last_at = case when d.last_at < ${since} then excluded.last_at else d.last_at end
      returning alert_id
    )
    insert into strategy_alerts (id, strategy_id, received_at, payload, dedupe_key, status, outcome, processed_at, claimed_by)
    select ${input.id}, ${input.strategyId}, ${input.receivedAt}, ${jsonb(input.payload)}, ${input.dedupeKey},
      case when anchor.alert_id = ${input.id} then ${fresh} else 'duplicate' end,
      case when anchor.alert_id = ${input.id} then null else jsonb_build_object('duplicateOf', anchor.alert_id) end,
      case when anchor.alert_id = ${input.id} then null else ${input.receivedAt}::timestamptz end,
      case when anchor.alert_id = ${input.id} then ${owner}::text else null end
    from anchor
    returning *`.execute(db);
  const row = result.rows[0];
  if (!row) {
    throw new Error('alert not stored');
  }
  return row;
}

/**
 * Claims a received alert for processing, for the api process `owner`; false when another
 * worker already took it.
 */
export async function claimAlert(db: Executor, id: string, owner: string | null = null): Promise<boolean> {
  const result = await db
    .updateTable('strategy_alerts')
    .set({ status: 'processing', claimed_by: owner })
    .where('id', '=', id)
    .where('status', '=', 'received')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface FinishAlertInput {
  id: string;
  status: Exclude<AlertStatus, 'received' | 'processing' | 'duplicate'>;
  outcome: JsonValue | null;
  error: string | null;
  processedAt: Date;
}

export async function finishAlert(db: Executor, input: FinishAlertInput): Promise<void> {
  await db
    .updateTable('strategy_alerts')
    .set({
      status: input.status,
      outcome: input.outcome === null ? null : jsonb(input.outcome),
      error: input.error,
      processed_at: input.processedAt,
    })
    .where('id', '=', input.id)
    .execute();
}

/** Several alerts' outcomes in one statement (in order; an alert appears once). */
export async function finishAlerts(db: Executor, inputs: readonly FinishAlertInput[]): Promise<void> {
  const [only] = inputs;
  if (only === undefined) {
    return;
  }
  if (inputs.length === 1) {
    await finishAlert(db, only);
    return;
  }
  const values = sql.join(
    inputs.map(
      (input) =>
        sql`(${input.id}::text, ${input.status}::text, ${input.outcome === null ? null : JSON.stringify(input.outcome)}::text, ${input.error}::text, ${input.processedAt}::timestamptz)`,
    ),
  );
  await sql`
    update strategy_alerts as a
    set status = v.status, outcome = v.outcome::jsonb, error = v.error, processed_at = v.processed_at
    from (values ${values}) as v (id, status, outcome, error, processed_at)
    where a.id = v.id`.execute(db);
}

/** Alerts whose processing never finished (a crash between receipt and execution). */
/**
 * Alerts not finished, oldest first. With `liveOwners`, alerts being processed by one of those
 * api processes are left out: they are not unfinished, only not finished yet.
 */
export async function listUnfinishedAlerts(
  db: Executor,
  options: { liveOwners?: readonly string[] } = {},
): Promise<StrategyAlertRow[]> {
  const live = options.liveOwners ?? [];
  return db
    .selectFrom('strategy_alerts')
    .selectAll()
    .where('status', 'in', ['received', 'processing'])
    .$if(live.length > 0, (query) =>
      query.where((eb) =>
        eb.or([
          eb('status', '=', 'received'),
          eb('claimed_by', 'is', null),
          eb('claimed_by', 'not in', [...live]),
        ]),
      ),
    )
    .orderBy('received_at')
    .execute();
}

/** Says that the api process `id` is alive (a shared database's heartbeat). */
export async function heartbeatApiInstance(db: Executor, id: string, at: Date): Promise<void> {
  await db
    .insertInto('api_instances')
    .values({ id, heartbeat_at: at })
    .onConflict((conflict) => conflict.column('id').doUpdateSet({ heartbeat_at: at }))
    .execute();
}

/** An api process that stopped: its claims are abandoned at once. */
export async function removeApiInstance(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('api_instances').where('id', '=', id).execute();
}

/** The api processes whose heartbeat is not older than `since`. */
export async function listLiveApiInstances(db: Executor, since: Date): Promise<string[]> {
  const rows = await db.selectFrom('api_instances').select('id').where('heartbeat_at', '>=', since).execute();
  return rows.map((row) => row.id);
}

/** An order an alert placed, as the order log recorded it. */
export interface AlertOrderRow {
  id: string;
  symbol: string | null;
  exchange: string | null;
  status: string;
  broker_order_id: string | null;
}

/**
 * The orders recorded for an alert: strategy orders carry the alert id as their request id,
 * and each is in the order log before it is sent. Orders are recorded after their alert was
 * received, which bounds the search to the log's recent rows.
 */
export async function listAlertOrders(
  db: Executor,
  alertId: string,
  receivedAt: Date,
): Promise<AlertOrderRow[]> {
  return db
    .selectFrom('order_log')
    .select(['id', 'symbol', 'exchange', 'status', 'broker_order_id'])
    .where('created_at', '>=', receivedAt)
    .where('request_id', '=', alertId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Returns an interrupted `processing` alert to `received` so it can be claimed again. */
/**
 * Hands an alert being processed back to `received`. With `claimedBy`, only while that owner
 * still holds it (two processes recovering the same abandoned alert release it once).
 */
export async function releaseAlert(db: Executor, id: string, claimedBy?: string | null): Promise<void> {
  await db
    .updateTable('strategy_alerts')
    .set({ status: 'received', claimed_by: null })
    .where('id', '=', id)
    .where('status', '=', 'processing')
    .$if(claimedBy !== undefined, (query) =>
      query.where(sql<boolean>`claimed_by is not distinct from ${claimedBy ?? null}`),
    )
    .execute();
}

export async function findAlert(db: Executor, id: string): Promise<StrategyAlertRow | undefined> {
  return db.selectFrom('strategy_alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAlerts(db: Executor, strategyId: number, limit = 100): Promise<StrategyAlertRow[]> {
  return db
    .selectFrom('strategy_alerts')
    .selectAll()
    .where('strategy_id', '=', strategyId)
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
}
