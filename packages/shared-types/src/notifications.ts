import { z } from 'zod';

/**
 * Notification routes (api-v1 §4.8): `/telegram/*` and `/whatsapp/notify`. The reference has no
 * schema for these (unknown fields pass, checks answer human messages in a fixed order), so the
 * route schemas here only fix the shape; the payload rules below give the exact texts.
 */

/** Key in the body, the `X-API-KEY` header or the query: the body field is optional here. */
const optionalKey = { apikey: z.string().optional() };

export const NOTIFICATION_MESSAGES = {
  invalidKey: 'Invalid or missing API key',
  botStopped: 'Telegram bot is stopped. Start the bot to send notifications.',
  tokenMissing: 'Bot token not configured',
  userNotLinked: 'User not found or not linked to Telegram',
  whatsappNotPaired:
    'WhatsApp is not paired or not connected. Pair the device first from the /whatsapp page in OpenAlgo before sending.',
} as const;

// --- Telegram -------------------------------------------------------------------------------

/** `GET /telegram/config|users|stats|preferences`: key in `X-API-KEY` or `?apikey=`. */
export const telegramQuerySchema = z.looseObject({
  ...optionalKey,
  broker: z.string().optional(),
  notifications_enabled: z.string().optional(),
  days: z.string().optional(),
  telegram_id: z.string().optional(),
});
export type TelegramQuery = z.infer<typeof telegramQuerySchema>;

/** Any JSON object (or no body at all); the handler applies the rules of each route. */
export const telegramBodySchema = z.looseObject(optionalKey).optional();
export type TelegramBody = z.infer<typeof telegramBodySchema>;

export const telegramConfigUpdateSchema = z.object({
  token: z.string({ error: 'token must be a string' }).min(1, 'token must not be empty').optional(),
  webhook_url: z
    .string({ error: 'webhook_url must be a string' })
    .url('webhook_url must be a URL')
    .nullable()
    .optional(),
  polling_mode: z.boolean({ error: 'polling_mode must be a boolean' }).optional(),
  broadcast_enabled: z.boolean({ error: 'broadcast_enabled must be a boolean' }).optional(),
  rate_limit_per_minute: z
    .number({ error: 'rate_limit_per_minute must be an integer' })
    .int('rate_limit_per_minute must be an integer')
    .min(1, 'rate_limit_per_minute must be between 1 and 120')
    .max(120, 'rate_limit_per_minute must be between 1 and 120')
    .optional(),
});
export type TelegramConfigUpdate = z.infer<typeof telegramConfigUpdateSchema>;

/** HTTP-date strings (`Wed, 29 Apr 2026 12:18:42 GMT`) or null. */
const httpDate = z.string().nullable();

export const telegramConfigResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    bot_token: z.string().nullable(),
    token: z.string().nullable(),
    is_active: z.boolean(),
    bot_username: z.string().nullable(),
    polling_mode: z.boolean(),
    webhook_url: z.string().nullable(),
    max_message_length: z.number().int(),
    rate_limit_per_minute: z.number().int(),
    broadcast_enabled: z.boolean(),
    created_at: httpDate,
    updated_at: httpDate,
  }),
});
export type TelegramConfigResponse = z.infer<typeof telegramConfigResponseSchema>;

export const telegramUserSchema = z.object({
  id: z.number().int(),
  telegram_id: z.number().int(),
  openalgo_username: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  telegram_username: z.string().nullable(),
  broker: z.string().nullable(),
  notifications_enabled: z.boolean(),
  created_at: httpDate,
  last_command_at: httpDate,
});
export type TelegramUser = z.infer<typeof telegramUserSchema>;

export const telegramUsersResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(telegramUserSchema),
  count: z.number().int(),
});
export type TelegramUsersResponse = z.infer<typeof telegramUsersResponseSchema>;

export const telegramBroadcastSchema = z.object({
  message: z
    .string({ error: 'Message is required' })
    .min(1, 'Message is required')
    .max(4_096, 'Message must not exceed 4096 characters'),
  filters: z
    .object({
      broker: z.string().optional(),
      notifications_enabled: z.boolean().optional(),
    })
    .catchall(z.unknown())
    .nullish(),
});
export type TelegramBroadcast = z.infer<typeof telegramBroadcastSchema>;

export const telegramBroadcastResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  success_count: z.number().int(),
  fail_count: z.number().int(),
});
export type TelegramBroadcastResponse = z.infer<typeof telegramBroadcastResponseSchema>;

export const telegramNotifySchema = z.object({
  username: z
    .string({ error: 'Username and message are required' })
    .min(1, 'Username and message are required'),
  message: z
    .string({ error: 'Username and message are required' })
    .min(1, 'Username and message are required'),
  /** 1–10, default 5; anything else counts as 5. */
  priority: z
    .unknown()
    .optional()
    .transform((value) =>
      typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10 ? value : 5,
    ),
  wait_for_delivery: z.boolean().optional().default(false),
});
export type TelegramNotify = z.infer<typeof telegramNotifySchema>;

export const telegramStatsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    total_commands: z.number().int(),
    commands_by_type: z.record(z.string(), z.number().int()),
    active_users: z.number().int(),
    top_users: z.array(z.tuple([z.string(), z.number().int()])),
  }),
});
export type TelegramStatsResponse = z.infer<typeof telegramStatsResponseSchema>;

export const telegramPreferencesSchema = z.object({
  order_notifications: z.boolean(),
  trade_notifications: z.boolean(),
  pnl_notifications: z.boolean(),
  daily_summary: z.boolean(),
  summary_time: z.string().nullable(),
  language: z.string(),
  timezone: z.string(),
});
export type TelegramPreferences = z.infer<typeof telegramPreferencesSchema>;

export const telegramPreferencesResponseSchema = z.object({
  status: z.literal('success'),
  data: telegramPreferencesSchema,
});
export type TelegramPreferencesResponse = z.infer<typeof telegramPreferencesResponseSchema>;

/** `POST /telegram/preferences`: any of the seven keys. */
export const telegramPreferencesUpdateSchema = z.object({
  order_notifications: z.boolean({ error: 'order_notifications must be a boolean' }).optional(),
  trade_notifications: z.boolean({ error: 'trade_notifications must be a boolean' }).optional(),
  pnl_notifications: z.boolean({ error: 'pnl_notifications must be a boolean' }).optional(),
  daily_summary: z.boolean({ error: 'daily_summary must be a boolean' }).optional(),
  summary_time: z
    .string({ error: 'summary_time must be HH:MM' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'summary_time must be HH:MM')
    .nullable()
    .optional(),
  language: z.string({ error: 'language must be a string' }).min(2).max(16).optional(),
  timezone: z.string({ error: 'timezone must be a string' }).min(1).max(64).optional(),
});
export type TelegramPreferencesUpdate = z.infer<typeof telegramPreferencesUpdateSchema>;

export const notificationMessageResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
});
export type NotificationMessageResponse = z.infer<typeof notificationMessageResponseSchema>;

// --- WhatsApp -------------------------------------------------------------------------------

/** `POST /whatsapp/notify` body shape (the payload rules are checked after the pairing check). */
export const whatsappNotifyBodySchema = z.looseObject(optionalKey);
export type WhatsappNotifyBody = z.infer<typeof whatsappNotifyBodySchema>;

export const whatsappNotifySchema = z.object({
  self: z.boolean().optional(),
  phones: z.unknown().optional(),
  phone: z.string({ error: 'Invalid phone number' }).optional(),
  username: z.string().optional(),
  message: z.string().max(4_096, 'Message must not exceed 4096 characters').optional(),
  image_path: z.string().optional(),
  document_path: z.string().optional(),
  caption: z.string().max(1_024).optional(),
  filename: z.string().max(255).optional(),
  wait_for_delivery: z.boolean().optional().default(true),
});
export type WhatsappNotify = z.infer<typeof whatsappNotifySchema>;

export const whatsappNotifyResponseSchema = z.union([
  z.object({
    status: z.literal('success'),
    message: z.string(),
    data: z.object({
      sent: z.array(z.string()),
      failed: z.array(z.object({ to: z.string(), error: z.string() })),
      skipped: z.number().int(),
    }),
  }),
  z.object({ status: z.literal('success'), message: z.string(), queued: z.number().int() }),
]);
export type WhatsappNotifyResponse = z.infer<typeof whatsappNotifyResponseSchema>;
