import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type {
  TelegramBotRow,
  TelegramBotRowUpdate,
  TelegramUserRow,
  TelegramUserRowUpdate,
} from '../tables/telegram.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function getTelegramBot(db: Executor): Promise<TelegramBotRow | undefined> {
  return db.selectFrom('telegram_bot').selectAll().where('id', '=', 1).executeTakeFirst();
}

/** Creates or updates the single bot configuration row. */
export async function saveTelegramBot(db: Executor, update: TelegramBotRowUpdate): Promise<TelegramBotRow> {
  const values = { ...update, id: 1, updated_at: new Date() };
  return db
    .insertInto('telegram_bot')
    .values(values)
    .onConflict((conflict) => conflict.column('id').doUpdateSet({ ...update, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface LinkTelegramUserInput {
  telegramId: number;
  userId: number;
  firstName: string | null;
  lastName: string | null;
  telegramUsername: string | null;
  broker: string | null;
}

/** Links a Telegram account to a user (re-linking moves it). */
export async function linkTelegramUser(db: Executor, input: LinkTelegramUserInput): Promise<TelegramUserRow> {
  const values = {
    telegram_id: input.telegramId,
    user_id: input.userId,
    first_name: input.firstName,
    last_name: input.lastName,
    telegram_username: input.telegramUsername,
    broker: input.broker,
  };
  return db
    .insertInto('telegram_users')
    .values(values)
    .onConflict((conflict) =>
      conflict.column('telegram_id').doUpdateSet({
        user_id: input.userId,
        first_name: input.firstName,
        last_name: input.lastName,
        telegram_username: input.telegramUsername,
        broker: input.broker,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function unlinkTelegramUser(db: Executor, telegramId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('telegram_users')
    .where('telegram_id', '=', telegramId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findTelegramUser(
  db: Executor,
  telegramId: number,
): Promise<TelegramUserRow | undefined> {
  return db.selectFrom('telegram_users').selectAll().where('telegram_id', '=', telegramId).executeTakeFirst();
}

export async function listTelegramUsersOf(db: Executor, userId: number): Promise<TelegramUserRow[]> {
  return db.selectFrom('telegram_users').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

export interface ListTelegramUsersInput {
  broker?: string;
  notificationsEnabled?: boolean;
}

export async function listTelegramUsers(
  db: Executor,
  input: ListTelegramUsersInput = {},
): Promise<TelegramUserRow[]> {
  let builder = db.selectFrom('telegram_users').selectAll();
  if (input.broker) {
    builder = builder.where('broker', '=', input.broker);
  }
  if (input.notificationsEnabled !== undefined) {
    builder = builder.where('notifications_enabled', '=', input.notificationsEnabled);
  }
  return builder.orderBy('id').execute();
}

export async function updateTelegramUser(
  db: Executor,
  telegramId: number,
  update: TelegramUserRowUpdate,
): Promise<TelegramUserRow | undefined> {
  return db
    .updateTable('telegram_users')
    .set(update)
    .where('telegram_id', '=', telegramId)
    .returningAll()
    .executeTakeFirst();
}

export async function recordTelegramCommand(
  db: Executor,
  telegramId: number,
  command: string,
  at: Date,
): Promise<void> {
  await db.insertInto('telegram_command_log').values({ telegram_id: telegramId, command, at }).execute();
  await db
    .updateTable('telegram_users')
    .set({ last_command_at: at })
    .where('telegram_id', '=', telegramId)
    .execute();
}

export interface TelegramCommandStats {
  totalCommands: number;
  commandsByType: Record<string, number>;
  activeUsers: number;
  topUsers: Array<[string, number]>;
}

export async function telegramCommandStats(db: Executor, since: Date): Promise<TelegramCommandStats> {
  const byType = await db
    .selectFrom('telegram_command_log')
    .select(['command', (eb) => eb.fn.countAll<string | number>().as('count')])
    .where('at', '>=', since)
    .groupBy('command')
    .execute();
  const byUser = await db
    .selectFrom('telegram_command_log as log')
    .innerJoin('telegram_users as tu', 'tu.telegram_id', 'log.telegram_id')
    .innerJoin('users as u', 'u.id', 'tu.user_id')
    .select(['u.username', (eb) => eb.fn.countAll<string | number>().as('count')])
    .where('log.at', '>=', since)
    .groupBy('u.username')
    .orderBy(sql`count(*)`, 'desc')
    .limit(10)
    .execute();
  const active = await db
    .selectFrom('telegram_command_log')
    .select(sql<string | number>`count(distinct telegram_id)`.as('count'))
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  const commandsByType = Object.fromEntries(byType.map((row) => [row.command, Number(row.count)]));
  return {
    totalCommands: Object.values(commandsByType).reduce((sum, count) => sum + count, 0),
    commandsByType,
    activeUsers: Number(active.count),
    topUsers: byUser.map((row) => [row.username, Number(row.count)]),
  };
}

export interface LinkedTelegramUserRow extends TelegramUserRow {
  /** The OpenAlgo user the chat is linked to. */
  username: string;
}

/** Linked chats with their OpenAlgo usernames, filtered like `listTelegramUsers`. */
export async function listLinkedTelegramUsers(
  db: Executor,
  input: ListTelegramUsersInput = {},
): Promise<LinkedTelegramUserRow[]> {
  let builder = db
    .selectFrom('telegram_users as tu')
    .innerJoin('users as u', 'u.id', 'tu.user_id')
    .selectAll('tu')
    .select('u.username');
  if (input.broker) {
    builder = builder.where('tu.broker', '=', input.broker);
  }
  if (input.notificationsEnabled !== undefined) {
    builder = builder.where('tu.notifications_enabled', '=', input.notificationsEnabled);
  }
  return builder.orderBy('tu.id').execute();
}
