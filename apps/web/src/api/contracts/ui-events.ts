import { z } from 'zod';

/**
 * The web app's event socket (`GET /web/events`, session cookie): order, analyzer and Action
 * Center events as `{event, data}` frames, and the feed's `market_data` frames for symbols the
 * app subscribes to on the same socket. Read leniently: an unknown event is ignored.
 */

export const uiEventFrameSchema = z.object({ event: z.string(), data: z.unknown() });

export const tickFrameSchema = z.object({
  type: z.literal('market_data'),
  symbol: z.string(),
  exchange: z.string(),
  data: z.looseObject({
    ltp: z.number(),
    close: z.number().optional(),
    open: z.number().optional(),
    high: z.number().optional(),
    low: z.number().optional(),
    volume: z.number().optional(),
    timestamp: z.number().optional(),
  }),
});
export type TickFrame = z.infer<typeof tickFrameSchema>;

export const orderUpdateDataSchema = z.looseObject({
  orderid: z.string(),
  symbol: z.string(),
  exchange: z.string().optional(),
  action: z.string().optional(),
  order_status: z.string(),
  mode: z.string().optional(),
  rejection_reason: z.string().optional(),
});

export const pendingOrderCreatedDataSchema = z.looseObject({
  pending_order_id: z.union([z.number(), z.string()]),
  message: z.string().optional(),
});

export const masterContractEventSchema = z.looseObject({
  status: z.string(),
  message: z.string().optional(),
});
