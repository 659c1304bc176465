export type { Kysely, Transaction } from 'kysely';
export { sql } from 'kysely';
export {
  createDatabase,
  type DatabaseConfig,
  type DatabaseHandle,
  type DatabaseKind,
  reconnectBackoffSeconds,
  sandboxSchemaFor,
} from './create-database.js';
export type { Database } from './database.js';
export { isDatabaseUnavailable } from './errors.js';
export { jsonb } from './json.js';
export { listPendingMigrations, MigrationError, migrateDownAll, migrateToLatest } from './migrate.js';
export { createPgliteTemplate, isPgliteDataDirInitialised } from './pglite-template.js';
export { DatabaseTimeoutError } from './postgres-driver.js';
export * from './queries/analyzer-log.js';
export * from './queries/api-keys.js';
export * from './queries/broker-sessions.js';
export * from './queries/candles.js';
export * from './queries/chart-preferences.js';
export * from './queries/logs.js';
export * from './queries/order-log.js';
export * from './queries/pending-orders.js';
export * from './queries/sandbox.js';
export * from './queries/security.js';
export * from './queries/settings.js';
export * from './queries/strategies.js';
export * from './queries/symbols.js';
export * from './queries/telegram.js';
export * from './queries/users.js';
export { type SandboxExecutor, type SandboxStore, sandboxStore } from './sandbox-database.js';
export type * from './tables/analyzer-log.js';
export type * from './tables/api-keys.js';
export type * from './tables/broker-sessions.js';
export type * from './tables/candles.js';
export type * from './tables/chart-preferences.js';
export type * from './tables/latency-log.js';
export type * from './tables/order-log.js';
export type * from './tables/pending-orders.js';
export type * from './tables/sandbox.js';
export type * from './tables/security.js';
export type * from './tables/settings.js';
export type * from './tables/strategies.js';
export type * from './tables/symbols.js';
export type * from './tables/telegram.js';
export type * from './tables/traffic-log.js';
export type * from './tables/users.js';
