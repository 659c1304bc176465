import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, Timestamp } from './users.js';

export interface TelegramBotTable {
  id: number;
  /** Bot token, encrypted at rest (AES-256-GCM envelope). */
  token_enc: string | null;
  bot_username: string | null;
  is_active: Generated<boolean>;
  polling_mode: Generated<boolean>;
  webhook_url: string | null;
  broadcast_enabled: Generated<boolean>;
  rate_limit_per_minute: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TelegramBotRow = Selectable<TelegramBotTable>;
export type TelegramBotRowUpdate = Updateable<TelegramBotTable>;

export interface TelegramUsersTable {
  id: Generated<number>;
  /** int8: read back as a number on both backends (Telegram ids fit in 53 bits). */
  telegram_id: number;
  user_id: number;
  first_name: string | null;
  last_name: string | null;
  telegram_username: string | null;
  broker: string | null;
  notifications_enabled: Generated<boolean>;
  order_notifications: Generated<boolean>;
  trade_notifications: Generated<boolean>;
  pnl_notifications: Generated<boolean>;
  daily_summary: Generated<boolean>;
  summary_time: string | null;
  language: Generated<string>;
  timezone: Generated<string>;
  created_at: Timestamp;
  last_command_at: NullableTimestamp;
}

export type TelegramUserRow = Selectable<TelegramUsersTable>;
export type NewTelegramUserRow = Insertable<TelegramUsersTable>;
export type TelegramUserRowUpdate = Updateable<TelegramUsersTable>;

export interface TelegramCommandLogTable {
  id: Generated<number>;
  telegram_id: number;
  command: string;
  at: Timestamp;
}
