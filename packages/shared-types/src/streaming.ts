import { z } from 'zod';

/**
 * The WebSocket feed on :8765 (streaming.md §2), public contract: what clients send and what
 * the proxy answers. Requests are read leniently, like OpenAlgo: extra keys are ignored, the
 * command comes from `action` or `type`, a malformed field is reported with its error code
 * and never closes the socket. Replies keep OpenAlgo's exact shapes; our additions (`type`
 * and `request_id` on errors, `seq` on order updates, `feed_status` pushes) are additive.
 */

// ---------------------------------------------------------------- modes

/** Integer stream modes on the wire: 1 LTP, 2 Quote, 3 Depth. */
export const WS_MODES = [1, 2, 3] as const;
export type WsMode = (typeof WS_MODES)[number];
export const WS_MODE_LABELS = { 1: 'LTP', 2: 'Quote', 3: 'Depth' } as const satisfies Record<WsMode, string>;
export type WsModeLabel = (typeof WS_MODE_LABELS)[WsMode];

const MODE_NAMES: Readonly<Record<string, WsMode>> = { ltp: 1, quote: 2, depth: 3 };

/**
 * Reads a client's `mode` (§2.4): 1/2/3, or `LTP`/`Quote`/`Depth` in any case with spaces
 * trimmed; absent means Quote. Booleans, other numbers and other strings are refused.
 */
export function parseWsMode(value: unknown, fallback: WsMode = 2): WsMode | null {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value === 'number') {
    return value === 1 || value === 2 || value === 3 ? value : null;
  }
  if (typeof value === 'string') {
    return MODE_NAMES[value.trim().toLowerCase()] ?? null;
  }
  return null;
}

// ---------------------------------------------------------------- client → server

/** Any JSON value, echoed verbatim in the reply. */
const requestId = z.unknown().optional();

/** The envelope every client message has: the command in `action`, else `type`. */
export const wsClientEnvelopeSchema = z.looseObject({
  action: z.unknown().optional(),
  type: z.unknown().optional(),
  request_id: requestId,
});
export type WsClientEnvelope = z.infer<typeof wsClientEnvelopeSchema>;

export const WS_ACTIONS = [
  'authenticate',
  'auth',
  'subscribe',
  'unsubscribe',
  'unsubscribe_all',
  'subscribe_orders',
  'unsubscribe_orders',
  'get_broker_info',
  'get_supported_brokers',
  'ping',
] as const;
export type WsAction = (typeof WS_ACTIONS)[number];

/** `{"action":"authenticate","api_key":"…"}`; `apikey` is accepted too (`api_key` wins). */
export const wsAuthenticateRequestSchema = z.looseObject({
  api_key: z.unknown().optional(),
  apikey: z.unknown().optional(),
});
export type WsAuthenticateRequest = z.infer<typeof wsAuthenticateRequestSchema>;

/** One `symbols[]` entry; entries missing `symbol` or `exchange` are skipped silently. */
export const wsSymbolEntrySchema = z.looseObject({
  symbol: z.unknown().optional(),
  exchange: z.unknown().optional(),
  /** Read by unsubscribe only (subscribe uses the top-level mode). */
  mode: z.unknown().optional(),
});
export type WsSymbolEntry = z.infer<typeof wsSymbolEntrySchema>;

/**
 * `subscribe` and `unsubscribe`: the list form (`symbols`, alias `instruments`) or the single
 * form (`symbol` + `exchange`); `depth` (alias `depth_level`) for Depth mode.
 */
export const wsSubscriptionRequestSchema = z.looseObject({
  symbols: z.unknown().optional(),
  instruments: z.unknown().optional(),
  symbol: z.unknown().optional(),
  exchange: z.unknown().optional(),
  mode: z.unknown().optional(),
  depth: z.unknown().optional(),
  depth_level: z.unknown().optional(),
  request_id: requestId,
});
export type WsSubscriptionRequest = z.infer<typeof wsSubscriptionRequestSchema>;

/** `subscribe_orders`: `since` (our addition) replays the updates after that sequence number. */
export const wsSubscribeOrdersRequestSchema = z.looseObject({
  since: z.number().int().nonnegative().optional(),
  request_id: requestId,
});
export type WsSubscribeOrdersRequest = z.infer<typeof wsSubscribeOrdersRequestSchema>;

/** `ping`: `timestamp` and `_pingId` come back as `client_timestamp` and `_pingId`. */
export const wsPingRequestSchema = z.looseObject({
  timestamp: z.unknown().optional(),
  _pingId: z.unknown().optional(),
});
export type WsPingRequest = z.infer<typeof wsPingRequestSchema>;

// ---------------------------------------------------------------- server → client

export const WS_ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_ACTION',
  'AUTHENTICATION_ERROR',
  'NOT_AUTHENTICATED',
  'BROKER_ERROR',
  'BROKER_INIT_ERROR',
  'BROKER_CONNECTION_ERROR',
  'INVALID_MODE',
  'INVALID_PARAMETERS',
  'BROKER_LIST_ERROR',
  'SERVER_ERROR',
  'PROCESSING_ERROR',
] as const;
export const wsErrorCodeSchema = z.enum(WS_ERROR_CODES);
export type WsErrorCode = z.infer<typeof wsErrorCodeSchema>;

/** Every error (§2.9); `type` and `request_id` are our additive fields. */
export const wsErrorFrameSchema = z.object({
  type: z.literal('error'),
  status: z.literal('error'),
  code: wsErrorCodeSchema,
  message: z.string(),
  request_id: z.unknown().optional(),
});
export type WsErrorFrame = z.infer<typeof wsErrorFrameSchema>;

export const wsAuthSuccessFrameSchema = z.object({
  type: z.literal('auth'),
  status: z.literal('success'),
  message: z.literal('Authentication successful'),
  broker: z.string(),
  user_id: z.string(),
  supported_features: z.object({ ltp: z.boolean(), quote: z.boolean(), depth: z.boolean() }),
});
export type WsAuthSuccessFrame = z.infer<typeof wsAuthSuccessFrameSchema>;

export const wsSubscriptionResultSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  status: z.enum(['success', 'error']),
  mode: z.enum(['LTP', 'Quote', 'Depth']).optional(),
  depth: z.number().int().optional(),
  message: z.string().optional(),
  broker: z.string(),
});
export type WsSubscriptionResult = z.infer<typeof wsSubscriptionResultSchema>;

/** `status` is `success` when every entry succeeded, else `partial` (OpenAlgo never says `error`). */
export const wsSubscribeReplySchema = z.object({
  type: z.literal('subscribe'),
  status: z.enum(['success', 'partial']),
  subscriptions: z.array(wsSubscriptionResultSchema),
  message: z.literal('Subscription processing complete'),
  broker: z.string(),
  request_id: z.unknown().optional(),
});
export type WsSubscribeReply = z.infer<typeof wsSubscribeReplySchema>;

export const wsUnsubscriptionResultSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  status: z.enum(['success', 'error']),
  mode: z.enum(['LTP', 'Quote', 'Depth']).optional(),
  message: z.string().optional(),
  broker: z.string(),
});
export type WsUnsubscriptionResult = z.infer<typeof wsUnsubscriptionResultSchema>;

export const wsUnsubscribeReplySchema = z.object({
  type: z.literal('unsubscribe'),
  status: z.enum(['success', 'partial', 'error']),
  message: z.literal('Unsubscription processing complete'),
  successful: z.array(wsUnsubscriptionResultSchema),
  failed: z.array(wsUnsubscriptionResultSchema),
  broker: z.string(),
  request_id: z.unknown().optional(),
});
export type WsUnsubscribeReply = z.infer<typeof wsUnsubscribeReplySchema>;

export const wsOrdersReplySchema = z.object({
  type: z.enum(['subscribe_orders', 'unsubscribe_orders']),
  status: z.literal('success'),
  message: z.enum(['Subscribed to order updates', 'Unsubscribed from order updates']),
  /** The latest sequence number of this user's order stream (our addition). */
  seq: z.number().int().nonnegative().optional(),
  request_id: z.unknown().optional(),
});
export type WsOrdersReply = z.infer<typeof wsOrdersReplySchema>;

export const wsBrokerInfoFrameSchema = z.object({
  type: z.literal('broker_info'),
  status: z.literal('success'),
  broker: z.string(),
  adapter_status: z.string(),
  user_id: z.string(),
  supported_modes: z.array(z.enum(['LTP', 'Quote', 'Depth'])).optional(),
  supported_depth_levels: z.array(z.number().int()).optional(),
  max_symbols: z.number().int().optional(),
  request_id: z.unknown().optional(),
});
export type WsBrokerInfoFrame = z.infer<typeof wsBrokerInfoFrameSchema>;

export const wsSupportedBrokersFrameSchema = z.object({
  type: z.literal('supported_brokers'),
  status: z.literal('success'),
  brokers: z.array(z.string()),
  count: z.number().int(),
  request_id: z.unknown().optional(),
});
export type WsSupportedBrokersFrame = z.infer<typeof wsSupportedBrokersFrameSchema>;

export const wsPongFrameSchema = z.object({
  type: z.literal('pong'),
  status: z.literal('success'),
  server_timestamp: z.number().int(),
  client_timestamp: z.unknown().optional(),
  _pingId: z.unknown().optional(),
});
export type WsPongFrame = z.infer<typeof wsPongFrameSchema>;

const depthLevelSchema = z.object({ price: z.number(), quantity: z.number(), orders: z.number() });

/**
 * The normalized `data` of a `market_data` push, projected to the mode the topic carries:
 * LTP has `ltp`/`ltt`/`timestamp`; Quote adds OHLC, volume and book totals; Depth adds
 * `depth` with as many levels as subscribed. `mode` here is the integer mode (§2.10.2 SHOULD).
 */
export const wsTickDataSchema = z.looseObject({
  symbol: z.string(),
  exchange: z.string(),
  mode: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  ltp: z.number(),
  ltt: z.number().optional(),
  timestamp: z.number(),
  volume: z.number().optional(),
  open: z.number().optional(),
  high: z.number().optional(),
  low: z.number().optional(),
  close: z.number().optional(),
  average_price: z.number().optional(),
  last_quantity: z.number().optional(),
  total_buy_quantity: z.number().optional(),
  total_sell_quantity: z.number().optional(),
  oi: z.number().optional(),
  upper_circuit: z.number().optional(),
  lower_circuit: z.number().optional(),
  depth: z.object({ buy: z.array(depthLevelSchema), sell: z.array(depthLevelSchema) }).optional(),
});
export type WsTickData = z.infer<typeof wsTickDataSchema>;

/** §2.10: `mode` is the mode the receiving connection subscribed with. */
export const wsMarketDataFrameSchema = z.object({
  type: z.literal('market_data'),
  symbol: z.string(),
  exchange: z.string(),
  mode: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  broker: z.string(),
  data: wsTickDataSchema,
});
export type WsMarketDataFrame = z.infer<typeof wsMarketDataFrameSchema>;

/** §9.3: all 18 keys always present; `seq` (our addition) orders one user's updates. */
export const wsOrderUpdateFrameSchema = z.object({
  type: z.literal('order_update'),
  user_id: z.string(),
  mode: z.enum(['live', 'analyze']),
  broker: z.string(),
  orderid: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  action: z.string(),
  quantity: z.number(),
  price: z.number(),
  trigger_price: z.number(),
  pricetype: z.string(),
  product: z.string(),
  order_status: z.string(),
  filled_quantity: z.number(),
  pending_quantity: z.number(),
  average_price: z.number(),
  rejection_reason: z.string(),
  seq: z.number().int().positive(),
  timestamp: z.number().int(),
});
export type WsOrderUpdateFrame = z.infer<typeof wsOrderUpdateFrameSchema>;

export const FEED_STATES = ['connected', 'connecting', 'reconnecting', 'stale', 'down'] as const;
export const feedStateSchema = z.enum(FEED_STATES);
export type FeedState = z.infer<typeof feedStateSchema>;

/** The broker feed's health, pushed to subscribed clients when it changes (our addition, §12.7). */
export const wsFeedStatusFrameSchema = z.object({
  type: z.literal('feed_status'),
  status: feedStateSchema,
  broker: z.string(),
  message: z.string(),
  timestamp: z.number().int(),
});
export type WsFeedStatusFrame = z.infer<typeof wsFeedStatusFrameSchema>;

/** Close codes the proxy uses. */
export const WS_CLOSE_CODES = {
  /** No `authenticate` within the grace period (OpenAlgo's code). */
  authTimeout: 4401,
  /** The client read too slowly for too long. */
  slowConsumer: 4008,
  /** The proxy is shutting down. */
  goingAway: 1001,
} as const;
