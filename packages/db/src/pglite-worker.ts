import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * PGlite runs Postgres compiled to WASM, synchronously, in the thread that owns it. Embedded
 * in the api's main thread it would stall every HTTP request while it works, so it lives in
 * a worker thread and the main thread talks to it by messages.
 *
 * The worker source is a string (not a file) so it runs the same from TypeScript sources in
 * tests and from a bundled app; PGlite's own modules are resolved here and required there.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pgliteModule);
const { pg_trgm } = require(workerData.pgTrgmModule);
let db;
const listeners = new Map();
function serializeError(error) {
  const out = { message: String(error && error.message || error) };
  for (const key of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position']) {
    if (error && error[key] !== undefined) out[key] = error[key];
  }
  return out;
}
async function handle(message) {
  switch (message.type) {
    case 'open': {
      const options = { extensions: { pg_trgm } };
      if (message.dataDir) options.dataDir = message.dataDir;
      if (message.loadDataDir) options.loadDataDir = new Blob([message.loadDataDir]);
      db = await PGlite.create(options);
      return {};
    }
    case 'query': {
      // A transaction's BEGIN, sent with its first statement.
      if (message.before) await db.exec(message.before);
      const result = await db.query(message.sql, message.params);
      return { rows: result.rows, affectedRows: result.affectedRows };
    }
    case 'exec': {
      await db.exec(message.sql);
      return {};
    }
    case 'listen': {
      const unlisten = await db.listen(message.channel, (payload) => {
        parentPort.postMessage({ type: 'notification', listenerId: message.listenerId, payload });
      });
      listeners.set(message.listenerId, unlisten);
      return {};
    }
    case 'unlisten': {
      const unlisten = listeners.get(message.listenerId);
      listeners.delete(message.listenerId);
      if (unlisten) await unlisten();
      return {};
    }
    case 'dump': {
      const blob = await db.dumpDataDir(message.compression || 'none');
      return { dump: await blob.arrayBuffer() };
    }
    case 'close': {
      if (db && !db.closed) await db.close();
      return {};
    }
    default:
      throw new Error('unknown message ' + message.type);
  }
}
parentPort.on('message', (message) => {
  handle(message).then(
    (result) => {
      const transfer = result.dump ? [result.dump] : [];
      parentPort.postMessage({ type: 'result', id: message.id, result }, transfer);
    },
    (error) => parentPort.postMessage({ type: 'result', id: message.id, error: serializeError(error) }),
  );
});
`;

export interface WorkerQueryResult {
  rows: Record<string, unknown>[];
  affectedRows?: number;
}

type Pending = { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void };

/** A database error carrying Postgres' fields (`code` 23505 for a unique violation, …). */
export class PGliteQueryError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
  constructor(fields: Record<string, unknown>) {
    super(String(fields.message));
    this.name = 'PGliteQueryError';
    Object.assign(this, fields);
  }
}

export class PGliteWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<number, (payload: string) => void>();
  #nextId = 1;
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on(
      'message',
      (message: {
        type: string;
        id?: number;
        result?: Record<string, unknown>;
        error?: Record<string, unknown>;
        listenerId?: number;
        payload?: string;
      }) => {
        if (message.type === 'notification') {
          this.#listeners.get(message.listenerId ?? -1)?.(message.payload ?? '');
          return;
        }
        const pending = this.#pending.get(message.id ?? -1);
        if (!pending) {
          return;
        }
        this.#pending.delete(message.id ?? -1);
        if (message.error) {
          pending.reject(new PGliteQueryError(message.error));
        } else {
          pending.resolve(message.result ?? {});
        }
      },
    );
    worker.on('error', (error) => this.#failAll(error));
    worker.on('exit', (code) => this.#failAll(new Error(`PGlite worker exited with code ${code}`)));
  }

  static async open(options: {
    dataDir?: string | undefined;
    loadDataDir?: Blob | undefined;
  }): Promise<PGliteWorkerClient> {
    const require = createRequire(import.meta.url);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        pgliteModule: require.resolve('@electric-sql/pglite'),
        pgTrgmModule: require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
      },
    });
    const client = new PGliteWorkerClient(worker);
    const loadDataDir = options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined;
    try {
      await client.#call(
        { type: 'open', dataDir: options.dataDir, loadDataDir },
        loadDataDir ? [loadDataDir] : [],
      );
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return client;
  }

  #failAll(error: Error): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      pending.reject(error);
    }
    this.#pending.clear();
  }

  #call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, unknown>> {
    if (this.#closed) {
      return Promise.reject(new Error('PGlite worker is closed'));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Runs one statement; `before` (a transaction's BEGIN) runs first, and the statement only if it succeeded. */
  async query(
    sql: string,
    params: readonly unknown[],
    before: string | null = null,
  ): Promise<WorkerQueryResult> {
    return (await this.#call({ type: 'query', sql, params, before })) as unknown as WorkerQueryResult;
  }

  async exec(sql: string): Promise<void> {
    await this.#call({ type: 'exec', sql });
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const listenerId = this.#nextId++;
    this.#listeners.set(listenerId, onNotify);
    await this.#call({ type: 'listen', channel, listenerId });
    return async () => {
      this.#listeners.delete(listenerId);
      if (!this.#closed) {
        await this.#call({ type: 'unlisten', listenerId });
      }
    };
  }

  async dump(compression: 'none' | 'gzip' = 'none'): Promise<Blob> {
    const result = await this.#call({ type: 'dump', compression });
    return new Blob([result.dump as ArrayBuffer]);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    try {
      await this.#call({ type: 'close' });
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
    }
  }
}
