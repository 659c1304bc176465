import { z } from 'zod';
import { modeMarker, numeric, optionalNumeric, quantity } from './common.js';

/** `/web/v1/funds`, `/orderbook`, `/tradebook`, `/positionbook`, `/holdings` (api-v1 §4.2). */

export const fundsResponseSchema = z.object({
  status: z.literal('success'),
  mode: modeMarker,
  data: z.looseObject({
    availablecash: numeric,
    collateral: optionalNumeric,
    m2mrealized: optionalNumeric,
    m2munrealized: optionalNumeric,
    utiliseddebits: optionalNumeric,
    totalpnl: optionalNumeric,
  }),
});
export type FundsResponse = z.infer<typeof fundsResponseSchema>;

export const orderRowSchema = z.looseObject({
  orderid: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  action: z.string(),
  product: z.string(),
  pricetype: z.string(),
  quantity,
  price: optionalNumeric,
  trigger_price: optionalNumeric,
  order_status: z.string(),
  timestamp: z.string().optional(),
  average_price: optionalNumeric,
  filled_quantity: quantity.optional(),
  pending_quantity: quantity.optional(),
  rejection_reason: z.string().nullish(),
  strategy: z.string().nullish(),
});
export type OrderRow = z.infer<typeof orderRowSchema>;

export const orderBookResponseSchema = z.object({
  status: z.literal('success'),
  mode: modeMarker,
  data: z.object({
    orders: z.array(orderRowSchema),
    statistics: z.looseObject({
      total_buy_orders: quantity,
      total_sell_orders: quantity,
      total_completed_orders: quantity,
      total_open_orders: quantity,
      total_rejected_orders: quantity,
    }),
  }),
});
export type OrderBookResponse = z.infer<typeof orderBookResponseSchema>;

export const tradeRowSchema = z.looseObject({
  orderid: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  action: z.string(),
  product: z.string(),
  quantity,
  average_price: numeric,
  trade_value: optionalNumeric,
  timestamp: z.string().optional(),
  tradeid: z.string().optional(),
});
export type TradeRow = z.infer<typeof tradeRowSchema>;

export const tradeBookResponseSchema = z.object({
  status: z.literal('success'),
  mode: modeMarker,
  data: z.array(tradeRowSchema),
});

export const positionRowSchema = z.looseObject({
  symbol: z.string(),
  exchange: z.string(),
  product: z.string(),
  quantity,
  average_price: numeric,
  ltp: optionalNumeric,
  pnl: optionalNumeric,
  today_realized_pnl: optionalNumeric,
  unrealized_pnl: optionalNumeric,
});
export type PositionRow = z.infer<typeof positionRowSchema>;

export const positionBookResponseSchema = z.object({
  status: z.literal('success'),
  mode: modeMarker,
  data: z.array(positionRowSchema),
});

export const holdingRowSchema = z.looseObject({
  symbol: z.string(),
  exchange: z.string(),
  product: z.string(),
  quantity,
  average_price: optionalNumeric,
  ltp: optionalNumeric,
  pnl: optionalNumeric,
  pnlpercent: optionalNumeric,
});
export type HoldingRow = z.infer<typeof holdingRowSchema>;

export const holdingsResponseSchema = z.object({
  status: z.literal('success'),
  mode: modeMarker,
  data: z.object({
    holdings: z.array(holdingRowSchema),
    statistics: z.looseObject({
      totalholdingvalue: optionalNumeric,
      totalinvvalue: optionalNumeric,
      totalprofitandloss: optionalNumeric,
      totalpnlpercentage: optionalNumeric,
    }),
  }),
});
export type HoldingsResponse = z.infer<typeof holdingsResponseSchema>;
