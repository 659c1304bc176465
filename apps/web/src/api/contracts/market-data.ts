import { EXCHANGES } from '@openalgo/shared-types';
import { z } from 'zod';
import { numeric, optionalNumeric, quantity } from './common.js';

/** Market data and symbols through the web door (api-v1 §4.3, §4.4). */

export const symbolBodySchema = z.strictObject({ symbol: z.string().min(1), exchange: z.enum(EXCHANGES) });

export const quoteSchema = z.looseObject({
  ltp: numeric,
  open: optionalNumeric,
  high: optionalNumeric,
  low: optionalNumeric,
  prev_close: optionalNumeric,
  bid: optionalNumeric,
  ask: optionalNumeric,
  volume: optionalNumeric,
});
export type Quote = z.infer<typeof quoteSchema>;

export const quotesResponseSchema = z.object({ status: z.literal('success'), data: quoteSchema });

export const multiQuotesBodySchema = z.strictObject({
  symbols: z.array(z.strictObject({ symbol: z.string().min(1), exchange: z.enum(EXCHANGES) })).min(1),
});
export const multiQuotesResponseSchema = z.object({
  status: z.literal('success'),
  results: z.array(
    z.looseObject({
      symbol: z.string(),
      exchange: z.string(),
      data: quoteSchema.optional(),
      error: z.string().optional(),
    }),
  ),
});

export const searchBodySchema = z.strictObject({
  query: z.string().trim().min(1),
  exchange: z.enum(EXCHANGES).optional(),
});

export const symbolRowSchema = z.looseObject({
  symbol: z.string(),
  brsymbol: z.string().optional(),
  name: z.string().nullish(),
  exchange: z.string(),
  token: z.string().optional(),
  expiry: z.string().nullish(),
  strike: optionalNumeric,
  lotsize: quantity.optional(),
  instrumenttype: z.string().nullish(),
  tick_size: optionalNumeric,
});
export type SymbolRow = z.infer<typeof symbolRowSchema>;

export const searchResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string().optional(),
  data: z.array(symbolRowSchema),
});

export const symbolResponseSchema = z.object({ status: z.literal('success'), data: symbolRowSchema });

export const historyBodySchema = z.strictObject({
  symbol: z.string().min(1),
  exchange: z.enum(EXCHANGES),
  interval: z.string().min(1),
  start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  end_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

export const candleSchema = z.looseObject({
  timestamp: z.number().int(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number().optional(),
});
export type Candle = z.infer<typeof candleSchema>;

export const historyResponseSchema = z.object({ status: z.literal('success'), data: z.array(candleSchema) });

export const intervalsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.record(z.string(), z.array(z.string())),
});
