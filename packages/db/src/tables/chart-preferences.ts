import type { Insertable, Selectable } from 'kysely';
import type { Timestamp } from './users.js';

/** Chart preferences per user (`/api/v1/chart`): text values under free keys. */
export interface ChartPreferencesTable {
  user_id: number;
  key: string;
  value: string;
  updated_at: Timestamp;
}

export type ChartPreferenceRow = Selectable<ChartPreferencesTable>;
export type NewChartPreferenceRow = Insertable<ChartPreferencesTable>;
