import type { Generated, Insertable, Selectable } from 'kysely';
import type { Timestamp } from './users.js';

export interface TrafficLogTable {
  id: Generated<number>;
  at: Timestamp;
  request_id: string | null;
  method: string;
  path: string;
  status: number;
  /** Duration in milliseconds (double precision: a measurement, not money). */
  duration_ms: number;
  client_ip: string | null;
  api_key_id: number | null;
  error: string | null;
}

export type TrafficLogRow = Selectable<TrafficLogTable>;
export type NewTrafficLogRow = Insertable<TrafficLogTable>;
