import { type RawBuilder, sql } from 'kysely';

/**
 * Many rows as one JSON parameter, expanded into typed rows by PostgreSQL
 * (`json_populate_recordset(null::table, $1)`): a bulk write costs one parameter instead of one
 * per column and row, which on the embedded database (where every parameter crosses the
 * protocol in JavaScript) makes batched log writes several times cheaper. Keys are column
 * names; dates travel as ISO strings, jsonb columns as nested JSON. The text goes over as `text`
 * and is cast in SQL (postgres.js would JSON-encode a json parameter a second time).
 */
export function jsonRecordset(table: string, rows: readonly object[]): RawBuilder<unknown> {
  return jsonRecordsetOf(table, JSON.stringify(rows));
}

/** `jsonRecordset` of rows already written as a JSON array. */
export function jsonRecordsetOf(table: string, rowsJson: string): RawBuilder<unknown> {
  return sql`json_populate_recordset(null::${sql.table(table)}, ${rowsJson}::text::json)`;
}

export function columnList(columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.ref(column)));
}
