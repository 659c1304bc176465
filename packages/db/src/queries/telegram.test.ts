import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import {
  findTelegramUser,
  getTelegramBot,
  linkTelegramUser,
  listTelegramUsers,
  listTelegramUsersOf,
  recordTelegramCommand,
  saveTelegramBot,
  telegramCommandStats,
  unlinkTelegramUser,
  updateTelegramUser,
} from './telegram.js';
import { insertUser } from './users.js';

describe.each(testBackends())('telegram storage on %s', (backend) => {
  let handle: TestDatabase;
  let userId: number;

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
    userId = (await insertUser(handle.db, { username: 'rajandran', password_hash: 'x' })).id;
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('keeps one bot configuration row', async () => {
    expect(await getTelegramBot(handle.db)).toBeUndefined();
    await saveTelegramBot(handle.db, { token_enc: 'v1.k1.x', bot_username: 'bot' });
    const updated = await saveTelegramBot(handle.db, { is_active: true, rate_limit_per_minute: 60 });
    expect(updated).toMatchObject({
      token_enc: 'v1.k1.x',
      is_active: true,
      rate_limit_per_minute: 60,
      polling_mode: true,
    });
  });

  it('links, updates, lists and unlinks telegram users; ids beyond 2^31 survive', async () => {
    const bigId = 7_000_000_123;
    await linkTelegramUser(handle.db, {
      telegramId: bigId,
      userId,
      firstName: 'Raj',
      lastName: null,
      telegramUsername: 'raj',
      broker: 'simulator',
    });
    await linkTelegramUser(handle.db, {
      telegramId: bigId,
      userId,
      firstName: 'Rajandran',
      lastName: null,
      telegramUsername: 'raj',
      broker: 'simulator',
    });
    const row = await findTelegramUser(handle.db, bigId);
    expect(row).toMatchObject({ telegram_id: bigId, first_name: 'Rajandran', order_notifications: true });
    await updateTelegramUser(handle.db, bigId, { notifications_enabled: false });
    expect(await listTelegramUsers(handle.db, { notificationsEnabled: false })).toHaveLength(1);
    expect(await listTelegramUsersOf(handle.db, userId)).toHaveLength(1);
    await recordTelegramCommand(handle.db, bigId, 'positions', new Date());
    await recordTelegramCommand(handle.db, bigId, 'positions', new Date());
    await recordTelegramCommand(handle.db, bigId, 'funds', new Date());
    const stats = await telegramCommandStats(handle.db, new Date(Date.now() - 60_000));
    expect(stats).toEqual({
      totalCommands: 3,
      commandsByType: { positions: 2, funds: 1 },
      activeUsers: 1,
      topUsers: [['rajandran', 3]],
    });
    expect(await unlinkTelegramUser(handle.db, bigId)).toBe(true);
    expect(await findTelegramUser(handle.db, bigId)).toBeUndefined();
  });
});
