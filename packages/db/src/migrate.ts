import { type Kysely, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * The migration tables live in the connection's current schema, named explicitly: otherwise
 * Kysely looks for them in every schema and, when another schema of the same database has
 * them (parallel test schemas, a second installation), skips creating its own.
 */
async function createMigrator(db: Kysely<Database>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableSchema: rows[0]?.schema ?? 'public',
  });
}

function unwrap(resultSet: MigrationResultSet): string[] {
  if (resultSet.error) {
    const failed = resultSet.results?.find((result) => result.status === 'Error');
    throw new MigrationError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(resultSet.error)}`,
      resultSet.results,
      { cause: resultSet.error },
    );
  }
  return (resultSet.results ?? []).map((result) => result.migrationName);
}

/** Runs every pending migration; idempotent. Returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return unwrap(await (await createMigrator(db)).migrateToLatest());
}

/** Rolls every migration back (tests prove each `down` works). */
export async function migrateDownAll(db: Kysely<Database>): Promise<string[]> {
  const migrator = await createMigrator(db);
  const applied: string[] = [];
  for (;;) {
    const names = unwrap(await migrator.migrateDown());
    if (names.length === 0) {
      return applied;
    }
    applied.push(...names);
  }
}

/** Names of the migrations not yet applied. */
export async function listPendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrations = await (await createMigrator(db)).getMigrations();
  return migrations
    .filter((migration) => migration.executedAt === undefined)
    .map((migration) => migration.name);
}
