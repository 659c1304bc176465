import {
  type AuditLogRow,
  type Database,
  insertAuditEvents,
  type JsonObject,
  type Kysely,
  type ListAuditInput,
  listAuditEvents,
  type NewAuditLogRow,
} from '@openalgo/db';
import type { AuditEvent } from '@openalgo/shared-types';
import type { Logger } from 'pino';
import { LogWriter } from './log-writer.js';

export interface AuditContext {
  userId?: number | null;
  ip?: string | null;
  /** Facts about the event; never a secret (no passwords, codes, keys or tokens). */
  detail?: JsonObject;
}

export interface AuditLogOptions {
  db: Kysely<Database>;
  now: () => number;
  logger: Logger;
  flushIntervalMs: number;
}

/**
 * The security audit log. `record` never waits on the database: rows go through the batched
 * log writer, so auditing adds nothing to a request's latency.
 */
export class AuditLog {
  readonly #db: Kysely<Database>;
  readonly #now: () => number;
  readonly #writer: LogWriter<NewAuditLogRow>;

  constructor(options: AuditLogOptions) {
    this.#db = options.db;
    this.#now = options.now;
    this.#writer = new LogWriter<NewAuditLogRow>({
      name: 'audit_log',
      write: (rows) => insertAuditEvents(options.db, rows),
      flushIntervalMs: options.flushIntervalMs,
      maxBuffered: 100_000,
      logger: options.logger,
    });
  }

  record(event: AuditEvent, context: AuditContext = {}): void {
    this.#writer.push({
      at: new Date(this.#now()),
      event,
      user_id: context.userId ?? null,
      ip: context.ip ?? null,
      detail: context.detail ?? {},
    });
  }

  /** Waits until everything recorded so far is written. */
  async flush(): Promise<void> {
    while (this.#writer.pending > 0) {
      await this.#writer.flush();
    }
  }

  async list(input: ListAuditInput = {}): Promise<AuditLogRow[]> {
    return listAuditEvents(this.#db, input);
  }

  async close(): Promise<void> {
    await this.#writer.close();
  }
}
