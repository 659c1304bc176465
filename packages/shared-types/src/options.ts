import { z } from 'zod';
import { DERIVATIVE_EXCHANGES, EXCHANGES } from './enums.js';
import {
  apikeyField,
  booleanField,
  enumField,
  floatField,
  inRange,
  integerField,
  listField,
  MESSAGES,
  rangeMessage,
  requestObject,
  stringField,
} from './fields.js';

/**
 * Options analytics (api-v1 §4.5): option symbol, option chain, Greeks, multi-Greeks and the
 * synthetic future. Validation failures use envelope E3 (`Validation error`) or, for the
 * Greeks routes, E4 (`Validation failed`).
 */

const OFFSET_PATTERN = /^(ATM|ITM([1-9]|[1-4][0-9]|50)|OTM([1-9]|[1-4][0-9]|50))$/;
export const OFFSET_MESSAGE = 'Offset must be ATM, ITM1-ITM50, or OTM1-OTM50';

/** `ATM`, `ITM1`…`ITM50`, `OTM1`…`OTM50`, any case; upper-cased. */
export function offsetField() {
  return stringField()
    .refine((value) => OFFSET_PATTERN.test(value.toUpperCase()), { message: OFFSET_MESSAGE })
    .transform((value) => value.toUpperCase());
}

/** `CE`/`PE` in either case (exactly as the reference lists them), upper-cased. */
export function optionTypeField() {
  return enumField(['CE', 'PE', 'ce', 'pe']).transform((value) => value.toUpperCase() as 'CE' | 'PE');
}

const strikeIntervalField = () =>
  integerField()
    .refine(inRange({ min: 1 }), { message: rangeMessage({ min: 1 }) })
    .nullable()
    .optional();

// ---------------------------------------------------------------- option symbol

/** `POST /api/v1/optionsymbol`. */
export const optionSymbolRequestSchema = requestObject({
  apikey: apikeyField(),
  /** Deprecated and ignored. */
  strategy: stringField().nullable().optional(),
  underlying: stringField(),
  exchange: enumField(EXCHANGES),
  expiry_date: stringField().optional(),
  strike_int: strikeIntervalField(),
  offset: offsetField(),
  option_type: optionTypeField(),
});
export type OptionSymbolRequest = z.infer<typeof optionSymbolRequestSchema>;

export const optionSymbolResponseSchema = z.object({
  status: z.literal('success'),
  symbol: z.string(),
  exchange: z.string(),
  lotsize: z.number().int(),
  tick_size: z.number(),
  freeze_qty: z.number().int(),
  underlying_ltp: z.number(),
});
export type OptionSymbolResponse = z.infer<typeof optionSymbolResponseSchema>;

// ---------------------------------------------------------------- option chain

const interestRateField = () =>
  floatField().refine(inRange({ min: 0, max: 100 }), { message: rangeMessage({ min: 0, max: 100 }) });

/** `POST /api/v1/optionchain`. */
export const optionChainRequestSchema = requestObject({
  apikey: apikeyField(),
  underlying: stringField(),
  exchange: enumField(EXCHANGES),
  expiry_date: stringField(),
  strike_count: integerField()
    .refine(inRange({ min: 1, max: 100 }), { message: rangeMessage({ min: 1, max: 100 }) })
    .nullable()
    .optional(),
  with_greeks: booleanField().default(false),
  interest_rate: interestRateField().nullable().optional(),
});
export type OptionChainRequest = z.infer<typeof optionChainRequestSchema>;

/** IV (%) and Greeks attached to a chain leg when `with_greeks` is set and the leg is priced. */
export const legGreeksSchema = z.object({
  implied_volatility: z.number(),
  delta: z.number(),
  gamma: z.number(),
  theta: z.number(),
  vega: z.number(),
});
export type LegGreeks = z.infer<typeof legGreeksSchema>;

export const optionChainLegSchema = z
  .object({
    symbol: z.string(),
    label: z.string(),
    ltp: z.number(),
    bid: z.number(),
    ask: z.number(),
    bid_qty: z.number().int(),
    ask_qty: z.number().int(),
    open: z.number(),
    high: z.number(),
    low: z.number(),
    prev_close: z.number(),
    volume: z.number().int(),
    oi: z.number().int(),
    lotsize: z.number().int(),
    tick_size: z.number(),
  })
  .extend(legGreeksSchema.partial().shape);
export type OptionChainLeg = z.infer<typeof optionChainLegSchema>;

export const optionChainRowSchema = z.object({
  strike: z.number(),
  ce: optionChainLegSchema.nullable(),
  pe: optionChainLegSchema.nullable(),
});
export type OptionChainRow = z.infer<typeof optionChainRowSchema>;

export const optionChainResponseSchema = z.object({
  status: z.literal('success'),
  underlying: z.string(),
  underlying_symbol: z.string(),
  underlying_exchange: z.string(),
  underlying_ltp: z.number(),
  underlying_prev_close: z.number(),
  expiry_date: z.string(),
  expiry_ts: z.number().int(),
  server_ts: z.number().int(),
  atm_strike: z.number(),
  quotes_included: z.boolean(),
  greeks_included: z.boolean(),
  forward_price: z.number().nullable(),
  chain: z.array(optionChainRowSchema),
});
export type OptionChainResponse = z.infer<typeof optionChainResponseSchema>;

// ---------------------------------------------------------------- Greeks

/** `POST /api/v1/optiongreeks`. */
export const optionGreeksRequestSchema = requestObject({
  apikey: apikeyField(),
  symbol: stringField(),
  exchange: enumField(DERIVATIVE_EXCHANGES),
  interest_rate: interestRateField().optional(),
  forward_price: floatField()
    .refine(inRange({ min: 0 }), { message: rangeMessage({ min: 0 }) })
    .optional(),
  underlying_symbol: stringField().optional(),
  underlying_exchange: stringField().optional(),
  expiry_time: stringField().optional(),
});
export type OptionGreeksRequest = z.infer<typeof optionGreeksRequestSchema>;

export const greeksSchema = z.object({
  delta: z.number(),
  gamma: z.number(),
  theta: z.number(),
  vega: z.number(),
  rho: z.number(),
});
export type Greeks = z.infer<typeof greeksSchema>;

/** One option's Greeks; theoretical answers (no time value, expired) add the last three keys. */
export const optionGreeksResultSchema = z.object({
  status: z.literal('success'),
  symbol: z.string(),
  exchange: z.string(),
  underlying: z.string(),
  strike: z.number(),
  option_type: z.string(),
  /** `DD-Mon-YYYY`. */
  expiry_date: z.string(),
  days_to_expiry: z.number(),
  /** The Black-76 forward actually used. */
  spot_price: z.number(),
  option_price: z.number(),
  interest_rate: z.number(),
  implied_volatility: z.number(),
  greeks: greeksSchema,
  intrinsic_value: z.number().optional(),
  time_value: z.number().optional(),
  note: z.string().optional(),
});
export type OptionGreeksResult = z.infer<typeof optionGreeksResultSchema>;

export const optionGreeksResponseSchema = optionGreeksResultSchema;
export type OptionGreeksResponse = OptionGreeksResult;

/** `POST /api/v1/multioptiongreeks`: 1–50 options, one rate and cut-off for all. */
export const multiOptionGreeksRequestSchema = requestObject({
  apikey: apikeyField(),
  symbols: listField(
    requestObject({
      symbol: stringField(),
      exchange: enumField(DERIVATIVE_EXCHANGES),
      underlying_symbol: stringField().optional(),
      underlying_exchange: stringField().optional(),
    }),
  )
    .min(1, MESSAGES.length(1, 50))
    .max(50, MESSAGES.length(1, 50)),
  interest_rate: interestRateField().optional(),
  expiry_time: stringField().optional(),
});
export type MultiOptionGreeksRequest = z.infer<typeof multiOptionGreeksRequestSchema>;

export const optionGreeksFailureSchema = z.object({
  status: z.literal('error'),
  symbol: z.string(),
  exchange: z.string(),
  message: z.string(),
});
export type OptionGreeksFailure = z.infer<typeof optionGreeksFailureSchema>;

export const multiOptionGreeksResponseSchema = z.object({
  status: z.enum(['success', 'partial', 'error']),
  data: z.array(z.union([optionGreeksResultSchema, optionGreeksFailureSchema])),
  summary: z.object({ total: z.number().int(), success: z.number().int(), failed: z.number().int() }),
  message: z.string().optional(),
});
export type MultiOptionGreeksResponse = z.infer<typeof multiOptionGreeksResponseSchema>;

// ---------------------------------------------------------------- synthetic future

/** `POST /api/v1/syntheticfuture`. */
export const syntheticFutureRequestSchema = requestObject({
  apikey: apikeyField(),
  underlying: stringField(),
  exchange: enumField(EXCHANGES),
  expiry_date: stringField(),
});
export type SyntheticFutureRequest = z.infer<typeof syntheticFutureRequestSchema>;

export const syntheticFutureResponseSchema = z.object({
  status: z.literal('success'),
  underlying: z.string(),
  underlying_ltp: z.number(),
  expiry: z.string(),
  atm_strike: z.number(),
  synthetic_future_price: z.number(),
});
export type SyntheticFutureResponse = z.infer<typeof syntheticFutureResponseSchema>;
