import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGliteWorkerClient } from './pglite-worker.js';

/** One connection to the worker; PGlite serves one session, so callers take turns. */
class WorkerConnection implements DatabaseConnection {
  /** A transaction's BEGIN, run by the worker just before the transaction's first statement. */
  pendingBegin: string | null = null;

  constructor(readonly client: PGliteWorkerClient) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const before = this.pendingBegin;
    this.pendingBegin = null;
    const result = await this.client.query(compiledQuery.sql, compiledQuery.parameters, before);
    return {
      rows: result.rows as R[],
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 1_000,
  ): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(compiledQuery);
    for (let start = 0; start < result.rows.length; start += chunkSize) {
      yield { rows: result.rows.slice(start, start + chunkSize) };
    }
  }
}

class WorkerDriver implements Driver {
  readonly #connection: WorkerConnection;
  #queue: Promise<void> = Promise.resolve();

  constructor(client: PGliteWorkerClient) {
    this.#connection = new WorkerConnection(client);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // A FIFO lock: each acquirer waits for the previous holder's release.
    let release: () => void = () => {};
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    releases.set(this.#connection, release);
    return this.#connection;
  }

  /**
   * BEGIN travels with the transaction's first statement (the worker runs both for one
   * message, the statement only when BEGIN succeeded): a transaction costs one message less.
   */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    (connection as WorkerConnection).pendingBegin = `begin${isolation}`;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (!takeUnsentBegin(connection)) {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!takeUnsentBegin(connection)) {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = releases.get(connection);
    releases.delete(connection);
    release?.();
  }

  async destroy(): Promise<void> {}
}

const releases = new WeakMap<DatabaseConnection, () => void>();

/** Drops a BEGIN no statement followed (an empty transaction): true when there was one. */
function takeUnsentBegin(connection: DatabaseConnection): boolean {
  const worker = connection as WorkerConnection;
  const hadOne = worker.pendingBegin !== null;
  worker.pendingBegin = null;
  return hadOne;
}

/** Kysely over a PGlite worker thread; SQL is compiled exactly as for PostgreSQL. */
export class PGliteWorkerDialect implements Dialect {
  constructor(readonly client: PGliteWorkerClient) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new WorkerDriver(this.client);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  // biome-ignore lint/suspicious/noExplicitAny: the introspector works on any schema
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
