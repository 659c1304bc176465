import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { NullableTimestamp, Timestamp } from './users.js';

/** The order operations semi-auto mode queues for approval. */
export type PendingOrderApiType =
  | 'placeorder'
  | 'smartorder'
  | 'basketorder'
  | 'splitorder'
  | 'optionsorder'
  | 'optionsmultiorder'
  | 'placegttorder';

/**
 * `pending` → `executing` (claimed by exactly one approver) → `executed` | `failed`;
 * `pending` → `rejected` (by the owner) | `expired` (its time to live ran out).
 */
export type PendingOrderStatus = 'pending' | 'executing' | 'executed' | 'failed' | 'rejected' | 'expired';

export interface PendingOrdersTable {
  id: Generated<number>;
  user_id: number;
  api_type: PendingOrderApiType;
  /** The request as it arrived, without the API key. */
  order_data: Json;
  /**
   * The request id of the call that queued it (a strategy alert's id for webhook orders); the
   * order placed on approval is logged under it, so it stays linked to its alert.
   */
  request_id: string | null;
  status: ColumnType<PendingOrderStatus, PendingOrderStatus | undefined, PendingOrderStatus>;
  created_at: Timestamp;
  expires_at: Timestamp;
  approved_at: NullableTimestamp;
  approved_by: string | null;
  rejected_at: NullableTimestamp;
  rejected_by: string | null;
  rejected_reason: string | null;
  executed_at: NullableTimestamp;
  /** `live` or `analyze`: the mode in force when the order was executed. */
  execution_mode: string | null;
  /** Order id(s) or GTT trigger id the execution produced. */
  broker_order_id: string | null;
  broker_status: string | null;
  /** The body the order path answered with. */
  result: Json | null;
  error: string | null;
}

/** The audit trail: one row per thing that happened to a pending order, never updated. */
export interface PendingOrderEventsTable {
  id: Generated<number>;
  pending_order_id: number;
  user_id: number;
  /** queued, approved, rejected, executed, failed, expired, deleted. */
  action: string;
  actor: string;
  detail: Json;
  at: Timestamp;
}

export type PendingOrderRow = Selectable<PendingOrdersTable>;
export type NewPendingOrderRow = Insertable<PendingOrdersTable>;
export type PendingOrderRowUpdate = Updateable<PendingOrdersTable>;
export type PendingOrderEventRow = Selectable<PendingOrderEventsTable>;
export type NewPendingOrderEventRow = Insertable<PendingOrderEventsTable>;
