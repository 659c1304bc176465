import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase } from './create-database.js';
import { migrateToLatest } from './migrate.js';

/**
 * A migrated, empty PGlite data folder as a gzipped tarball. `initdb` costs ~4 s; building the
 * template once (at build time) lets a first start load it in well under a second.
 */
export async function createPgliteTemplate(): Promise<Blob> {
  const handle = await createDatabase({});
  try {
    await migrateToLatest(handle.db);
    if (!handle.dump) {
      throw new Error('template must be PGlite');
    }
    return await handle.dump('gzip');
  } finally {
    await handle.close();
  }
}

/** Whether a PGlite data folder has been initialised already. */
export function isPgliteDataDirInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}
