import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { NewUserRow, UserRow, UserRowUpdate } from '../tables/users.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function insertUser(db: Executor, row: NewUserRow): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUserById(db: Executor, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findFirstAdmin(db: Executor): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('is_admin', '=', true)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function updateUser(
  db: Executor,
  id: number,
  update: UserRowUpdate,
): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
