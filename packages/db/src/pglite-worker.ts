import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { MAX_PREPARED_PARAMETERS } from './postgres-driver.js';

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
const { PGlite, protocol, parse } = require(workerData.pgliteModule);
const { pg_trgm } = require(workerData.pgTrgmModule);
const wire = protocol.serialize;
let db;
const listeners = new Map();
// Named prepared statements, by SQL text (least recently used first): PGlite's own query()
// parses, describes and plans every statement each time, in six calls into Postgres; a
// statement prepared once runs as bind + execute in one call.
const statements = new Map();
const MAX_STATEMENTS = 2000;
let nextStatement = 0;
function concat(parts) {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
async function run(parts) {
  return (await db.execProtocol(concat(parts), { syncToFs: false })).messages;
}
async function prepare(sql) {
  const known = statements.get(sql);
  if (known) {
    statements.delete(sql);
    statements.set(sql, known);
    return known;
  }
  const name = 'oa_' + (nextStatement++).toString(36);
  try {
    const messages = await run([wire.parse({ name, text: sql, types: [] }), wire.describe({ type: 'S', name }), wire.sync()]);
    const entry = { name, types: parse.parseDescribeStatementResults(messages) };
    statements.set(sql, entry);
    if (statements.size > MAX_STATEMENTS) {
      const [oldest, evicted] = statements.entries().next().value;
      statements.delete(oldest);
      await run([wire.close({ type: 'S', name: evicted.name }), wire.sync()]);
    }
    return entry;
  } catch (error) {
    // A Parse that failed leaves no statement; Close of a missing one is no error.
    await run([wire.close({ type: 'S', name }), wire.sync()]).catch(() => {});
    throw error;
  }
}
function bindValues(entry, params) {
  // As PGlite's query() does: each value by the serializer of its parameter's type.
  return (params || []).map((param, i) => {
    if (param === null || param === undefined) return null;
    const serialize = db.serializers[entry.types[i]];
    return serialize ? serialize(param) : param.toString();
  });
}
async function runPrepared(sql, params, before) {
  const parts = [];
  if (before) {
    // BEGIN in the same call: when it fails, Postgres skips the statement up to the Sync.
    parts.push(wire.bind({ statement: (await prepare(before)).name, values: [] }), wire.execute({}));
  }
  const entry = await prepare(sql);
  parts.push(wire.bind({ statement: entry.name, values: bindValues(entry, params) }), wire.describe({ type: 'P' }), wire.execute({}), wire.sync());
  const messages = await run(parts);
  if (!db.isInTransaction()) await db.syncToFs();
  return toResult(messages);
}
// The last statement's rows and count, each value by its type's parser. (PGlite's own
// parseResults copies its whole table of parsers, hundreds of entries, on every call: on a
// slow machine that was the worker's largest single cost.)
function toResult(messages) {
  let fields = [];
  let rows = [];
  let affectedRows = 0;
  for (const message of messages) {
    if (message.name === 'rowDescription') {
      fields = message.fields;
      rows = [];
    } else if (message.name === 'dataRow') {
      const row = {};
      const values = message.fields;
      for (let i = 0; i < values.length; i++) {
        const field = fields[i];
        const value = values[i];
        const parser = value === null ? undefined : db.parsers[field.dataTypeID];
        row[field.name] = parser ? parser(value, field.dataTypeID) : value;
      }
      rows.push(row);
    } else if (message.name === 'commandComplete') {
      const words = message.text.split(' ');
      affectedRows = words[0] === 'INSERT' ? Number(words[2]) : ['UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(words[0]) ? Number(words[1]) : 0;
    }
  }
  return { rows, affectedRows };
}
async function queryPrepared(sql, params, before) {
  if (params && params.length > workerData.maxPreparedParameters) {
    // Long lists vary with their row count: each text prepared would stay for good.
    if (before) await db.exec(before);
    return await db.query(sql, params);
  }
  try {
    return await runPrepared(sql, params, before);
  } catch (error) {
    // A table's columns changed under a prepared "select *": prepare it again, once.
    if (error && error.code === '0A000' && /cached plan/.test(String(error.message))) {
      const stale = statements.get(sql);
      statements.delete(sql);
      if (stale) await run([wire.close({ type: 'S', name: stale.name }), wire.sync()]);
      return await runPrepared(sql, params, before);
    }
    throw error;
  }
}
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
      // A transaction's BEGIN travels with its first statement.
      const result = await queryPrepared(message.sql, message.params, message.before);
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
// One message at a time, in arrival order: a message's statements never interleave with the next's.
let turn = Promise.resolve();
parentPort.on('message', (message) => {
  turn = turn.then(() => handle(message)).then(
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
        maxPreparedParameters: MAX_PREPARED_PARAMETERS,
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
