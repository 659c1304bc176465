import { feedStateSchema, wsOrderUpdateFrameSchema } from '@openalgo/shared-types';
import { z } from 'zod';

/**
 * The control channel: a proxy's DEALER asks the hub's ROUTER, one JSON frame each way,
 * correlated by `id`. The hub owns the database, so API keys, symbols and the order replay
 * are answered here; market data itself never goes through this channel.
 */

const symbolExchangeSchema = z.object({
  symbol: z.string().min(1).max(100),
  exchange: z.string().min(1).max(20),
});

export const controlRequestSchema = z.discriminatedUnion('op', [
  z.object({ id: z.number().int(), op: z.literal('authenticate'), apiKey: z.string().max(256) }),
  z.object({
    id: z.number().int(),
    op: z.literal('resolve'),
    entries: z.array(symbolExchangeSchema).max(10_000),
    mode: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    depth: z.number().int().positive().max(1_000).optional(),
  }),
  z.object({
    id: z.number().int(),
    op: z.literal('orders'),
    userId: z.number().int(),
    since: z.number().int().nonnegative(),
  }),
  z.object({ id: z.number().int(), op: z.literal('status') }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlOp = ControlRequest['op'];

export const brokerInfoSchema = z.object({
  broker: z.string(),
  brokers: z.array(z.string()),
  depthLevels: z.array(z.number().int()),
  maxSymbols: z.number().int(),
});
export type BrokerInfo = z.infer<typeof brokerInfoSchema>;

export const authenticateReplySchema = z.union([
  z.object({
    ok: z.literal(true),
    userId: z.number().int(),
    username: z.string(),
    info: brokerInfoSchema,
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type AuthenticateReply = z.infer<typeof authenticateReplySchema>;

export const resolvedEntrySchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  ok: z.boolean(),
  /** The depth the feed serves for a Depth subscription (falls back to a supported level). */
  depth: z.number().int().optional(),
  message: z.string().optional(),
});
export type ResolvedEntry = z.infer<typeof resolvedEntrySchema>;

export const resolveReplySchema = z.object({ ok: z.literal(true), results: z.array(resolvedEntrySchema) });
export type ResolveReply = z.infer<typeof resolveReplySchema>;

export const ordersReplySchema = z.object({
  ok: z.literal(true),
  /** Updates after `since`, oldest first. */
  updates: z.array(wsOrderUpdateFrameSchema),
  /** The user's latest sequence number. */
  seq: z.number().int().nonnegative(),
  /** True when updates between `since` and the first returned one are no longer kept. */
  truncated: z.boolean(),
});
export type OrdersReply = z.infer<typeof ordersReplySchema>;

export const feedStatusMessageSchema = z.object({
  state: feedStateSchema,
  broker: z.string(),
  message: z.string(),
  /** Broker connections open / topics with subscribers / epoch ms of the last tick (0: none). */
  connections: z.number().int(),
  topics: z.number().int(),
  lastTickAt: z.number(),
  at: z.number(),
});
export type FeedStatusMessage = z.infer<typeof feedStatusMessageSchema>;

export const statusReplySchema = z.object({
  ok: z.literal(true),
  status: feedStatusMessageSchema,
  info: brokerInfoSchema,
});
export type StatusReply = z.infer<typeof statusReplySchema>;

export const errorReplySchema = z.object({ ok: z.literal(false), code: z.string(), message: z.string() });

export interface ControlReplies {
  authenticate: AuthenticateReply;
  resolve: ResolveReply;
  orders: OrdersReply;
  status: StatusReply;
}

export const controlReplySchemas = {
  authenticate: authenticateReplySchema,
  resolve: resolveReplySchema,
  orders: ordersReplySchema,
  status: statusReplySchema,
} as const satisfies { [Op in ControlOp]: z.ZodType<ControlReplies[Op]> };
