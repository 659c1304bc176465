import { z } from 'zod';
import { apikeyField, requestObject } from './fields.js';

/** `POST /api/v1/ping` (api-v1 §4.7.1): an authenticated check, not a health probe. */
export const pingRequestSchema = requestObject({
  apikey: apikeyField(),
});
export type PingRequest = z.infer<typeof pingRequestSchema>;

export const pingResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    message: z.literal('pong'),
    broker: z.string(),
  }),
});
export type PingResponse = z.infer<typeof pingResponseSchema>;
