import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { AnalyzerLogRow } from '../tables/analyzer-log.js';
import type { JsonValue } from '../tables/broker-sessions.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface AnalyzerLogInput {
  userId: number | null;
  apiType: string;
  request: JsonValue;
  response: JsonValue;
  status: string;
  createdAt: Date;
}

export async function insertAnalyzerLogs(db: Executor, rows: readonly AnalyzerLogInput[]): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await db
    .insertInto('analyzer_log')
    .values(
      rows.map((row) => ({
        user_id: row.userId,
        api_type: row.apiType,
        request: jsonb(row.request),
        response: jsonb(row.response),
        status: row.status,
        created_at: row.createdAt,
      })),
    )
    .execute();
}

export async function countAnalyzerLogs(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('analyzer_log')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface ListAnalyzerLogsFilter {
  /** One user's requests only. */
  userId?: number;
  from?: Date;
  to?: Date;
  apiType?: string;
  limit?: number;
}

/** Newest first. */
export async function listAnalyzerLogs(
  db: Executor,
  filter: ListAnalyzerLogsFilter = {},
): Promise<AnalyzerLogRow[]> {
  let query = db.selectFrom('analyzer_log').selectAll();
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId);
  }
  if (filter.from) {
    query = query.where('created_at', '>=', filter.from);
  }
  if (filter.to) {
    query = query.where('created_at', '<', filter.to);
  }
  if (filter.apiType) {
    query = query.where('api_type', '=', filter.apiType);
  }
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 10_000))
    .execute();
}

/** Deletes rows older than `before`; returns how many went. */
export async function deleteAnalyzerLogsBefore(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('analyzer_log').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
