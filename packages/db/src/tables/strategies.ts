import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { NullableTimestamp, Timestamp } from './users.js';

export type StrategyKind = 'webhook' | 'chartink';
export type TradingMode = 'LONG' | 'SHORT' | 'BOTH';

export interface StrategiesTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  platform: string;
  kind: ColumnType<StrategyKind, StrategyKind, StrategyKind>;
  /** The secret in the webhook URL. */
  webhook_id: string;
  is_active: Generated<boolean>;
  is_intraday: Generated<boolean>;
  trading_mode: ColumnType<TradingMode, TradingMode | undefined, TradingMode>;
  /** IST `HH:MM` */
  start_time: string | null;
  end_time: string | null;
  squareoff_time: string | null;
  /** IST `YYYY-MM-DD` of the last square-off run, so it fires once a day. */
  last_squareoff_date: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type StrategyRow = Selectable<StrategiesTable>;
export type NewStrategyRow = Insertable<StrategiesTable>;
export type StrategyRowUpdate = Updateable<StrategiesTable>;

export interface StrategySymbolsTable {
  id: Generated<number>;
  strategy_id: number;
  symbol: string;
  exchange: string;
  quantity: number;
  product: string;
  created_at: Timestamp;
}

export type StrategySymbolRow = Selectable<StrategySymbolsTable>;
export type NewStrategySymbolRow = Insertable<StrategySymbolsTable>;

export type AlertStatus =
  | 'received'
  | 'processing'
  | 'executed'
  | 'partial'
  | 'rejected'
  | 'failed'
  | 'expired'
  | 'duplicate'
  | 'ignored';

export interface StrategyAlertsTable {
  id: string;
  strategy_id: number;
  received_at: Timestamp;
  payload: Json;
  dedupe_key: string;
  status: ColumnType<AlertStatus, AlertStatus, AlertStatus>;
  outcome: Json | null;
  error: string | null;
  processed_at: NullableTimestamp;
  /** The api process executing it (`processing`), or null. */
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export type StrategyAlertRow = Selectable<StrategyAlertsTable>;
export type NewStrategyAlertRow = Insertable<StrategyAlertsTable>;

/** An api process on a shared database, alive while its heartbeat is fresh. */
export interface ApiInstancesTable {
  id: string;
  started_at: ColumnType<Date, Date | string | undefined, never>;
  heartbeat_at: ColumnType<Date, Date | string, Date | string>;
}

/** The last alert of a (strategy, dedupe key) that was not a duplicate: the duplicate window's anchor. */
export interface StrategyAlertDedupeTable {
  strategy_id: number;
  /** SHA-256 (hex) of the dedupe key. */
  key_hash: string;
  alert_id: string;
  last_at: Timestamp;
}
