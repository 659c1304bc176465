import { mkdirSync } from 'node:fs';
import { Kysely, type LogConfig, sql } from 'kysely';
import postgres from 'postgres';
import type { Database } from './database.js';
import { PGliteWorkerDialect } from './pglite-dialect.js';
import { PGliteWorkerClient } from './pglite-worker.js';
import { BoundedPostgresJSDialect } from './postgres-driver.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseConfig {
  /** A PostgreSQL URL; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite data folder; `undefined` or `memory://` keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** PGlite: start from a dumped data folder (a tarball), much faster than initdb. */
  loadDataDir?: Blob | undefined;
  /** PostgreSQL: the schema to work in (search_path), for isolated test schemas. */
  schema?: string | undefined;
  /** PostgreSQL pool size. */
  maxConnections?: number | undefined;
  /**
   * PostgreSQL: how long a caller waits for a connection before the database counts as
   * unavailable (default 5 s). Connecting, with its retries, is bounded by the same time.
   */
  connectTimeoutMs?: number | undefined;
  /**
   * PostgreSQL: the longest wait for one statement's answer (default 30 s); then it fails as
   * unavailable and its connection is ended. Bounds a connection that died silently.
   */
  queryTimeoutMs?: number | undefined;
  /**
   * PostgreSQL: statements run as named prepared statements, kept per connection (default
   * true): one round trip instead of two for a statement with parameters, and no parsing
   * again. Turn off behind a pooler that cannot follow prepared statements (PgBouncer in
   * transaction mode before 1.21, without `max_prepared_statements`).
   */
  preparedStatements?: boolean | undefined;
  /**
   * Called with the SQL of every statement once it has run and how long it took (tests count
   * a path's round trips): COMMIT and ROLLBACK included, not a transaction's BEGIN, which
   * travels with its first statement. Nothing is logged without it.
   */
  onStatement?: ((sql: string, durationMs: number) => void) | undefined;
}

/** Seconds between reconnect attempts: from 50 ms, doubling, at most 1 s, with jitter. */
export function reconnectBackoffSeconds(attempt: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** Math.max(0, attempt - 1), 1);
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** The schema analyzer mode's tables live in: `sandbox` beside `public`, else `<schema>_sandbox`. */
  sandboxSchema: string;
  /** PGlite only: a tarball of the data folder (test templates), else null. */
  dump: ((compression?: 'none' | 'gzip') => Promise<Blob>) | null;
  /** LISTEN on a channel; returns the unlisten function. Cross-process on PostgreSQL. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** NOTIFY a channel. */
  notify(channel: string, payload?: string): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): string {
  if (!CHANNEL_PATTERN.test(channel)) {
    throw new Error(`invalid notification channel name: ${channel}`);
  }
  return channel;
}

const INT8_OID = 20;

/** The sandbox schema that belongs to a main schema (the sandbox migration applies the same rule). */
export function sandboxSchemaFor(mainSchema: string): string {
  return mainSchema === 'public' ? 'sandbox' : `${mainSchema}_sandbox`;
}

async function resolveSandboxSchema(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ name: string | null }>`select current_schema() as name`.execute(db);
  return sandboxSchemaFor(result.rows[0]?.name ?? 'public');
}

/** Opens PGlite (embedded default) or PostgreSQL (when `url` is set). */
export async function createDatabase(config: DatabaseConfig = {}): Promise<DatabaseHandle> {
  const { onStatement } = config;
  const log: LogConfig | undefined = onStatement
    ? (event) => {
        if (event.level === 'query') {
          onStatement(event.query.sql, event.queryDurationMillis);
        }
      }
    : undefined;
  if (config.url) {
    const connectTimeoutMs = config.connectTimeoutMs ?? 5_000;
    const client = postgres(config.url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      // A dropped database must give prompt, retryable errors and a quick recovery: connecting
      // is bounded (postgres.js's default waits 30 s per attempt), and reconnects back off to
      // 1 s at most (the default grows to 20 s, so the pool stayed away long after the
      // database was back).
      connect_timeout: connectTimeoutMs / 1000,
      backoff: reconnectBackoffSeconds,
      // int8 columns come back as numbers on both backends (PGlite does this natively).
      types: {
        bigint: {
          to: INT8_OID,
          from: [INT8_OID],
          serialize: (value: number | bigint) => value.toString(),
          parse: (value: string) => Number(value),
        },
      },
      ...(config.schema ? { connection: { search_path: `${config.schema},public` } } : {}),
    });
    const db = new Kysely<Database>({
      dialect: new BoundedPostgresJSDialect({
        postgres: client,
        acquireTimeoutMs: connectTimeoutMs,
        queryTimeoutMs: config.queryTimeoutMs ?? 30_000,
        preparedStatements: config.preparedStatements ?? true,
      }),
      ...(log ? { log } : {}),
    });
    // Notifications are database-wide: in a schema of its own (tests) the channel carries the
    // schema, so two installations sharing one database never invalidate each other's caches.
    const scoped = (channel: string) =>
      checkChannel(config.schema ? `${channel}__${config.schema}` : channel);
    return {
      db,
      kind: 'postgres',
      sandboxSchema: await resolveSandboxSchema(db),
      dump: null,
      listen: async (channel, onNotify) => {
        const subscription = await client.listen(scoped(channel), (payload) => onNotify(payload));
        return () => subscription.unlisten();
      },
      notify: async (channel, payload = '') => {
        await client.notify(scoped(channel), payload);
      },
      close: async () => {
        // Bounded: postgres.js waits for every connection to end, and a connection can stay
        // reserved indefinitely when a LISTEN is re-established while it ends; after 5 s the
        // remaining connections are terminated.
        await client.end({ timeout: 5 });
        await db.destroy();
      },
    };
  }
  const dataDir = config.dataDir && config.dataDir !== 'memory://' ? config.dataDir : undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
  }
  const client = await PGliteWorkerClient.open({ dataDir, loadDataDir: config.loadDataDir });
  const db = new Kysely<Database>({ dialect: new PGliteWorkerDialect(client), ...(log ? { log } : {}) });
  return {
    db,
    kind: 'pglite',
    sandboxSchema: await resolveSandboxSchema(db),
    dump: (compression) => client.dump(compression),
    listen: async (channel, onNotify) => client.listen(checkChannel(channel), onNotify),
    notify: async (channel, payload = '') => {
      await client.query('select pg_notify($1, $2)', [checkChannel(channel), payload]);
    },
    close: async () => {
      await db.destroy();
      await client.close();
    },
  };
}
