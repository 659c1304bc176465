import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDatabase,
  type DatabaseHandle,
  isPgliteDataDirInitialised,
  migrateToLatest,
} from '@openalgo/db';
import type { Config } from './config.js';

/** The build's migrated empty database (see make-pglite-template.ts), if present. */
function findPgliteTemplate(): Blob | undefined {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'pglite-template.tar.gz');
  return existsSync(path) ? new Blob([readFileSync(path)]) : undefined;
}

/** Opens the configured database and brings its schema up to date (idempotent). */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const isFirstEmbeddedStart = !config.DATABASE_URL && !isPgliteDataDirInitialised(config.pgliteDir);
  const handle = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: config.pgliteDir,
    maxConnections: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    loadDataDir: isFirstEmbeddedStart ? findPgliteTemplate() : undefined,
  });
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
