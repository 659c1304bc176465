import { z } from 'zod';
import {
  actionSchema,
  exchangeSchema,
  instrumentTypeSchema,
  intervalSchema,
  optionTypeSchema,
  orderStatusSchema,
  priceTypeSchema,
  productSchema,
} from './enums.js';

/**
 * The normalized structures every broker adapter produces and consumes (spec/brokers.md §5.2).
 * Money is a canonical decimal string, never a float; quantities are integers; times are epoch
 * milliseconds (UTC) unless a field says otherwise.
 */

/** A decimal number as text: `"500"`, `"-12.5"`, `"0.05"`. No exponent, no leading `+`. */
export const decimalStringSchema = z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'Not a decimal string.');
export type DecimalString = z.infer<typeof decimalStringSchema>;

/** An instrument as the core resolved it from the symbol master before calling an adapter. */
export const resolvedInstrumentSchema = z.object({
  symbol: z.string().min(1),
  exchange: exchangeSchema,
  brSymbol: z.string().min(1),
  brExchange: z.string().min(1),
  token: z.string().min(1),
  name: z.string(),
  lotSize: z.number().int().positive(),
  tickSize: decimalStringSchema,
  instrumentType: instrumentTypeSchema,
  /** `DD-MMM-YY` for derivatives. */
  expiry: z.string().optional(),
  strike: decimalStringSchema.optional(),
  optionType: optionTypeSchema.optional(),
});
export type ResolvedInstrument = z.infer<typeof resolvedInstrumentSchema>;

/** One normalized row of a broker's instrument dump (spec/brokers.md §2.1). */
export const instrumentRowSchema = z.object({
  symbol: z.string().min(1),
  brsymbol: z.string().min(1),
  name: z.string(),
  exchange: exchangeSchema,
  brexchange: z.string().min(1),
  token: z.string().min(1),
  /** `DD-MMM-YY` for FUT/CE/PE, empty otherwise. */
  expiry: z.string(),
  strike: decimalStringSchema,
  lotsize: z.number().int().positive(),
  instrumenttype: instrumentTypeSchema,
  tick_size: decimalStringSchema,
  contract_value: decimalStringSchema.nullable().optional(),
});
export type InstrumentRow = z.infer<typeof instrumentRowSchema>;

export const validitySchema = z.enum(['DAY', 'IOC']);
export type Validity = z.infer<typeof validitySchema>;

export const orderRequestSchema = z.object({
  instrument: resolvedInstrumentSchema,
  action: actionSchema,
  quantity: z.number().int().positive(),
  product: productSchema,
  priceType: priceTypeSchema,
  price: decimalStringSchema,
  triggerPrice: decimalStringSchema,
  disclosedQuantity: z.number().int().nonnegative(),
  validity: validitySchema,
  amo: z.boolean().optional(),
  /** Our id, sent in the broker's tag field so a timed-out placement can be reconciled. */
  clientOrderId: z.string().min(1).max(20),
  /** Broker-specific extras, validated by that broker's own schema. */
  brokerOptions: z.record(z.string(), z.unknown()).optional(),
});
export type OrderRequest = z.infer<typeof orderRequestSchema>;

/** What the broker needs to find an order again (Kite variety, Angel STOPLOSS, …). */
export const orderRefSchema = z.object({
  orderId: z.string().min(1),
  instrument: resolvedInstrumentSchema.optional(),
  variety: z.string().optional(),
  brokerRef: z.record(z.string(), z.string()).optional(),
});
export type OrderRef = z.infer<typeof orderRefSchema>;

/** The full new values of a modified order. */
export const orderChangeSchema = z.object({
  instrument: resolvedInstrumentSchema,
  action: actionSchema,
  product: productSchema,
  priceType: priceTypeSchema,
  quantity: z.number().int().positive(),
  price: decimalStringSchema,
  triggerPrice: decimalStringSchema,
  disclosedQuantity: z.number().int().nonnegative(),
  validity: validitySchema,
});
export type OrderChange = z.infer<typeof orderChangeSchema>;

export const orderAckSchema = z.object({
  orderId: z.string().min(1),
  raw: z.unknown(),
});
export type OrderAck = z.infer<typeof orderAckSchema>;

export const orderSchema = z.object({
  orderId: z.string().min(1),
  symbol: z.string().min(1),
  exchange: exchangeSchema,
  action: actionSchema,
  quantity: z.number().int().nonnegative(),
  filledQuantity: z.number().int().nonnegative(),
  pendingQuantity: z.number().int().nonnegative(),
  price: decimalStringSchema,
  triggerPrice: decimalStringSchema,
  averagePrice: decimalStringSchema,
  priceType: priceTypeSchema,
  product: productSchema,
  status: orderStatusSchema,
  rejectionReason: z.string().optional(),
  /** The broker's variety or equivalent, so modify/cancel use the order's own. */
  variety: z.string().optional(),
  /** Our client order id echoed back by the broker's tag field, when the broker keeps it. */
  clientOrderId: z.string().optional(),
  placedAt: z.number().int(),
  updatedAt: z.number().int(),
  raw: z.unknown(),
});
export type Order = z.infer<typeof orderSchema>;

export const tradeSchema = z.object({
  tradeId: z.string().min(1),
  orderId: z.string().min(1),
  symbol: z.string().min(1),
  exchange: exchangeSchema,
  action: actionSchema,
  quantity: z.number().int().positive(),
  price: decimalStringSchema,
  product: productSchema,
  tradedAt: z.number().int(),
  raw: z.unknown(),
});
export type Trade = z.infer<typeof tradeSchema>;

export const positionSchema = z.object({
  symbol: z.string().min(1),
  exchange: exchangeSchema,
  product: productSchema,
  /** Signed net quantity: positive long, negative short. */
  quantity: z.number().int(),
  averagePrice: decimalStringSchema,
  ltp: decimalStringSchema.optional(),
  realizedPnl: decimalStringSchema.optional(),
  unrealizedPnl: decimalStringSchema.optional(),
  pnl: decimalStringSchema.optional(),
  buyQuantity: z.number().int().nonnegative().optional(),
  sellQuantity: z.number().int().nonnegative().optional(),
  buyValue: decimalStringSchema.optional(),
  sellValue: decimalStringSchema.optional(),
  raw: z.unknown(),
});
export type Position = z.infer<typeof positionSchema>;

export const holdingSchema = z.object({
  symbol: z.string().min(1),
  exchange: exchangeSchema,
  product: productSchema,
  quantity: z.number().int().nonnegative(),
  averagePrice: decimalStringSchema,
  ltp: decimalStringSchema.optional(),
  pnl: decimalStringSchema.optional(),
  pnlPercent: decimalStringSchema.optional(),
  raw: z.unknown(),
});
export type Holding = z.infer<typeof holdingSchema>;

export const fundsSchema = z.object({
  availableCash: decimalStringSchema,
  collateral: decimalStringSchema,
  utilisedDebits: decimalStringSchema,
  m2mRealized: decimalStringSchema,
  m2mUnrealized: decimalStringSchema,
  raw: z.unknown(),
});
export type Funds = z.infer<typeof fundsSchema>;

export const quoteSchema = z.object({
  ltp: decimalStringSchema,
  open: decimalStringSchema,
  high: decimalStringSchema,
  low: decimalStringSchema,
  /** Previous close. */
  prevClose: decimalStringSchema,
  bid: decimalStringSchema,
  ask: decimalStringSchema,
  volume: z.number().int().nonnegative(),
  oi: z.number().int().nonnegative(),
  /** Exchange time of the last trade, epoch ms. */
  lastTradeTime: z.number().int().optional(),
});
export type Quote = z.infer<typeof quoteSchema>;

export const depthLevelSchema = z.object({
  price: decimalStringSchema,
  quantity: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
});
export type DepthLevel = z.infer<typeof depthLevelSchema>;

export const depthSchema = z.object({
  bids: z.array(depthLevelSchema),
  asks: z.array(depthLevelSchema),
  ltp: decimalStringSchema,
  ltq: z.number().int().nonnegative(),
  open: decimalStringSchema,
  high: decimalStringSchema,
  low: decimalStringSchema,
  prevClose: decimalStringSchema,
  volume: z.number().int().nonnegative(),
  oi: z.number().int().nonnegative(),
  totalBuyQuantity: z.number().int().nonnegative(),
  totalSellQuantity: z.number().int().nonnegative(),
});
export type Depth = z.infer<typeof depthSchema>;

export const candleSchema = z.object({
  /** Epoch seconds; daily and longer bars at 00:00 UTC of the IST trading date. */
  time: z.number().int(),
  open: decimalStringSchema,
  high: decimalStringSchema,
  low: decimalStringSchema,
  close: decimalStringSchema,
  volume: z.number().int().nonnegative(),
  oi: z.number().int().nonnegative(),
});
export type Candle = z.infer<typeof candleSchema>;

export const historyChunkRequestSchema = z.object({
  instrument: resolvedInstrumentSchema,
  interval: intervalSchema,
  /** Inclusive range, epoch ms. */
  from: z.number().int(),
  to: z.number().int(),
  includeOi: z.boolean().optional(),
});
export type HistoryChunkRequest = z.infer<typeof historyChunkRequestSchema>;

export const streamModeSchema = z.enum(['ltp', 'quote', 'depth']);
export type StreamMode = z.infer<typeof streamModeSchema>;

/**
 * One tick, normalized once by the streaming adapter (streaming.md §2.10.2). Not parsed with
 * zod on the hot path: this schema documents it and validates it in tests.
 */
export const tickSchema = z.object({
  symbol: z.string(),
  exchange: exchangeSchema,
  /** The richest mode this tick carries. */
  mode: streamModeSchema,
  ltp: z.number(),
  /** Exchange last-trade time, epoch ms. */
  ltt: z.number().int().optional(),
  /** Receipt time, epoch ms. */
  timestamp: z.number().int(),
  volume: z.number().int().nonnegative().optional(),
  open: z.number().optional(),
  high: z.number().optional(),
  low: z.number().optional(),
  /** Previous close. */
  close: z.number().optional(),
  average_price: z.number().optional(),
  last_quantity: z.number().int().nonnegative().optional(),
  total_buy_quantity: z.number().int().nonnegative().optional(),
  total_sell_quantity: z.number().int().nonnegative().optional(),
  oi: z.number().int().nonnegative().optional(),
  upper_circuit: z.number().optional(),
  lower_circuit: z.number().optional(),
  depth: z
    .object({
      buy: z.array(z.object({ price: z.number(), quantity: z.number().int(), orders: z.number().int() })),
      sell: z.array(z.object({ price: z.number(), quantity: z.number().int(), orders: z.number().int() })),
    })
    .optional(),
});
export type Tick = z.infer<typeof tickSchema>;

/** A broker order event, normalized (streaming.md §9.2). */
export const orderUpdateSchema = z.object({
  orderid: z.string(),
  symbol: z.string(),
  exchange: exchangeSchema,
  action: actionSchema,
  quantity: z.number().int().nonnegative(),
  price: z.number(),
  trigger_price: z.number(),
  pricetype: priceTypeSchema,
  product: productSchema,
  order_status: z.string(),
  filled_quantity: z.number().int().nonnegative(),
  pending_quantity: z.number().int().nonnegative(),
  average_price: z.number(),
  rejection_reason: z.string(),
  /** Update time, epoch ms. */
  timestamp: z.number().int(),
});
export type OrderUpdate = z.infer<typeof orderUpdateSchema>;

export const marginLegSchema = z.object({
  instrument: resolvedInstrumentSchema,
  action: actionSchema,
  quantity: z.number().int().positive(),
  product: productSchema,
  priceType: priceTypeSchema,
  price: decimalStringSchema,
  triggerPrice: decimalStringSchema,
});
export type MarginLeg = z.infer<typeof marginLegSchema>;

export const marginResultSchema = z.object({
  totalMargin: decimalStringSchema,
  spanMargin: decimalStringSchema,
  exposureMargin: decimalStringSchema,
  raw: z.unknown(),
});
export type MarginResult = z.infer<typeof marginResultSchema>;

export const gttTriggerTypeSchema = z.enum(['single', 'two-leg']);
export type GttTriggerType = z.infer<typeof gttTriggerTypeSchema>;

export const gttLegSchema = z.object({
  triggerPrice: decimalStringSchema,
  price: decimalStringSchema,
  quantity: z.number().int().positive(),
  action: actionSchema,
  priceType: z.enum(['LIMIT', 'MARKET']),
  product: productSchema,
});
export type GttLeg = z.infer<typeof gttLegSchema>;

export const gttRequestSchema = z.object({
  instrument: resolvedInstrumentSchema,
  triggerType: gttTriggerTypeSchema,
  /** Supplied by the core: the broker needs the price at creation. */
  lastPrice: decimalStringSchema,
  legs: z.array(gttLegSchema).min(1).max(2),
  expiresAt: z.number().int().optional(),
});
export type GttRequest = z.infer<typeof gttRequestSchema>;

export const gttSchema = z.object({
  triggerId: z.string(),
  symbol: z.string(),
  exchange: exchangeSchema,
  triggerType: gttTriggerTypeSchema,
  status: z.string(),
  lastPrice: decimalStringSchema,
  legs: z.array(gttLegSchema),
  createdAt: z.number().int(),
  expiresAt: z.number().int().optional(),
  raw: z.unknown(),
});
export type Gtt = z.infer<typeof gttSchema>;
