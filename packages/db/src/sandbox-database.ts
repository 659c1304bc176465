import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';
import type { SandboxDatabase } from './tables/sandbox.js';

export type SandboxExecutor = Kysely<SandboxDatabase> | Transaction<SandboxDatabase>;

/** The sandbox tables on the same connection pool, every table reference pointed at `schema`. */
export interface SandboxStore {
  db: Kysely<SandboxDatabase>;
  schema: string;
}

export function sandboxStore(db: Kysely<Database>, schema: string): SandboxStore {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid sandbox schema name: ${schema}`);
  }
  // One pool, two schemas: `withSchema` qualifies every table of the sandbox's queries, so
  // the Database type of the main schema does not apply to them.
  return { db: db.withSchema(schema) as unknown as Kysely<SandboxDatabase>, schema };
}
