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
 * Persists an alert before it is acknowledged. Inside one transaction that locks the strategy
 * row, an identical alert (same dedupe key) within `dedupeWindowMs` is stored as `duplicate`
 * instead, so two concurrent deliveries can never both execute.
 */
export async function insertAlert(
  db: Kysely<Database>,
  input: InsertAlertInput,
  dedupeWindowMs: number,
  options: { claim?: boolean } = {},
): Promise<StrategyAlertRow> {
  return db.transaction().execute(async (trx) => {
    // The strategy's row lock serialises its alerts; the duplicate check runs after it (a
    // statement of its own, so it sees every alert committed while this one waited).
    await trx.selectFrom('strategies').select('id').where('id', '=', input.strategyId).forUpdate().execute();
    const since = new Date(input.receivedAt.getTime() - dedupeWindowMs);
    const fresh = options.claim ? 'processing' : 'received';
    const result = await sql<StrategyAlertRow>`
      with previous as (
        select id from strategy_alerts
        where strategy_id = ${input.strategyId} and dedupe_key = ${input.dedupeKey}
          and received_at >= ${since} and status <> 'duplicate'
        limit 1
      )
      insert into strategy_alerts (id, strategy_id, received_at, payload, dedupe_key, status, outcome, processed_at)
      select ${input.id}, ${input.strategyId}, ${input.receivedAt}, ${jsonb(input.payload)}, ${input.dedupeKey},
        case when previous.id is null then ${fresh} else 'duplicate' end,
        case when previous.id is null then null else jsonb_build_object('duplicateOf', previous.id) end,
        case when previous.id is null then null else ${input.receivedAt}::timestamptz end
      from (select 1) as one left join previous on true
      returning *`.execute(trx);
    const row = result.rows[0];
    if (!row) {
      throw new Error('alert not stored');
    }
    return row;
  });
}

/** Claims a received alert for processing; false when another worker already took it. */
export async function claimAlert(db: Executor, id: string): Promise<boolean> {
  const result = await db
    .updateTable('strategy_alerts')
    .set({ status: 'processing' })
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

/** Alerts whose processing never finished (a crash between receipt and execution). */
export async function listUnfinishedAlerts(db: Executor): Promise<StrategyAlertRow[]> {
  return db
    .selectFrom('strategy_alerts')
    .selectAll()
    .where('status', 'in', ['received', 'processing'])
    .orderBy('received_at')
    .execute();
}

/** Returns an interrupted `processing` alert to `received` so it can be claimed again. */
export async function releaseAlert(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('strategy_alerts')
    .set({ status: 'received' })
    .where('id', '=', id)
    .where('status', '=', 'processing')
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
