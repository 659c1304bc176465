import { z } from 'zod';

/** The Action Center: orders queued in semi-auto mode, approved or rejected by the owner (sandbox.md §15). */

export const pendingOrderSchema = z.looseObject({
  id: z.union([z.number().int(), z.string()]),
  api_type: z.string(),
  request_id: z.string().nullish(),
  status: z.string(),
  order_data: z.record(z.string(), z.unknown()).optional(),
  symbol: z.string().nullish(),
  exchange: z.string().nullish(),
  action: z.string().nullish(),
  quantity: z.union([z.number(), z.string()]).nullish(),
  price_type: z.string().nullish(),
  product_type: z.string().nullish(),
  created_at: z.union([z.number(), z.string()]),
  broker_order_id: z.string().nullish(),
  broker_status: z.string().nullish(),
  rejected_reason: z.string().nullish(),
});
export type PendingOrder = z.infer<typeof pendingOrderSchema>;

export const pendingOrdersResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({
    orders: z.array(pendingOrderSchema),
    statistics: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const approveResponseSchema = z.looseObject({
  status: z.enum(['success', 'warning', 'info']),
  message: z.string(),
  broker_order_id: z.string().nullish(),
});

export const rejectBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

export const approveAllResponseSchema = z.looseObject({
  status: z.enum(['success', 'warning', 'info', 'error']),
  message: z.string(),
  approved_count: z.number().int().optional(),
  executed_count: z.number().int().optional(),
});
