import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { LatencyLogRow, NewLatencyLogRow } from '../tables/latency-log.js';
import type { NewTrafficLogRow, TrafficLogRow } from '../tables/traffic-log.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Rows per INSERT: keeps statements well under the protocol's parameter limit, and short. */
const LOG_INSERT_CHUNK = 500;

/**
 * Bulk insert, used by the asynchronous log writer (never on a request's critical path).
 * Chunked, so other queries interleave and no statement grows unbounded.
 */
export async function insertTrafficLogs(db: Executor, rows: readonly NewTrafficLogRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += LOG_INSERT_CHUNK) {
    await db
      .insertInto('traffic_log')
      .values(rows.slice(start, start + LOG_INSERT_CHUNK))
      .execute();
  }
}

export async function insertLatencyLogs(db: Executor, rows: readonly NewLatencyLogRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += LOG_INSERT_CHUNK) {
    await db
      .insertInto('latency_log')
      .values(rows.slice(start, start + LOG_INSERT_CHUNK))
      .execute();
  }
}

export interface ListLogsInput {
  limit?: number;
  since?: Date;
  until?: Date;
}

export interface ListTrafficInput extends ListLogsInput {
  pathPrefix?: string;
  status?: number;
  minimumStatus?: number;
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
    builder = builder.where('path', 'like', `${input.pathPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (input.status !== undefined) {
    builder = builder.where('status', '=', input.status);
  }
  if (input.minimumStatus !== undefined) {
    builder = builder.where('status', '>=', input.minimumStatus);
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
