import { z } from 'zod';

/** Telegram notification settings (api-v1 §4.8.1, through the web door). */

export const telegramConfigResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({
    bot_token: z.string().nullish(),
    is_active: z.boolean(),
    bot_username: z.string().nullish(),
    broadcast_enabled: z.boolean().optional(),
    rate_limit_per_minute: z.number().int().optional(),
  }),
});

export const telegramConfigBodySchema = z.strictObject({
  token: z.string().min(20, 'A bot token looks like 123456:ABC…').optional(),
  broadcast_enabled: z.boolean().optional(),
  rate_limit_per_minute: z.number().int().min(1).max(120).optional(),
});

export const telegramMessageResponseSchema = z.looseObject({
  status: z.literal('success'),
  message: z.string(),
});
