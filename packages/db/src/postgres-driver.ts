import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import { isDatabaseUnavailable } from './errors.js';

type CompileQuery = QueryCompiler['compileQuery'];

/**
 * No connection to the database could be had: `CONNECT_TIMEOUT` when none came within the
 * acquire deadline, `DATABASE_UNREACHABLE` while the database is known to be away (the caller
 * is answered at once instead of queueing). Both read as "the database is unavailable" (503)
 * everywhere.
 */
export class DatabaseTimeoutError extends Error {
  readonly code: 'CONNECT_TIMEOUT' | 'DATABASE_UNREACHABLE';
  constructor(message: string, code: 'CONNECT_TIMEOUT' | 'DATABASE_UNREACHABLE' = 'CONNECT_TIMEOUT') {
    super(message);
    this.name = 'DatabaseTimeoutError';
    this.code = code;
  }
}

/** How often a background attempt checks whether an unreachable database is back. */
const PROBE_INTERVAL_MS = 200;

/**
 * A driver whose connection acquisition is bounded and fails fast while the database is away.
 * A caller waits at most `acquireTimeoutMs` for a connection (a connection that arrives after
 * its caller gave up is handed straight back to the pool). Once an acquisition has failed
 * because the database is unreachable, callers are answered at once while a background
 * attempt, every 200 ms, waits for the database; its first success lets callers through
 * again. Without this, work queued on a connection (one user's sandbox lane, the order
 * journal) waits a full deadline per step during an outage, and the backlog outlives it.
 */
class BoundedAcquireDriver implements Driver {
  readonly #inner: Driver;
  readonly #acquireTimeoutMs: number;
  /** Set while the database is unreachable: the pending background attempt. */
  #outage: { timer: NodeJS.Timeout | null } | null = null;
  #isDestroyed = false;

  constructor(inner: Driver, acquireTimeoutMs: number) {
    this.#inner = inner;
    this.#acquireTimeoutMs = acquireTimeoutMs;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#outage) {
      throw new DatabaseTimeoutError('the database is unreachable; reconnecting', 'DATABASE_UNREACHABLE');
    }
    try {
      return await this.#acquireWithDeadline();
    } catch (error) {
      if (isDatabaseUnavailable(error) && !this.#outage && !this.#isDestroyed) {
        this.#outage = { timer: null };
        this.#probeLater();
      }
      throw error;
    }
  }

  #probeLater(): void {
    const outage = this.#outage;
    if (!outage || this.#isDestroyed) {
      return;
    }
    outage.timer = setTimeout(() => {
      outage.timer = null;
      this.#acquireWithDeadline().then(
        (connection) => {
          this.#outage = null;
          return this.#inner.releaseConnection(connection);
        },
        () => this.#probeLater(),
      );
    }, PROBE_INTERVAL_MS);
    outage.timer.unref();
  }

  async #acquireWithDeadline(): Promise<DatabaseConnection> {
    const acquiring = this.#inner.acquireConnection();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DatabaseTimeoutError(`no database connection within ${this.#acquireTimeoutMs} ms`)),
        this.#acquireTimeoutMs,
      );
    });
    try {
      return await Promise.race([acquiring, deadline]);
    } catch (error) {
      if (error instanceof DatabaseTimeoutError) {
        acquiring.then(
          (connection) => this.#inner.releaseConnection(connection),
          () => undefined,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: CompileQuery,
  ): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    this.#isDestroyed = true;
    if (this.#outage?.timer) {
      clearTimeout(this.#outage.timer);
    }
    this.#outage = null;
    return this.#inner.destroy();
  }
}

/** The postgres.js dialect with a bounded wait for a connection. */
export class BoundedPostgresJSDialect extends PostgresJSDialect {
  readonly #acquireTimeoutMs: number;

  constructor(config: ConstructorParameters<typeof PostgresJSDialect>[0] & { acquireTimeoutMs: number }) {
    const { acquireTimeoutMs, ...dialectConfig } = config;
    super(dialectConfig);
    this.#acquireTimeoutMs = acquireTimeoutMs;
  }

  override createDriver(): Driver {
    return new BoundedAcquireDriver(super.createDriver(), this.#acquireTimeoutMs);
  }
}
