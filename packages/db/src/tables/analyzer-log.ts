import type { Generated, Insertable, Selectable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { Timestamp } from './users.js';

/** Every API request served in analyzer mode: what was asked (without the key) and answered. */
export interface AnalyzerLogTable {
  id: Generated<number>;
  user_id: number | null;
  /** The operation: placeorder, placesmartorder, cancelorder, orderstatus, … */
  api_type: string;
  request: Json;
  response: Json;
  /** `success` or `error`, from the response body. */
  status: string;
  created_at: Timestamp;
}

export type AnalyzerLogRow = Selectable<AnalyzerLogTable>;
export type NewAnalyzerLogRow = Insertable<AnalyzerLogTable>;
