import {
  type AnalyzerLogInput,
  type Database,
  insertAnalyzerLogs,
  type JsonValue,
  type Kysely,
} from '@openalgo/db';

/**
 * The analyzer request log (sandbox.md §13): every API request served in analyzer mode, with
 * what it answered. The key never reaches the table.
 */

export interface AnalyzerRequest {
  userId: number | null;
  /** The operation: placeorder, placesmartorder, cancelorder, orderbook, … */
  apiType: string;
  request: unknown;
  response: unknown;
}

/** A JSON copy of the request without `apikey` (at any depth). */
export function sanitizeAnalyzerRequest(value: unknown): JsonValue {
  if (Array.isArray(value)) {
    return value.map(sanitizeAnalyzerRequest);
  }
  if (value !== null && typeof value === 'object') {
    const result: Record<string, JsonValue> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (key.toLowerCase() !== 'apikey' && entry !== undefined) {
        result[key] = sanitizeAnalyzerRequest(entry);
      }
    }
    return result;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) {
    return value;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  return value === undefined ? null : String(value);
}

function statusOf(response: unknown): string {
  if (response !== null && typeof response === 'object' && 'status' in response) {
    const status = (response as { status: unknown }).status;
    return typeof status === 'string' ? status : 'unknown';
  }
  return 'unknown';
}

/** The row for a request, ready for a buffered writer. */
export function toAnalyzerLogInput(entry: AnalyzerRequest, at: number): AnalyzerLogInput {
  return {
    userId: entry.userId,
    apiType: entry.apiType,
    request: sanitizeAnalyzerRequest(entry.request),
    response: sanitizeAnalyzerRequest(entry.response),
    status: statusOf(entry.response),
    createdAt: new Date(at),
  };
}

/** Writes one analyzer log row now. */
export async function recordAnalyzerRequest(
  db: Kysely<Database>,
  entry: AnalyzerRequest,
  at: number,
): Promise<void> {
  await insertAnalyzerLogs(db, [toAnalyzerLogInput(entry, at)]);
}
