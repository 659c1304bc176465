import { z } from 'zod';
import { EXCHANGES, PRICE_TYPES } from './enums.js';
import { apikeyField, enumField, listField, requestObject, stringField } from './fields.js';
import { analyzeModeSchema, numberOrStringSchema, orderActionField, orderProductField } from './orders.js';

/**
 * `/api/v1` account routes (api-v1 §4.2): funds, the books, order status, open position and
 * margin. Live rows follow the reference broker's types (some values are numeric strings);
 * the analyzer adds the keys marked "sandbox" (api-v1 §5.3). Clients parse number-or-string.
 */

const apikeyOnly = () => requestObject({ apikey: apikeyField() });

// ---------------------------------------------------------------- funds

export const fundsRequestSchema = apikeyOnly();
export type FundsRequest = z.infer<typeof fundsRequestSchema>;

export const fundsDataSchema = z.object({
  availablecash: numberOrStringSchema,
  collateral: numberOrStringSchema,
  m2mrealized: numberOrStringSchema,
  m2munrealized: numberOrStringSchema,
  utiliseddebits: numberOrStringSchema,
  // sandbox
  total_realized_pnl: z.number().optional(),
  today_realized_pnl: z.number().optional(),
  grossexposure: z.number().optional(),
  totalpnl: z.number().optional(),
  last_reset: z.string().optional(),
  reset_count: z.number().int().optional(),
});
export type FundsData = z.infer<typeof fundsDataSchema>;

export const fundsResponseSchema = z.object({
  status: z.literal('success'),
  data: fundsDataSchema,
  mode: analyzeModeSchema.optional(),
});
export type FundsResponse = z.infer<typeof fundsResponseSchema>;

// ---------------------------------------------------------------- orderbook

export const orderBookRequestSchema = apikeyOnly();
export type OrderBookRequest = z.infer<typeof orderBookRequestSchema>;

export const orderBookRowSchema = z.object({
  action: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  orderid: z.string(),
  product: z.string(),
  quantity: numberOrStringSchema,
  price: z.number(),
  pricetype: z.string(),
  order_status: z.string(),
  trigger_price: z.number(),
  timestamp: z.string(),
  // sandbox
  average_price: z.number().optional(),
  filled_quantity: z.number().optional(),
  pending_quantity: z.number().optional(),
  rejection_reason: z.string().optional(),
  strategy: z.string().optional(),
});
export type OrderBookRow = z.infer<typeof orderBookRowSchema>;

export const orderStatisticsSchema = z.object({
  total_buy_orders: z.number().int(),
  total_sell_orders: z.number().int(),
  total_completed_orders: z.number().int(),
  total_open_orders: z.number().int(),
  total_rejected_orders: z.number().int(),
  // sandbox
  total_trigger_pending_orders: z.number().int().optional(),
});
export type OrderStatistics = z.infer<typeof orderStatisticsSchema>;

export const orderBookResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ orders: z.array(orderBookRowSchema), statistics: orderStatisticsSchema }),
  mode: analyzeModeSchema.optional(),
});
export type OrderBookResponse = z.infer<typeof orderBookResponseSchema>;

// ---------------------------------------------------------------- tradebook

export const tradeBookRequestSchema = apikeyOnly();
export type TradeBookRequest = z.infer<typeof tradeBookRequestSchema>;

export const tradeBookRowSchema = z.object({
  action: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  orderid: z.string(),
  product: z.string(),
  quantity: numberOrStringSchema,
  average_price: z.number(),
  trade_value: z.number(),
  timestamp: z.string(),
  tradeid: z.string().optional(),
  // sandbox
  price: z.number().optional(),
  strategy: z.string().optional(),
});
export type TradeBookRow = z.infer<typeof tradeBookRowSchema>;

export const tradeBookResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(tradeBookRowSchema),
  mode: analyzeModeSchema.optional(),
});
export type TradeBookResponse = z.infer<typeof tradeBookResponseSchema>;

// ---------------------------------------------------------------- positionbook

export const positionBookRequestSchema = apikeyOnly();
export type PositionBookRequest = z.infer<typeof positionBookRequestSchema>;

export const positionBookRowSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  product: z.string(),
  quantity: numberOrStringSchema,
  average_price: numberOrStringSchema,
  ltp: numberOrStringSchema,
  pnl: numberOrStringSchema,
  // sandbox
  pnlpercent: z.number().optional(),
  unrealized_pnl: z.number().optional(),
  today_realized_pnl: z.number().optional(),
  total_pnl_today: z.number().optional(),
  lot_size: z.number().int().optional(),
});
export type PositionBookRow = z.infer<typeof positionBookRowSchema>;

export const positionBookResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(positionBookRowSchema),
  // sandbox
  total_pnl: z.number().optional(),
  total_unrealized_pnl: z.number().optional(),
  total_today_realized_pnl: z.number().optional(),
  total_pnl_today: z.number().optional(),
  mode: analyzeModeSchema.optional(),
});
export type PositionBookResponse = z.infer<typeof positionBookResponseSchema>;

// ---------------------------------------------------------------- holdings

export const holdingsRequestSchema = apikeyOnly();
export type HoldingsRequest = z.infer<typeof holdingsRequestSchema>;

export const holdingRowSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  quantity: z.number(),
  product: z.string(),
  average_price: z.number(),
  ltp: z.number().optional(),
  pnl: z.number(),
  pnlpercent: z.number(),
  // sandbox
  current_value: z.number().optional(),
  settlement_date: z.string().optional(),
});
export type HoldingRow = z.infer<typeof holdingRowSchema>;

export const holdingsStatisticsSchema = z.object({
  totalholdingvalue: z.number(),
  totalinvvalue: z.number(),
  totalprofitandloss: z.number(),
  totalpnlpercentage: z.number(),
});
export type HoldingsStatistics = z.infer<typeof holdingsStatisticsSchema>;

export const holdingsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ holdings: z.array(holdingRowSchema), statistics: holdingsStatisticsSchema }),
  mode: analyzeModeSchema.optional(),
});
export type HoldingsResponse = z.infer<typeof holdingsResponseSchema>;

// ---------------------------------------------------------------- orderstatus

/** `POST /orderstatus` (api-v1 §4.2.6): `orderid` must be a JSON string. */
export const orderStatusRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  orderid: stringField(),
});
export type OrderStatusRequest = z.infer<typeof orderStatusRequestSchema>;

export const orderStatusDataSchema = orderBookRowSchema.extend({
  average_price: z.number(),
  // sandbox (the reference's key; `pricetype` is sent too)
  price_type: z.string().optional(),
});
export type OrderStatusData = z.infer<typeof orderStatusDataSchema>;

export const orderStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: orderStatusDataSchema,
  mode: analyzeModeSchema.optional(),
});
export type OrderStatusResponse = z.infer<typeof orderStatusResponseSchema>;

// ---------------------------------------------------------------- openposition

/** `POST /openposition` (api-v1 §4.2.7): `exchange` is a free string here. */
export const openPositionRequestSchema = requestObject({
  apikey: apikeyField(),
  strategy: stringField(),
  symbol: stringField(),
  exchange: stringField(),
  product: orderProductField(),
});
export type OpenPositionRequest = z.infer<typeof openPositionRequestSchema>;

export const openPositionResponseSchema = z.object({
  status: z.literal('success'),
  quantity: numberOrStringSchema,
  mode: analyzeModeSchema.optional(),
});
export type OpenPositionResponse = z.infer<typeof openPositionResponseSchema>;

// ---------------------------------------------------------------- margin

export const MARGIN_MESSAGES = {
  apikey: 'API key must be between 1 and 256 characters.',
  positions: 'Positions must contain 1 to 50 items.',
  symbol: 'Symbol must be between 1 and 50 characters.',
} as const;

/** One position of a margin request; `quantity`, `price`, `trigger_price` must be strings. */
export const marginPositionSchema = requestObject({
  symbol: stringField().min(1, MARGIN_MESSAGES.symbol).max(50, MARGIN_MESSAGES.symbol),
  exchange: enumField(EXCHANGES),
  action: orderActionField(),
  /** Validated by the service ("Position <n>: …"), as the reference does. */
  quantity: stringField(),
  product: orderProductField(),
  pricetype: enumField(PRICE_TYPES),
  price: stringField().default('0'),
  trigger_price: stringField().default('0'),
});
export type MarginPosition = z.infer<typeof marginPositionSchema>;

/** `POST /margin` (api-v1 §4.2.8): always computed by the live broker. */
export const marginRequestSchema = requestObject({
  apikey: stringField().min(1, MARGIN_MESSAGES.apikey).max(256, MARGIN_MESSAGES.apikey),
  positions: listField(marginPositionSchema)
    .min(1, MARGIN_MESSAGES.positions)
    .max(50, MARGIN_MESSAGES.positions),
});
export type MarginRequest = z.infer<typeof marginRequestSchema>;

export const marginResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    total_margin_required: z.number(),
    span_margin: z.number(),
    exposure_margin: z.number(),
    margin_benefit: z.number().optional(),
  }),
});
export type MarginResponse = z.infer<typeof marginResponseSchema>;
