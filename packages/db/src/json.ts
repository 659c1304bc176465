import { type RawBuilder, sql } from 'kysely';
import type { JsonValue } from './tables/broker-sessions.js';

/**
 * A jsonb value for inserts and updates. The text goes over as `text` and is cast in SQL,
 * so PGlite and postgres.js (which would JSON-encode a jsonb parameter a second time)
 * store exactly the same thing.
 */
export function jsonb(value: JsonValue): RawBuilder<JsonValue> {
  return sql<JsonValue>`${JSON.stringify(value)}::text::jsonb`;
}
