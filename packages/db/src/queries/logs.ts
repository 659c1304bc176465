import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { LatencyLogRow, NewLatencyLogRow } from '../tables/latency-log.js';
import type { NewTrafficLogRow, TrafficLogRow } from '../tables/traffic-log.js';
import { columnList, jsonRecordsetOf } from './json-rows.js';
import { fixedStatement } from './statement-template.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Rows per INSERT: one JSON parameter each, so statements stay short and bounded. */
const LOG_INSERT_CHUNK = 1_000;

const TRAFFIC_COLUMNS = [
  'at',
  'request_id',
  'method',
  'path',
  'status',
  'duration_ms',
  'client_ip',
  'api_key_id',
  'error',
] as const;
const LATENCY_COLUMNS = [
  'at',
  'order_id',
  'operation',
  'broker',
  'mode',
  'platform_ms',
  'broker_ms',
  'total_ms',
  'status',
] as const;

const insertJsonRows = (table: 'traffic_log' | 'latency_log', columns: readonly string[]) =>
  fixedStatement(
    (rowsJson: string) => sql`insert into ${sql.table(table)} (${columnList(columns)})
      select ${columnList(columns)} from ${jsonRecordsetOf(table, rowsJson)}`,
  );
const INSERTS = {
  traffic_log: insertJsonRows('traffic_log', TRAFFIC_COLUMNS),
  latency_log: insertJsonRows('latency_log', LATENCY_COLUMNS),
};

async function insertJsonChunks(
  db: Executor,
  table: 'traffic_log' | 'latency_log',
  rows: readonly object[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += LOG_INSERT_CHUNK) {
    await INSERTS[table](db, JSON.stringify(rows.slice(start, start + LOG_INSERT_CHUNK)));
  }
}

/**
 * Bulk insert, used by the asynchronous log writer (never on a request's critical path).
 * Chunked, so other queries interleave and no statement grows unbounded.
 */
export async function insertTrafficLogs(db: Executor, rows: readonly NewTrafficLogRow[]): Promise<void> {
  await insertJsonChunks(db, 'traffic_log', rows);
}

export async function insertLatencyLogs(db: Executor, rows: readonly NewLatencyLogRow[]): Promise<void> {
  await insertJsonChunks(db, 'latency_log', rows);
}

export interface ListLogsInput {
  limit?: number;
  since?: Date;
  until?: Date;
}

export interface ListTrafficInput extends ListLogsInput {
  pathPrefix?: string;
  /** Rows whose path contains this text (LIKE metacharacters are matched as text). */
  pathContains?: string;
  status?: number;
  minimumStatus?: number;
  /** Rows whose status is below this (with `minimumStatus`: a status class such as 4xx). */
  statusBelow?: number;
}

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listTrafficLogs(db: Executor, input: ListTrafficInput = {}): Promise<TrafficLogRow[]> {
  let builder = db.selectFrom('traffic_log').selectAll();
  if (input.since) {
    builder = builder.where('at', '>=', input.since);
  }
  if (input.until) {
    builder = builder.where('at', '<', input.until);
  }
  if (input.pathPrefix) {
    builder = builder.where('path', 'like', `${likeLiteral(input.pathPrefix)}%`);
  }
  if (input.pathContains) {
    builder = builder.where('path', 'like', `%${likeLiteral(input.pathContains)}%`);
  }
  if (input.status !== undefined) {
    builder = builder.where('status', '=', input.status);
  }
  if (input.minimumStatus !== undefined) {
    builder = builder.where('status', '>=', input.minimumStatus);
  }
  if (input.statusBelow !== undefined) {
    builder = builder.where('status', '<', input.statusBelow);
  }
  return builder
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(input.limit ?? 200, 5_000))
    .execute();
}

export interface ListLatencyInput extends ListLogsInput {
  operation?: string;
}

export async function listLatencyLogs(db: Executor, input: ListLatencyInput = {}): Promise<LatencyLogRow[]> {
  let builder = db.selectFrom('latency_log').selectAll();
  if (input.since) {
    builder = builder.where('at', '>=', input.since);
  }
  if (input.until) {
    builder = builder.where('at', '<', input.until);
  }
  if (input.operation) {
    builder = builder.where('operation', '=', input.operation);
  }
  return builder
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(input.limit ?? 200, 5_000))
    .execute();
}
