import type { Generated, Insertable, Selectable } from 'kysely';
import type { Timestamp } from './users.js';

export interface LatencyLogTable {
  id: Generated<number>;
  at: Timestamp;
  order_id: string | null;
  operation: string;
  broker: string;
  mode: string;
  /** Time spent in our platform before the broker request was sent. */
  platform_ms: number;
  /** Broker round trip. */
  broker_ms: number;
  total_ms: number;
  status: string;
}

export type LatencyLogRow = Selectable<LatencyLogTable>;
export type NewLatencyLogRow = Insertable<LatencyLogTable>;
