import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { Timestamp } from './users.js';

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export type SettingRow = Selectable<SettingsTable>;
export type NewSettingRow = Insertable<SettingsTable>;
export type SettingRowUpdate = Updateable<SettingsTable>;
