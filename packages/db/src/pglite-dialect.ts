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

/**
 * One turn on the worker's single session; PGlite serves one session, so callers take turns.
 * The worker runs messages strictly in the order they were posted, so a turn ends as soon as
 * its last message is posted, not when its answer is back: a statement outside a transaction,
 * or a transaction's COMMIT or ROLLBACK, lets the next caller post behind it at once, and the
 * worker goes from one to the next without waiting for this thread. (A `connection()` scope
 * therefore gets no exclusive session between its statements here: use a transaction.)
 */
class WorkerConnection implements DatabaseConnection {
  /** A transaction's BEGIN, run by the worker just before the transaction's first statement. */
  pendingBegin: string | null = null;
  isInTransaction = false;
  #release: (() => void) | null;

  constructor(
    readonly client: PGliteWorkerClient,
    release: () => void,
  ) {
    this.#release = release;
  }

  /** Ends this turn (once): the next caller may post. */
  release(): void {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const before = this.pendingBegin;
    this.pendingBegin = null;
    const answer = this.client.query(compiledQuery.sql, compiledQuery.parameters, before);
    if (!this.isInTransaction) {
      // Posted: whatever is posted next runs after it.
      this.release();
    }
    const result = await answer;
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
  readonly #client: PGliteWorkerClient;
  #queue: Promise<void> = Promise.resolve();

  constructor(client: PGliteWorkerClient) {
    this.#client = client;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // A FIFO lock: each turn waits for the previous one to end.
    let release: () => void = () => {};
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    return new WorkerConnection(this.#client, release);
  }

  /**
   * BEGIN travels with the transaction's first statement (the worker runs both for one
   * message, the statement only when BEGIN succeeded): a transaction costs one message less.
   */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const worker = connection as WorkerConnection;
    worker.pendingBegin = `begin${isolation}`;
    worker.isInTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await endTransaction(connection as WorkerConnection, 'commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await endTransaction(connection as WorkerConnection, 'rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as WorkerConnection).release();
  }

  async destroy(): Promise<void> {}
}

/**
 * COMMIT or ROLLBACK, unless no statement followed the BEGIN (an empty transaction: nothing
 * was sent). The session is out of the transaction either way once it ran (a failed COMMIT
 * rolls back), so the turn ends as it is posted.
 */
async function endTransaction(connection: WorkerConnection, statement: 'commit' | 'rollback'): Promise<void> {
  const hadUnsentBegin = connection.pendingBegin !== null;
  connection.pendingBegin = null;
  connection.isInTransaction = false;
  if (!hadUnsentBegin) {
    await connection.executeQuery(CompiledQuery.raw(statement));
  }
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
