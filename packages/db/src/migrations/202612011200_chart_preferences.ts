import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chart_preferences')
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('chart_preferences_pk', ['user_id', 'key'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations work on an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chart_preferences').ifExists().execute();
}
