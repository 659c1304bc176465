import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, Timestamp } from './users.js';

export type OrderMode = 'auto' | 'semi_auto';

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  /** HMAC-SHA256(pepper, key), hex: the key itself is never stored. */
  key_hash: string;
  /** The first characters of the key, to recognise it in the UI. */
  key_prefix: string;
  order_mode: ColumnType<OrderMode, OrderMode | undefined, OrderMode>;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type ApiKeyRowUpdate = Updateable<ApiKeysTable>;
