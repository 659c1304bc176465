import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { JsonValue } from '../tables/broker-sessions.js';
import type {
  PendingOrderApiType,
  PendingOrderEventRow,
  PendingOrderRow,
  PendingOrderStatus,
} from '../tables/pending-orders.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface QueuePendingOrderInput {
  userId: number;
  apiType: PendingOrderApiType;
  orderData: JsonValue;
  /** The request id of the call that queued it (a strategy alert's id), if any. */
  requestId?: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertPendingOrder(
  db: Executor,
  input: QueuePendingOrderInput,
): Promise<PendingOrderRow> {
  return db
    .insertInto('pending_orders')
    .values({
      user_id: input.userId,
      api_type: input.apiType,
      order_data: jsonb(input.orderData),
      request_id: input.requestId ?? null,
      status: 'pending',
      created_at: input.createdAt,
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findPendingOrder(
  db: Executor,
  userId: number,
  id: number,
): Promise<PendingOrderRow | undefined> {
  return db
    .selectFrom('pending_orders')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listPendingOrders(
  db: Executor,
  userId: number,
  statuses?: readonly PendingOrderStatus[],
): Promise<PendingOrderRow[]> {
  let query = db.selectFrom('pending_orders').selectAll().where('user_id', '=', userId);
  if (statuses) {
    query = query.where('status', 'in', [...statuses]);
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export async function countPendingOrders(db: Executor, userId: number, now: Date): Promise<number> {
  const row = await db
    .selectFrom('pending_orders')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * The atomic approval: one conditional UPDATE moves a live pending row to `executing`.
 * Exactly one of any number of concurrent approvers gets the row back; the rest get
 * `undefined` (already claimed, rejected, expired or not theirs).
 */
export async function claimPendingOrder(
  db: Executor,
  input: { userId: number; id: number; approvedBy: string; now: Date },
): Promise<PendingOrderRow | undefined> {
  return db
    .updateTable('pending_orders')
    .set({ status: 'executing', approved_at: input.now, approved_by: input.approvedBy })
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', input.now)
    .returningAll()
    .executeTakeFirst();
}

export async function rejectPendingOrder(
  db: Executor,
  input: { userId: number; id: number; rejectedBy: string; reason: string; now: Date },
): Promise<PendingOrderRow | undefined> {
  return db
    .updateTable('pending_orders')
    .set({
      status: 'rejected',
      rejected_at: input.now,
      rejected_by: input.rejectedBy,
      rejected_reason: input.reason,
    })
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export async function finishPendingOrder(
  db: Executor,
  input: {
    id: number;
    status: 'executed' | 'failed';
    executedAt: Date;
    executionMode: string;
    brokerOrderId: string | null;
    brokerStatus: string | null;
    result: JsonValue | null;
    error: string | null;
  },
): Promise<PendingOrderRow | undefined> {
  return db
    .updateTable('pending_orders')
    .set({
      status: input.status,
      executed_at: input.executedAt,
      execution_mode: input.executionMode,
      broker_order_id: input.brokerOrderId,
      broker_status: input.brokerStatus,
      result: input.result === null ? null : jsonb(input.result),
      error: input.error,
    })
    .where('id', '=', input.id)
    .where('status', '=', 'executing')
    .returningAll()
    .executeTakeFirst();
}

/** Marks every pending row whose time to live ran out; returns them. */
export async function expirePendingOrders(db: Executor, now: Date): Promise<PendingOrderRow[]> {
  return db
    .updateTable('pending_orders')
    .set({ status: 'expired' })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .returningAll()
    .execute();
}

/** Rows an interrupted process left in `executing` before `claimedBefore`. */
export async function listStalePendingExecutions(
  db: Executor,
  claimedBefore: Date,
): Promise<PendingOrderRow[]> {
  return db
    .selectFrom('pending_orders')
    .selectAll()
    .where('status', '=', 'executing')
    .where('approved_at', '<', claimedBefore)
    .orderBy('id')
    .execute();
}

/** Deletes a finished row (never a pending or executing one). */
export async function deletePendingOrder(
  db: Executor,
  userId: number,
  id: number,
): Promise<PendingOrderRow | undefined> {
  return db
    .deleteFrom('pending_orders')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('status', 'not in', ['pending', 'executing'])
    .returningAll()
    .executeTakeFirst();
}

export async function insertPendingOrderEvent(
  db: Executor,
  input: {
    pendingOrderId: number;
    userId: number;
    action: string;
    actor: string;
    detail: JsonValue;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('pending_order_events')
    .values({
      pending_order_id: input.pendingOrderId,
      user_id: input.userId,
      action: input.action,
      actor: input.actor,
      detail: jsonb(input.detail),
      at: input.at,
    })
    .execute();
}

export async function listPendingOrderEvents(
  db: Executor,
  pendingOrderId: number,
): Promise<PendingOrderEventRow[]> {
  return db
    .selectFrom('pending_order_events')
    .selectAll()
    .where('pending_order_id', '=', pendingOrderId)
    .orderBy('id')
    .execute();
}
