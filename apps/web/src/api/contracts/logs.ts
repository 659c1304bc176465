import { z } from 'zod';

/** Traffic and latency logs (features.md §8.1, §8.2). */

export const trafficRowSchema = z.looseObject({
  at: z.union([z.number(), z.string()]),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  duration_ms: z.union([z.number(), z.string()]),
  client_ip: z.string().nullish(),
  request_id: z.string().nullish(),
});
export type TrafficRow = z.infer<typeof trafficRowSchema>;

export const trafficResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(trafficRowSchema),
});

export const latencyRowSchema = z.looseObject({
  at: z.union([z.number(), z.string()]),
  operation: z.string().nullish(),
  symbol: z.string().nullish(),
  orderid: z.string().nullish(),
  platform_ms: z.union([z.number(), z.string()]).nullish(),
  broker_ms: z.union([z.number(), z.string()]).nullish(),
  total_ms: z.union([z.number(), z.string()]).nullish(),
  status: z.string().nullish(),
});
export type LatencyRow = z.infer<typeof latencyRowSchema>;

export const latencyResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(latencyRowSchema),
});
