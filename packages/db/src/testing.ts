import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createDatabase, type DatabaseHandle, type DatabaseKind } from './create-database.js';
import { migrateToLatest } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

import { TcpProxy } from './tcp-proxy.js';

export { TcpProxy };

/**
 * Test helpers: a fresh, migrated database per suite. PGlite always; PostgreSQL too when
 * `DATABASE_URL` is set (each suite gets its own schema, dropped on close).
 */

/**
 * A started loopback proxy in front of the PostgreSQL server of `DATABASE_URL`, and that URL
 * rewritten to reach the server through it (fault tests cut and restore its connections).
 */
export async function startPostgresProxy(): Promise<{ proxy: TcpProxy; url: string }> {
  if (!process.env.DATABASE_URL) {
    throw new Error('a PostgreSQL proxy needs DATABASE_URL');
  }
  const target = new URL(process.env.DATABASE_URL);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.start();
  target.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: target.toString() };
}

export function testBackends(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends DatabaseHandle {
  /** `pglite` or `postgres (schema t_…)`. */
  label: string;
  /** PostgreSQL: the suite's own schema (another handle may open it, e.g. through a proxy). */
  schema: string | null;
}

let templatePromise: Promise<Blob> | undefined;

function templateCachePath(): string {
  const fingerprint = createHash('sha256')
    .update(Object.keys(MIGRATIONS).join('\n'))
    .update(
      Object.values(MIGRATIONS)
        .map((migration) => migration.up.toString())
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 16);
  return join(tmpdir(), 'openalgo-ts-test-templates', `pglite-${fingerprint}.tar`);
}

/** A migrated PGlite data folder, built once and cached on disk: initdb is slow, loading is not. */
async function loadTemplate(): Promise<Blob> {
  const path = templateCachePath();
  if (existsSync(path)) {
    return new Blob([readFileSync(path)]);
  }
  const handle = await createDatabase({});
  await migrateToLatest(handle.db);
  if (!handle.dump) {
    throw new Error('template must be PGlite');
  }
  const dump = await handle.dump();
  await handle.close();
  mkdirSync(join(tmpdir(), 'openalgo-ts-test-templates'), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
  renameSync(temporary, path);
  return dump;
}

export interface TestDatabaseOptions {
  /** Sees the SQL of every statement once it has run (see `DatabaseConfig.onStatement`). */
  onStatement?: (sql: string, durationMs: number) => void;
}

export async function createTestDatabase(
  kind: DatabaseKind = 'pglite',
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    templatePromise ??= loadTemplate();
    const handle = await createDatabase({
      loadDataDir: await templatePromise,
      onStatement: options.onStatement,
    });
    // The template may predate a migration only if the cache key missed it; this is a no-op otherwise.
    await migrateToLatest(handle.db);
    return { ...handle, label: 'pglite', schema: null };
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL is not set: PostgreSQL tests cannot run');
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  try {
    await admin.unsafe('create extension if not exists pg_trgm with schema public');
  } catch (error) {
    // Two suites creating it at once: one wins, the other sees a duplicate; both are fine.
    if (!/already exists|duplicate key/i.test(String(error))) {
      throw error;
    }
  }
  const handle = await createDatabase({ url, schema, maxConnections: 4, onStatement: options.onStatement });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    label: `postgres (schema ${schema})`,
    schema,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop schema if exists ${schema}_sandbox cascade`);
      await admin.unsafe(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}
