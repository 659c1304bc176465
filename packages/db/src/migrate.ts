import {
  type DatabaseIntrospector,
  type Kysely,
  type MigrationResultSet,
  Migrator,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
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
  const schema = rows[0]?.schema ?? 'public';
  return new Migrator({
    db: withScopedIntrospection(db, schema),
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableSchema: schema,
  });
}

/**
 * Kysely's own introspector lists the tables of every schema in the database (calling
 * `has_schema_privilege` on each), so a schema dropped by somebody else while it runs — a
 * parallel test suite, a second installation being removed — fails our migration with
 * "schema … does not exist". The migrator only asks whether its own schema and tables exist:
 * answer that from the catalog for this one schema.
 */
function withScopedIntrospection(db: Kysely<Database>, schema: string): Kysely<Database> {
  const introspection: DatabaseIntrospector = {
    getSchemas: async (): Promise<SchemaMetadata[]> => {
      const found = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return found.rows;
    },
    getTables: async (): Promise<TableMetadata[]> => {
      const found = await sql<{ name: string; kind: string }>`
        select c.relname as name, c.relkind as kind
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v')`.execute(db);
      return found.rows.map((row) => ({
        name: row.name,
        schema,
        isView: row.kind === 'v',
        columns: [],
      }));
    },
    getMetadata: async () => ({ tables: await introspection.getTables() }),
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') {
        return introspection;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
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
