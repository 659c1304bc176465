import { z } from 'zod';

/** The web app's log views (features.md §1.9, §8.1, §8.2): traffic, latency and the order log. */

const epochMs = z.coerce.number().int().min(0).max(8_640_000_000_000);

const logWindow = {
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
  /** Epoch milliseconds, inclusive. */
  since: epochMs.optional(),
  /** Epoch milliseconds, exclusive. */
  until: epochMs.optional(),
};

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

export const trafficLogQuerySchema = z.strictObject({
  ...logWindow,
  /** Part of the request path (`/api/v1/placeorder`, `placeorder`). */
  path: z.string().min(1).max(200).optional(),
  /** A status class (`4xx`) or one status code. */
  status: z.union([z.enum(STATUS_CLASSES), z.coerce.number().int().min(100).max(599)]).optional(),
});
export type TrafficLogQuery = z.infer<typeof trafficLogQuerySchema>;

export const trafficLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.number().int(),
  request_id: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  duration_ms: z.number(),
  client_ip: z.string().nullable(),
  api_key_id: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type TrafficLogEntry = z.infer<typeof trafficLogEntrySchema>;

export const trafficLogResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(trafficLogEntrySchema),
});

export const latencyLogQuerySchema = z.strictObject({
  ...logWindow,
  /** One operation (`placeorder`, `modifyorder`, …). */
  operation: z.string().min(1).max(64).optional(),
});
export type LatencyLogQuery = z.infer<typeof latencyLogQuerySchema>;

export const latencyLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.number().int(),
  orderid: z.string().nullable(),
  operation: z.string(),
  broker: z.string(),
  mode: z.string(),
  /** Time in the platform before the broker request went out. */
  platform_ms: z.number(),
  /** The broker's round trip. */
  broker_ms: z.number(),
  total_ms: z.number(),
  status: z.string(),
});
export type LatencyLogEntry = z.infer<typeof latencyLogEntrySchema>;

export const latencyLogResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(latencyLogEntrySchema),
});

export const orderLogQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  /** Epoch milliseconds: rows created before this (the next page). */
  before: epochMs.optional(),
  mode: z.enum(['live', 'analyze']).optional(),
});
export type OrderLogQuery = z.infer<typeof orderLogQuerySchema>;

export const orderLogEntrySchema = z.object({
  id: z.string(),
  at: z.number().int(),
  mode: z.enum(['live', 'analyze']),
  broker: z.string(),
  operation: z.string(),
  strategy: z.string().nullable(),
  exchange: z.string().nullable(),
  symbol: z.string().nullable(),
  status: z.string(),
  orderid: z.string().nullable(),
  request: z.unknown(),
  response: z.unknown(),
  error: z.string().nullable(),
});
export type OrderLogEntry = z.infer<typeof orderLogEntrySchema>;

export const orderLogResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(orderLogEntrySchema),
});
