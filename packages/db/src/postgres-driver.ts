import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type postgres from 'postgres';
import { isDatabaseUnavailable } from './errors.js';

type TimeoutCode = 'CONNECT_TIMEOUT' | 'DATABASE_UNREACHABLE' | 'QUERY_TIMEOUT';

/**
 * The database did not answer in time: `CONNECT_TIMEOUT` when no connection came within the
 * acquire deadline, `DATABASE_UNREACHABLE` while the database is known to be away (the caller
 * is answered at once instead of queueing), `QUERY_TIMEOUT` when a statement got no answer
 * within the query deadline. All read as "the database is unavailable" (503) everywhere.
 */
export class DatabaseTimeoutError extends Error {
  readonly code: TimeoutCode;
  constructor(message: string, code: TimeoutCode = 'CONNECT_TIMEOUT') {
    super(message);
    this.name = 'DatabaseTimeoutError';
    this.code = code;
  }
}

/** How often a background attempt checks whether an unreachable database is back. */
const PROBE_INTERVAL_MS = 200;

/** A postgres.js reserved connection with the patched `terminate` (see patches/). */
type ReservedSql = postgres.ReservedSql & { terminate(): void };

export interface PostgresJsDriverOptions {
  /** The longest wait for a connection. */
  acquireTimeoutMs: number;
  /** The longest wait for one statement's answer; then its connection is ended. */
  queryTimeoutMs: number;
  /**
   * Runs statements of at most `MAX_PREPARED_PARAMETERS` parameters as named prepared
   * statements, kept per connection (see `DatabaseConfig.preparedStatements`).
   */
  preparedStatements: boolean;
}

/**
 * Statements with more parameters than this (multi-row inserts, long `in` lists) run unnamed:
 * their text varies with the row count, and each distinct text prepared would stay in the
 * connection (and its server process) until the connection ends.
 */
export const MAX_PREPARED_PARAMETERS = 64;

/** Races `work` against a deadline; `onTimeout` runs when the deadline won. */
async function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  timeout: () => DatabaseTimeoutError,
  onTimeout: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (error instanceof DatabaseTimeoutError) {
      onTimeout();
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One reserved postgres.js connection as Kysely sees it. A statement unanswered within the
 * query deadline rejects, and the connection is ended rather than returned to the pool (it
 * may still be busy with that statement, or dead without the socket knowing).
 */
class ReservedConnection implements DatabaseConnection {
  readonly #sql: ReservedSql;
  readonly #queryTimeoutMs: number;
  readonly #isPreparing: boolean;
  #isTerminated = false;
  /** A transaction's BEGIN, sent with its first statement (see `deferBegin`). */
  #pendingBegin: string | null = null;

  constructor(reserved: ReservedSql, queryTimeoutMs: number, isPreparing: boolean) {
    this.#sql = reserved;
    this.#queryTimeoutMs = queryTimeoutMs;
    this.#isPreparing = isPreparing;
  }

  /**
   * Holds a transaction's BEGIN until its first statement, then pipelines the two (written
   * together, answered in order): a transaction costs one round trip less. The statement is
   * only reported successful when the BEGIN was; a BEGIN refused on a live connection means
   * the session is unusable (aborted, closing), which fails the statement behind it too.
   */
  deferBegin(sql: string): void {
    this.#pendingBegin = sql;
  }

  /** Drops a BEGIN no statement followed (an empty transaction): true when there was one. */
  takeUnsentBegin(): boolean {
    const hadOne = this.#pendingBegin !== null;
    this.#pendingBegin = null;
    return hadOne;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const begin = this.#pendingBegin;
    if (begin === null) {
      return this.#run(compiledQuery);
    }
    this.#pendingBegin = null;
    const begun = this.#run(CompiledQuery.raw(begin));
    const ran = this.#run<R>(compiledQuery);
    const [beginOutcome, outcome] = await Promise.allSettled([begun, ran]);
    if (beginOutcome.status === 'rejected') {
      throw beginOutcome.reason;
    }
    if (outcome.status === 'rejected') {
      throw outcome.reason;
    }
    return outcome.value;
  }

  async #run<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { parameters } = compiledQuery;
    // An unnamed statement with parameters costs postgres.js two round trips (it describes the
    // statement to learn the parameter types, then binds); a prepared one, once described,
    // costs one, and the server skips parsing it again.
    const prepare =
      this.#isPreparing && parameters.length > 0 && parameters.length <= MAX_PREPARED_PARAMETERS;
    const result = await withDeadline(
      this.#sql.unsafe(compiledQuery.sql, [...parameters] as postgres.ParameterOrJSON<never>[], { prepare }),
      this.#queryTimeoutMs,
      () =>
        new DatabaseTimeoutError(
          `no answer from the database within ${this.#queryTimeoutMs} ms`,
          'QUERY_TIMEOUT',
        ),
      () => this.terminate(),
    );
    const { command, count } = result;
    const isWrite =
      command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return {
      ...(isWrite ? { numAffectedRows: BigInt(count) } : {}),
      rows: Array.from(result.values()) as R[],
    };
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    const begin = this.#pendingBegin;
    if (begin !== null) {
      // A cursor cannot share the BEGIN's round trip: open the transaction first.
      this.#pendingBegin = null;
      await this.#run(CompiledQuery.raw(begin));
    }
    const query = this.#sql.unsafe(compiledQuery.sql, [
      ...compiledQuery.parameters,
    ] as postgres.ParameterOrJSON<never>[]);
    for await (const rows of query.cursor(chunkSize)) {
      yield { rows: rows as unknown as R[] };
    }
  }

  terminate(): void {
    if (!this.#isTerminated) {
      this.#isTerminated = true;
      this.#sql.terminate();
    }
  }

  release(): void {
    if (!this.#isTerminated) {
      this.#sql.release();
    }
  }
}

/**
 * Kysely over a postgres.js pool, bounded and failing fast while the database is away. A
 * caller waits at most `acquireTimeoutMs` for a connection (a connection that arrives after
 * its caller gave up is handed straight back) and `queryTimeoutMs` for a statement. Once an
 * acquisition has failed because the database is unreachable, callers are answered at once
 * while a background attempt, every 200 ms, waits for the database; its first success lets
 * callers through again. Without this, work queued on a connection (one user's sandbox lane,
 * the order journal) waits a full deadline per step during an outage, and the backlog
 * outlives it.
 */
class PostgresJsDriver extends PostgresDriver {
  readonly #sql: postgres.Sql;
  readonly #options: PostgresJsDriverOptions;
  /** Set while the database is unreachable: the pending background attempt. */
  #outage: { timer: NodeJS.Timeout | null } | null = null;
  #isDestroyed = false;

  constructor(sql: postgres.Sql, options: PostgresJsDriverOptions) {
    // Kysely's PostgreSQL driver gives the transaction and savepoint statements; its `pg` pool
    // is never used (init, acquire, release and destroy are ours).
    super({ pool: () => Promise.reject(new Error('not a pg pool')) });
    this.#sql = sql;
    this.#options = options;
  }

  override async init(): Promise<void> {}

  override async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#outage) {
      throw new DatabaseTimeoutError('the database is unreachable; reconnecting', 'DATABASE_UNREACHABLE');
    }
    try {
      return await this.#reserve();
    } catch (error) {
      if (isDatabaseUnavailable(error) && !this.#outage && !this.#isDestroyed) {
        this.#outage = { timer: null };
        this.#probeLater();
      }
      throw error;
    }
  }

  async #reserve(): Promise<ReservedConnection> {
    const reserving = this.#sql.reserve() as Promise<ReservedSql>;
    const reserved = await withDeadline(
      reserving,
      this.#options.acquireTimeoutMs,
      () => new DatabaseTimeoutError(`no database connection within ${this.#options.acquireTimeoutMs} ms`),
      () => {
        reserving.then(
          (late) => late.release(),
          () => undefined,
        );
      },
    );
    return new ReservedConnection(reserved, this.#options.queryTimeoutMs, this.#options.preparedStatements);
  }

  #probeLater(): void {
    const outage = this.#outage;
    if (!outage || this.#isDestroyed) {
      return;
    }
    outage.timer = setTimeout(() => {
      outage.timer = null;
      this.#reserve().then(
        (connection) => {
          this.#outage = null;
          connection.release();
        },
        () => this.#probeLater(),
      );
    }, PROBE_INTERVAL_MS);
    outage.timer.unref();
  }

  override async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    const modes = [
      ...(settings.isolationLevel ? [`isolation level ${settings.isolationLevel}`] : []),
      ...(settings.accessMode ? [settings.accessMode] : []),
    ];
    (connection as ReservedConnection).deferBegin(
      modes.length > 0 ? `start transaction ${modes.join(' ')}` : 'begin',
    );
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (!(connection as ReservedConnection).takeUnsentBegin()) {
      await super.commitTransaction(connection);
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!(connection as ReservedConnection).takeUnsentBegin()) {
      await super.rollbackTransaction(connection);
    }
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as ReservedConnection).release();
  }

  override async destroy(): Promise<void> {
    this.#isDestroyed = true;
    if (this.#outage?.timer) {
      clearTimeout(this.#outage.timer);
    }
    this.#outage = null;
    await this.#sql.end();
  }
}

/** The PostgreSQL dialect over postgres.js with bounded waits (see `PostgresJsDriver`). */
export class BoundedPostgresJSDialect implements Dialect {
  readonly #sql: postgres.Sql;
  readonly #options: PostgresJsDriverOptions;

  constructor(config: { postgres: postgres.Sql } & PostgresJsDriverOptions) {
    const { postgres: sql, ...options } = config;
    this.#sql = sql;
    this.#options = options;
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PostgresJsDriver(this.#sql, this.#options);
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's introspector takes any database.
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
