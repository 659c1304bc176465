import { createDatabase, type DatabaseHandle, migrateToLatest } from '@openalgo/db';
import type { Config } from './config.js';

/** Opens the configured database and brings its schema up to date (idempotent). */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const handle = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: config.pgliteDir,
    maxConnections: config.DATABASE_POOL_SIZE,
  });
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
