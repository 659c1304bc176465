import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, Timestamp } from './users.js';

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type Json = ColumnType<JsonValue, JsonValue, JsonValue>;

export interface BrokerSessionsTable {
  id: Generated<number>;
  user_id: number;
  broker: string;
  /** The broker's user id / client code. */
  broker_user_id: string | null;
  /** Access token, encrypted at rest by the api (AES-256-GCM envelope). */
  access_token_enc: string;
  /** Feed / streaming token when the broker has a separate one, encrypted. */
  feed_token_enc: string | null;
  metadata: Json;
  created_at: Timestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export type BrokerSessionRow = Selectable<BrokerSessionsTable>;
export type NewBrokerSessionRow = Insertable<BrokerSessionsTable>;
export type BrokerSessionRowUpdate = Updateable<BrokerSessionsTable>;
