import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgliteTemplate } from '@openalgo/db';

/**
 * Build step: writes `dist/pglite-template.tar.gz`, a migrated empty embedded database, so the
 * first `npm start` loads it instead of running initdb (seconds saved at first start).
 */
const started = performance.now();
const template = await createPgliteTemplate();
const target = join(dirname(fileURLToPath(import.meta.url)), 'pglite-template.tar.gz');
writeFileSync(target, Buffer.from(await template.arrayBuffer()));
process.stdout.write(
  `pglite template written (${template.size} bytes, ${Math.round(performance.now() - started)} ms)\n`,
);
