import { BadResponseError } from '@openalgo/broker-sdk';
import { z } from 'zod';

/**
 * Schemas for the `data` part of Kite's answers (house rule 9): only the fields we read, each
 * tolerant of `null` or absence. Kite sends numbers as JSON numbers, but some fields have been
 * seen as numeric text (trade ids, instrument tokens), so those accept both.
 */

const numeric = z.union([z.number(), z.string()]).nullish();
const text = z.string().nullish();

export const kiteSessionSchema = z.object({
  user_id: z.string(),
  user_name: text,
  user_shortname: text,
  email: text,
  broker: text,
  access_token: z.string().min(1),
  public_token: text,
  refresh_token: text,
  login_time: text,
});
export type KiteSession = z.infer<typeof kiteSessionSchema>;

export const kiteProfileSchema = z.object({
  user_id: z.string(),
  user_name: text,
  exchanges: z.array(z.string()).nullish(),
});

export const kiteOrderIdSchema = z.object({ order_id: numeric });

export const kiteOrderSchema = z.object({
  order_id: numeric,
  parent_order_id: numeric,
  exchange_order_id: numeric,
  status: text,
  status_message: text,
  status_message_raw: text,
  order_timestamp: text,
  exchange_update_timestamp: text,
  exchange_timestamp: text,
  variety: text,
  exchange: text,
  tradingsymbol: text,
  instrument_token: numeric,
  order_type: text,
  transaction_type: text,
  validity: text,
  product: text,
  quantity: numeric,
  disclosed_quantity: numeric,
  price: numeric,
  trigger_price: numeric,
  average_price: numeric,
  filled_quantity: numeric,
  pending_quantity: numeric,
  cancelled_quantity: numeric,
  tag: text,
});
export type KiteOrder = z.infer<typeof kiteOrderSchema>;

export const kiteOrdersSchema = z.array(kiteOrderSchema);

export const kiteTradeSchema = z.object({
  trade_id: numeric,
  order_id: numeric,
  exchange: text,
  tradingsymbol: text,
  instrument_token: numeric,
  product: text,
  transaction_type: text,
  average_price: numeric,
  quantity: numeric,
  fill_timestamp: text,
  exchange_timestamp: text,
  order_timestamp: text,
});
export type KiteTrade = z.infer<typeof kiteTradeSchema>;
export const kiteTradesSchema = z.array(kiteTradeSchema);

export const kitePositionSchema = z.object({
  tradingsymbol: text,
  exchange: text,
  instrument_token: numeric,
  product: text,
  quantity: numeric,
  average_price: numeric,
  last_price: numeric,
  pnl: numeric,
  realised: numeric,
  unrealised: numeric,
  buy_quantity: numeric,
  sell_quantity: numeric,
  buy_value: numeric,
  sell_value: numeric,
});
export type KitePosition = z.infer<typeof kitePositionSchema>;

export const kitePositionsSchema = z.object({
  net: z.array(kitePositionSchema).nullish(),
  day: z.array(kitePositionSchema).nullish(),
});

export const kiteHoldingSchema = z.object({
  tradingsymbol: text,
  exchange: text,
  instrument_token: numeric,
  product: text,
  quantity: numeric,
  t1_quantity: numeric,
  average_price: numeric,
  last_price: numeric,
  pnl: numeric,
});
export type KiteHolding = z.infer<typeof kiteHoldingSchema>;
export const kiteHoldingsSchema = z.array(kiteHoldingSchema);

const kiteSegmentMarginsSchema = z
  .object({
    net: numeric,
    available: z.object({ cash: numeric, collateral: numeric, live_balance: numeric }).nullish(),
    utilised: z.object({ debits: numeric, m2m_realised: numeric, m2m_unrealised: numeric }).nullish(),
  })
  .nullish();

export const kiteUserMarginsSchema = z.object({
  equity: kiteSegmentMarginsSchema,
  commodity: kiteSegmentMarginsSchema,
});
export type KiteUserMargins = z.infer<typeof kiteUserMarginsSchema>;

const kiteMarginComponentsSchema = z.object({
  span: numeric,
  exposure: numeric,
  option_premium: numeric,
  additional: numeric,
  total: numeric,
  charges: z.object({ total: numeric }).nullish(),
});

export const kiteOrderMarginsSchema = z.array(kiteMarginComponentsSchema);
export const kiteBasketMarginsSchema = z.object({
  initial: kiteMarginComponentsSchema,
  final: kiteMarginComponentsSchema,
  orders: z.array(kiteMarginComponentsSchema).nullish(),
});

const kiteDepthLevelSchema = z.object({ price: numeric, quantity: numeric, orders: numeric });

export const kiteQuoteSchema = z.object({
  instrument_token: numeric,
  last_price: numeric,
  last_quantity: numeric,
  last_trade_time: text,
  volume: numeric,
  buy_quantity: numeric,
  sell_quantity: numeric,
  oi: numeric,
  ohlc: z.object({ open: numeric, high: numeric, low: numeric, close: numeric }).nullish(),
  depth: z
    .object({ buy: z.array(kiteDepthLevelSchema).nullish(), sell: z.array(kiteDepthLevelSchema).nullish() })
    .nullish(),
});
export type KiteQuote = z.infer<typeof kiteQuoteSchema>;
export const kiteQuotesSchema = z.record(z.string(), kiteQuoteSchema);

export const kiteHistorySchema = z.object({
  candles: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
});

const kiteGttOrderSchema = z.object({
  exchange: text,
  tradingsymbol: text,
  transaction_type: text,
  quantity: numeric,
  order_type: text,
  product: text,
  price: numeric,
});

export const kiteGttSchema = z.object({
  id: numeric,
  type: text,
  status: text,
  created_at: text,
  expires_at: text,
  condition: z.object({
    exchange: text,
    tradingsymbol: text,
    instrument_token: numeric,
    trigger_values: z.array(z.number()).nullish(),
    last_price: numeric,
  }),
  orders: z.array(kiteGttOrderSchema).nullish(),
});
export type KiteGtt = z.infer<typeof kiteGttSchema>;
export const kiteGttsSchema = z.array(kiteGttSchema);
export const kiteTriggerIdSchema = z.object({ trigger_id: numeric });

/** A text frame on the ticker socket: order updates, errors, broker messages. */
export const kiteTickerTextSchema = z.object({
  type: z.string(),
  data: z.unknown(),
});

/** Parses Kite data with a schema; a mismatch is a `BadResponseError` carrying the raw body. */
export function parseKite<T>(schema: z.ZodType<T>, data: unknown, operation: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new BadResponseError(`Kite answered ${operation} with an unexpected shape`, {
      context: {
        broker: 'zerodha',
        operation,
        issues: result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
        body: data,
      },
    });
  }
  return result.data;
}
