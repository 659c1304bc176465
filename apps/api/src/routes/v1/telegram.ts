import { timingSafeEqual } from 'node:crypto';
import {
  findTelegramUser,
  findUserByUsername,
  getTelegramBot,
  listLinkedTelegramUsers,
  listTelegramUsersOf,
  telegramCommandStats,
  updateTelegramUser,
} from '@openalgo/db';
import {
  NOTIFICATION_MESSAGES,
  notificationMessageResponseSchema,
  telegramBodySchema,
  telegramBroadcastResponseSchema,
  telegramBroadcastSchema,
  telegramConfigResponseSchema,
  telegramConfigUpdateSchema,
  telegramNotifySchema,
  telegramPreferencesResponseSchema,
  telegramPreferencesUpdateSchema,
  telegramQuerySchema,
  telegramStatsResponseSchema,
  telegramUsersResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyContextConfig } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { TelegramConfigError } from '../../services/telegram/bot.js';
import { telegramUpdateSchema } from '../../services/telegram/bot-api.js';
import type { DoorOptions } from '../door.js';

const INVALID_KEY = { statusCode: 401, message: NOTIFICATION_MESSAGES.invalidKey };
const MAX_MESSAGE_LENGTH = 4_096;

/** GET routes take the key from `X-API-KEY`, else `?apikey=`. */
const getConfig: FastifyContextConfig = {
  auth: 'key',
  apiKeyFrom: 'header-or-query',
  invalidKey: INVALID_KEY,
  envelope: 'E2',
  rateLimitClass: 'TELEGRAM_RATE_LIMIT',
};

/** POST routes take it from the body, else `X-API-KEY`. */
const postConfig: FastifyContextConfig = { ...getConfig, apiKeyFrom: 'body-or-header' };

const httpDate = (value: Date | null | undefined) => (value ? new Date(value).toUTCString() : null);

/** A token shown as its first 10 characters (both `bot_token` and `token`: §8 #13). */
const maskToken = (token: string | null) => (token ? `${token.slice(0, 10)}...` : null);

/** The first message of a payload check, as the reference answers it (400, human text). */
function parsePayload<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    throw ApiError.message(400, result.error.issues[0]?.message ?? 'Invalid request');
  }
  return result.data;
}

function sameSecret(presented: string, expected: string): boolean {
  const left = Buffer.from(presented);
  const right = Buffer.from(expected);
  return left.length === right.length && timingSafeEqual(left, right);
}

const preferencesQuerySchema = z.object({
  telegram_id: z
    .string({ error: 'telegram_id is required' })
    .regex(/^\d{1,16}$/, 'telegram_id is required')
    .transform(Number),
});

/** `/telegram/*` (api-v1 §4.8.1), wired to the bot service. */
export const telegramRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app) => {
  const { services } = app;
  const bot = services.telegram;

  app.get(
    '/telegram/config',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Bot configuration (token masked)',
        querystring: telegramQuerySchema,
        response: { 200: telegramConfigResponseSchema },
      },
      config: { ...getConfig, unexpectedMessage: 'Failed to get bot configuration' },
    },
    async () => {
      const row = await getTelegramBot(services.db);
      const token = row?.token_enc ? maskToken(services.secretBox.decrypt(row.token_enc)) : null;
      return {
        status: 'success' as const,
        data: {
          bot_token: token,
          token,
          is_active: bot.isRunning,
          bot_username: row?.bot_username ?? null,
          polling_mode: row?.polling_mode ?? true,
          webhook_url: row?.webhook_url ?? null,
          max_message_length: MAX_MESSAGE_LENGTH,
          rate_limit_per_minute: row?.rate_limit_per_minute ?? 30,
          broadcast_enabled: row?.broadcast_enabled ?? true,
          created_at: httpDate(row?.created_at),
          updated_at: httpDate(row?.updated_at),
        },
      };
    },
  );

  app.post(
    '/telegram/config',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Update the bot configuration (token stored encrypted)',
        body: telegramBodySchema,
        response: { 200: notificationMessageResponseSchema },
      },
      config: { ...postConfig, unexpectedMessage: 'Failed to update bot configuration' },
    },
    async (request) => {
      const update = parsePayload(telegramConfigUpdateSchema, request.body);
      await bot.configure({
        ...(update.token !== undefined ? { token: update.token } : {}),
        ...(update.webhook_url !== undefined ? { webhookUrl: update.webhook_url } : {}),
        ...(update.polling_mode !== undefined ? { pollingMode: update.polling_mode } : {}),
        ...(update.broadcast_enabled !== undefined ? { broadcastEnabled: update.broadcast_enabled } : {}),
        ...(update.rate_limit_per_minute !== undefined
          ? { rateLimitPerMinute: update.rate_limit_per_minute }
          : {}),
      });
      return { status: 'success' as const, message: 'Bot configuration updated' };
    },
  );

  app.post(
    '/telegram/start',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Start the bot (polling, or register the webhook)',
        body: telegramBodySchema,
        response: { 200: notificationMessageResponseSchema },
      },
      config: postConfig,
    },
    async () => {
      if (bot.isRunning) {
        return { status: 'success' as const, message: 'Bot is already running' };
      }
      try {
        return { status: 'success' as const, message: await bot.start() };
      } catch (error) {
        if (error instanceof TelegramConfigError) {
          throw ApiError.message(400, error.message);
        }
        await bot.close();
        const reason = error instanceof Error ? error.message : String(error);
        throw new ApiError(
          500,
          { status: 'error', message: `Failed to start bot: ${reason}` },
          { cause: error },
        );
      }
    },
  );

  app.post(
    '/telegram/stop',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Stop the bot',
        body: telegramBodySchema,
        response: { 200: notificationMessageResponseSchema },
      },
      config: postConfig,
    },
    async () => ({ status: 'success' as const, message: await bot.stop() }),
  );

  app.post(
    '/telegram/webhook',
    {
      schema: {
        tags: ['notifications'],
        summary: "Telegram's webhook (secret header X-Telegram-Bot-Api-Secret-Token)",
        body: z.unknown(),
      },
      config: { auth: 'none', rateLimitClass: 'none' },
    },
    async (request, reply) => {
      const text = (status: number, body: string) =>
        reply.code(status).type('text/plain; charset=utf-8').send(body);
      const presented = request.headers['x-telegram-bot-api-secret-token'];
      if (typeof presented !== 'string' || presented.length === 0) {
        return text(401, 'Unauthorized');
      }
      let expected = services.config.TELEGRAM_WEBHOOK_SECRET;
      if (!expected) {
        const row = await getTelegramBot(services.db);
        expected = row?.token_enc ? bot.webhookSecret(services.secretBox.decrypt(row.token_enc)) : undefined;
      }
      if (!expected || !sameSecret(presented, expected)) {
        return text(403, 'Forbidden');
      }
      const update = request.body as { update_id?: unknown } | null;
      if (!update || typeof update !== 'object' || typeof update.update_id !== 'number') {
        return text(400, 'Bad Request');
      }
      const parsed = telegramUpdateSchema.safeParse(update);
      if (parsed.success) {
        // Acknowledge at once; the bot answers the chat on its own (it never throws).
        void bot.handleUpdate(parsed.data);
      }
      return text(200, '');
    },
  );

  app.get(
    '/telegram/users',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Linked Telegram users',
        querystring: telegramQuerySchema,
        response: { 200: telegramUsersResponseSchema },
      },
      config: { ...getConfig, unexpectedMessage: 'Failed to get users' },
    },
    async (request) => {
      const { broker, notifications_enabled: enabled } = request.query;
      const rows = await listLinkedTelegramUsers(services.db, {
        ...(broker ? { broker } : {}),
        ...(enabled ? { notificationsEnabled: enabled.toLowerCase() === 'true' } : {}),
      });
      const data = rows.map((row) => ({
        id: row.id,
        telegram_id: Number(row.telegram_id),
        openalgo_username: row.username,
        first_name: row.first_name,
        last_name: row.last_name,
        telegram_username: row.telegram_username,
        broker: row.broker,
        notifications_enabled: row.notifications_enabled,
        created_at: httpDate(row.created_at),
        last_command_at: httpDate(row.last_command_at),
      }));
      return { status: 'success' as const, data, count: data.length };
    },
  );

  app.post(
    '/telegram/broadcast',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a message to every linked user (5 per minute)',
        body: telegramBodySchema,
        response: { 200: telegramBroadcastResponseSchema },
      },
      config: {
        ...postConfig,
        rateLimitClass: 'TELEGRAM_BROADCAST_RATE_LIMIT',
        unexpectedMessage: 'Failed to broadcast message',
      },
    },
    async (request) => {
      const { message, filters } = parsePayload(telegramBroadcastSchema, request.body);
      const row = await getTelegramBot(services.db);
      if (row && !row.broadcast_enabled) {
        throw ApiError.message(403, 'Broadcast is disabled');
      }
      const recipients = await listLinkedTelegramUsers(services.db, {
        ...(filters?.broker ? { broker: filters.broker } : {}),
        notificationsEnabled: filters?.notifications_enabled ?? true,
      });
      let successCount = 0;
      let failCount = 0;
      for (const recipient of recipients) {
        try {
          await bot.send(Number(recipient.telegram_id), message);
          successCount += 1;
        } catch (error) {
          failCount += 1;
          request.log.warn({ err: error, telegramId: recipient.telegram_id }, 'broadcast delivery failed');
        }
      }
      return {
        status: 'success' as const,
        message: `Broadcast sent to ${successCount} users, failed for ${failCount} users`,
        success_count: successCount,
        fail_count: failCount,
      };
    },
  );

  app.post(
    '/telegram/notify',
    {
      schema: {
        tags: ['notifications'],
        summary: "Send a notification to an OpenAlgo user's linked chats",
        body: telegramBodySchema,
        response: { 200: notificationMessageResponseSchema },
      },
      config: { ...postConfig, unexpectedMessage: 'Failed to send notification' },
    },
    async (request) => {
      // Checked before the fields (api-v1 §8 #8).
      if (!bot.isRunning) {
        throw ApiError.message(409, NOTIFICATION_MESSAGES.botStopped);
      }
      const notify = parsePayload(telegramNotifySchema, request.body);
      const user = await findUserByUsername(services.db, notify.username);
      const chats = user ? await listTelegramUsersOf(services.db, user.id) : [];
      if (!user || chats.length === 0) {
        throw ApiError.message(404, NOTIFICATION_MESSAGES.userNotLinked);
      }
      const delivery = bot.notifyUser(user.id, notify.message);
      if (!notify.wait_for_delivery) {
        void delivery.catch((error: unknown) => {
          request.log.warn({ err: error }, 'telegram notification failed');
        });
        return { status: 'success' as const, message: 'Notification queued for delivery' };
      }
      const delivered = await delivery.catch(() => 0);
      return {
        status: 'success' as const,
        message: delivered > 0 ? 'Notification sent successfully' : 'Notification queued for delivery',
      };
    },
  );

  app.get(
    '/telegram/stats',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Bot command statistics over the last days',
        querystring: telegramQuerySchema,
        response: { 200: telegramStatsResponseSchema },
      },
      config: { ...getConfig, unexpectedMessage: 'Failed to get statistics' },
    },
    async (request) => {
      const requested = Number(request.query.days);
      const days = Number.isInteger(requested) && requested >= 1 && requested <= 365 ? requested : 7;
      const stats = await telegramCommandStats(services.db, new Date(services.now() - days * 86_400_000));
      return {
        status: 'success' as const,
        data: {
          total_commands: stats.totalCommands,
          commands_by_type: stats.commandsByType,
          active_users: stats.activeUsers,
          top_users: stats.topUsers,
        },
      };
    },
  );

  app.get(
    '/telegram/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: "A linked chat's notification preferences",
        querystring: telegramQuerySchema,
        response: { 200: telegramPreferencesResponseSchema },
      },
      config: { ...getConfig, unexpectedMessage: 'Failed to get preferences' },
    },
    async (request) => {
      const { telegram_id: telegramId } = parsePayload(preferencesQuerySchema, request.query);
      const chat = await findTelegramUser(services.db, telegramId);
      if (!chat) {
        throw ApiError.message(404, NOTIFICATION_MESSAGES.userNotLinked);
      }
      return {
        status: 'success' as const,
        data: {
          order_notifications: chat.order_notifications,
          trade_notifications: chat.trade_notifications,
          pnl_notifications: chat.pnl_notifications,
          daily_summary: chat.daily_summary,
          summary_time: chat.summary_time,
          language: chat.language,
          timezone: chat.timezone,
        },
      };
    },
  );

  app.post(
    '/telegram/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: "Update a linked chat's notification preferences",
        body: telegramBodySchema,
        response: { 200: notificationMessageResponseSchema },
      },
      config: { ...postConfig, unexpectedMessage: 'Failed to update preferences' },
    },
    async (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const rawId = body.telegram_id;
      const telegramId =
        typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId > 0
          ? rawId
          : typeof rawId === 'string' && /^\d{1,16}$/.test(rawId)
            ? Number(rawId)
            : null;
      if (telegramId === null) {
        throw ApiError.message(400, 'telegram_id is required');
      }
      const parsed = parsePayload(telegramPreferencesUpdateSchema, body);
      const update = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
      const updated =
        Object.keys(update).length > 0
          ? await updateTelegramUser(services.db, telegramId, update)
          : await findTelegramUser(services.db, telegramId);
      if (!updated) {
        throw ApiError.message(404, NOTIFICATION_MESSAGES.userNotLinked);
      }
      return { status: 'success' as const, message: 'Preferences updated successfully' };
    },
  );
};
