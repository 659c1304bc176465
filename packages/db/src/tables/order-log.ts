import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { NullableTimestamp, Timestamp } from './users.js';

/**
 * `pending`: recorded, not yet sent. `sent`: the broker call is under way.
 * `accepted` / `rejected`: the broker answered. `failed`: it never reached the broker.
 * `unknown`: timed out; reconciliation against the broker's order book decides.
 */
export type OrderLogStatus = 'pending' | 'sent' | 'accepted' | 'rejected' | 'failed' | 'unknown';
export type OrderLogMode = 'live' | 'analyze';

export interface OrderLogTable {
  /** Our own id, `ord_…`. */
  id: string;
  user_id: number | null;
  api_key_id: number | null;
  request_id: string | null;
  /** Client-supplied idempotency key: a retried placement returns the first result. */
  idempotency_key: string | null;
  mode: ColumnType<OrderLogMode, OrderLogMode, OrderLogMode>;
  broker: string;
  /** The operation: placeorder, modifyorder, cancelorder, … */
  operation: string;
  strategy: string | null;
  exchange: string | null;
  symbol: string | null;
  request: Json;
  status: ColumnType<OrderLogStatus, OrderLogStatus, OrderLogStatus>;
  broker_order_id: string | null;
  response: Json | null;
  error: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  completed_at: NullableTimestamp;
}

export type OrderLogRow = Selectable<OrderLogTable>;
export type NewOrderLogRow = Insertable<OrderLogTable>;
export type OrderLogRowUpdate = Updateable<OrderLogTable>;
