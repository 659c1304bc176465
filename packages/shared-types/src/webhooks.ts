import { z } from 'zod';
import { EXCHANGES, exchangeSchema, PRODUCTS, productSchema } from './enums.js';
import { enumField, integerField, requestObject, stringField } from './fields.js';

/**
 * Inbound alerts from charting platforms and scanners (features.md §4.1–§4.3), and the
 * strategy configuration the web app edits.
 */

/** BUY/SELL as OpenAlgo; SHORT/COVER accepted everywhere (features.md §11: one rule). */
export const ALERT_ACTIONS = ['BUY', 'SELL', 'SHORT', 'COVER'] as const;
export const alertActionSchema = z.enum(ALERT_ACTIONS);
export type AlertAction = z.infer<typeof alertActionSchema>;

/**
 * A TradingView / GoCharting / Amibroker / Python / Excel alert:
 * `{"symbol":"{{ticker}}","action":"{{strategy.order.action}}","position_size":"{{strategy.position_size}}"}`.
 * Platforms add their own fields, so unknown keys are ignored here (not refused).
 */
export const strategyAlertSchema = z.looseObject({
  symbol: stringField({ min: 1, max: 64 }).transform((value) => value.trim().toUpperCase()),
  action: enumField(ALERT_ACTIONS, { caseInsensitive: true }),
  position_size: integerField().optional(),
  /** Optional exchange to disambiguate a symbol mapped on two exchanges. */
  exchange: enumField(EXCHANGES).optional(),
});
export type StrategyAlert = z.infer<typeof strategyAlertSchema>;

/** What ChartInk posts for a scanner alert. */
export const chartinkAlertSchema = z.looseObject({
  stocks: stringField({ min: 1, max: 20_000 }),
  trigger_prices: stringField({ max: 20_000 }).optional(),
  triggered_at: z.string().max(100).optional(),
  scan_name: stringField({ min: 1, max: 500 }),
  scan_url: z.string().max(1_000).optional(),
  alert_name: z.string().max(500).optional(),
  webhook_url: z.string().max(1_000).optional(),
});
export type ChartinkAlert = z.infer<typeof chartinkAlertSchema>;

export const STRATEGY_PLATFORMS = [
  'tradingview',
  'gocharting',
  'amibroker',
  'python',
  'metatrader',
  'excel',
  'chartink',
  'other',
] as const;
export const strategyPlatformSchema = z.enum(STRATEGY_PLATFORMS);
export type StrategyPlatform = z.infer<typeof strategyPlatformSchema>;

export const TRADING_MODES = ['LONG', 'SHORT', 'BOTH'] as const;
export const tradingModeSchema = z.enum(TRADING_MODES);
export type TradingMode = z.infer<typeof tradingModeSchema>;

const istTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Time must be HH:MM (IST).');

const strategyFields = {
  name: stringField({ min: 1, max: 100 }).regex(
    /^[A-Za-z0-9 _.-]+$/,
    'Name may hold letters, digits, spaces, _ . -',
  ),
  platform: enumField(STRATEGY_PLATFORMS, { caseInsensitive: false }),
  is_intraday: z.boolean().default(true),
  trading_mode: enumField(TRADING_MODES).default('LONG'),
  start_time: istTime.nullable().optional(),
  end_time: istTime.nullable().optional(),
  squareoff_time: istTime.nullable().optional(),
  is_active: z.boolean().default(true),
};

function checkWindow(
  value: {
    is_intraday?: boolean;
    start_time?: string | null;
    end_time?: string | null;
    squareoff_time?: string | null;
  },
  context: z.core.$RefinementCtx,
): void {
  if (!value.is_intraday) {
    return;
  }
  const { start_time: start, end_time: end, squareoff_time: squareoff } = value;
  if (!start || !end || !squareoff) {
    context.addIssue({
      code: 'custom',
      path: ['start_time'],
      message: 'Intraday strategies need start, end and square-off times.',
    });
    return;
  }
  if (!(start < end && end <= squareoff)) {
    context.addIssue({
      code: 'custom',
      path: ['end_time'],
      message: 'Times must satisfy start < end ≤ square-off.',
    });
  }
}

export const createStrategyRequestSchema = requestObject(strategyFields).superRefine(checkWindow);
export type CreateStrategyRequest = z.infer<typeof createStrategyRequestSchema>;

export const updateStrategyRequestSchema = requestObject({
  name: strategyFields.name.optional(),
  is_intraday: z.boolean().optional(),
  trading_mode: enumField(TRADING_MODES).optional(),
  start_time: istTime.nullable().optional(),
  end_time: istTime.nullable().optional(),
  squareoff_time: istTime.nullable().optional(),
  is_active: z.boolean().optional(),
});
export type UpdateStrategyRequest = z.infer<typeof updateStrategyRequestSchema>;

export const strategySymbolInputSchema = requestObject({
  symbol: stringField({ min: 1, max: 64 }),
  exchange: enumField(EXCHANGES),
  quantity: integerField().pipe(z.number().int().positive('Quantity must be a positive number.')),
  product: enumField(PRODUCTS),
});
export type StrategySymbolInput = z.infer<typeof strategySymbolInputSchema>;

export const addStrategySymbolsRequestSchema = requestObject({
  symbols: z.array(strategySymbolInputSchema).min(1).max(1_000).optional(),
  /** Bulk paste: `SYMBOL,EXCHANGE,QTY,PRODUCT` per line (ChartInk and strategy pages). */
  csv: z.string().max(200_000).optional(),
}).refine((value) => value.symbols !== undefined || value.csv !== undefined, {
  message: 'Give symbols or csv.',
});
export type AddStrategySymbolsRequest = z.infer<typeof addStrategySymbolsRequestSchema>;

export const strategySymbolSchema = z.object({
  id: z.number().int(),
  symbol: z.string(),
  exchange: exchangeSchema,
  quantity: z.number().int(),
  product: productSchema,
});
export type StrategySymbol = z.infer<typeof strategySymbolSchema>;

export const strategySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  platform: strategyPlatformSchema,
  kind: z.enum(['webhook', 'chartink']),
  webhook_id: z.string(),
  webhook_url: z.string(),
  is_active: z.boolean(),
  is_intraday: z.boolean(),
  trading_mode: tradingModeSchema,
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
  squareoff_time: z.string().nullable(),
  created_at: z.number().int(),
  symbols: z.array(strategySymbolSchema),
});
export type Strategy = z.infer<typeof strategySchema>;

export const alertRecordSchema = z.object({
  id: z.string(),
  received_at: z.number().int(),
  status: z.string(),
  payload: z.unknown(),
  outcome: z.unknown(),
  error: z.string().nullable(),
  processed_at: z.number().int().nullable(),
});
export type AlertRecord = z.infer<typeof alertRecordSchema>;

export const alertResponseSchema = z.object({
  status: z.enum(['success', 'error']),
  message: z.string(),
  alert_id: z.string().optional(),
  results: z
    .array(
      z.object({
        symbol: z.string(),
        exchange: z.string(),
        action: z.string(),
        status: z.enum(['success', 'error']),
        orderid: z.string().optional(),
        pending_order_id: z.number().int().optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
});
export type AlertResponse = z.infer<typeof alertResponseSchema>;

// ------------------------------------------------------------------ the web app's strategy routes

/** A database id in a path (`/web/strategies/:id`): a positive 32-bit integer. */
const rowId = z.coerce.number().int().min(1).max(2_147_483_647);

export const strategyParamsSchema = z.strictObject({ id: rowId });
export const strategySymbolParamsSchema = z.strictObject({ id: rowId, symbol_id: rowId });

export const strategyListResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(strategySchema),
});
export type StrategyListResponse = z.infer<typeof strategyListResponseSchema>;

export const strategyResponseSchema = z.object({ status: z.literal('success'), data: strategySchema });
export type StrategyResponse = z.infer<typeof strategyResponseSchema>;

export const strategyAlertsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

export const strategyAlertsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(alertRecordSchema),
});
export type StrategyAlertsResponse = z.infer<typeof strategyAlertsResponseSchema>;
