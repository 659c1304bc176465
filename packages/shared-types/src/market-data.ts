import { z } from 'zod';
import { EXCHANGES, INTERVALS } from './enums.js';
import {
  apikeyField,
  dateField,
  enumField,
  listField,
  queryParameter,
  requestObject,
  stringField,
} from './fields.js';

/**
 * Market-data routes (api-v1 §4.3): quotes, multi-quotes, depth, history, intervals, ticker.
 * Requests reproduce OpenAlgo's validation; responses carry JSON numbers as the reference does.
 */

const symbolExchange = {
  symbol: stringField(),
  exchange: enumField(EXCHANGES),
};

// ---------------------------------------------------------------- quotes

/** `POST /api/v1/quotes`. */
export const quotesRequestSchema = requestObject({ apikey: apikeyField(), ...symbolExchange });
export type QuotesRequest = z.infer<typeof quotesRequestSchema>;

/** One quote as OpenAlgo answers it; `oi` 0 for cash instruments. */
export const quoteDataSchema = z.object({
  ask: z.number(),
  bid: z.number(),
  high: z.number(),
  low: z.number(),
  ltp: z.number(),
  open: z.number(),
  prev_close: z.number(),
  volume: z.number().int(),
  oi: z.number().int(),
});
export type QuoteData = z.infer<typeof quoteDataSchema>;

export const quotesResponseSchema = z.object({
  status: z.literal('success'),
  data: quoteDataSchema,
});
export type QuotesResponse = z.infer<typeof quotesResponseSchema>;

// ---------------------------------------------------------------- multiquotes

/** `POST /api/v1/multiquotes`: at least one `{symbol, exchange}`, no maximum. */
export const multiQuotesRequestSchema = requestObject({
  apikey: apikeyField(),
  symbols: listField(requestObject(symbolExchange), { min: 1 }),
});
export type MultiQuotesRequest = z.infer<typeof multiQuotesRequestSchema>;

export const multiQuoteResultSchema = z.union([
  z.object({ symbol: z.string(), exchange: z.string(), data: quoteDataSchema }),
  z.object({ symbol: z.string(), exchange: z.string(), error: z.string() }),
]);
export type MultiQuoteResult = z.infer<typeof multiQuoteResultSchema>;

export const multiQuotesResponseSchema = z.object({
  status: z.literal('success'),
  results: z.array(multiQuoteResultSchema),
});
export type MultiQuotesResponse = z.infer<typeof multiQuotesResponseSchema>;

/** The 400 body when no requested symbol exists (api-v1 §4.3.2). */
export const multiQuotesNoneValidSchema = z.object({
  status: z.literal('error'),
  message: z.string(),
  invalid_symbols: z.array(z.object({ symbol: z.string(), exchange: z.string(), error: z.string() })),
});
export type MultiQuotesNoneValid = z.infer<typeof multiQuotesNoneValidSchema>;

// ---------------------------------------------------------------- depth

/** `POST /api/v1/depth`. */
export const depthRequestSchema = requestObject({ apikey: apikeyField(), ...symbolExchange });
export type DepthRequest = z.infer<typeof depthRequestSchema>;

export const depthLevelDataSchema = z.object({ price: z.number(), quantity: z.number().int() });
export type DepthLevelData = z.infer<typeof depthLevelDataSchema>;

export const depthDataSchema = z.object({
  asks: z.array(depthLevelDataSchema),
  bids: z.array(depthLevelDataSchema),
  high: z.number(),
  low: z.number(),
  ltp: z.number(),
  ltq: z.number().int(),
  oi: z.number().int(),
  open: z.number(),
  prev_close: z.number(),
  totalbuyqty: z.number().int(),
  totalsellqty: z.number().int(),
  volume: z.number().int(),
});
export type DepthData = z.infer<typeof depthDataSchema>;

export const depthResponseSchema = z.object({ status: z.literal('success'), data: depthDataSchema });
export type DepthResponse = z.infer<typeof depthResponseSchema>;

// ---------------------------------------------------------------- history

export const HISTORY_SOURCES = ['api', 'db'] as const;

/** `POST /api/v1/history`: inclusive IST date range, `source` api (broker) or db (local store). */
export const historyRequestSchema = requestObject({
  apikey: apikeyField(),
  ...symbolExchange,
  interval: enumField(INTERVALS),
  start_date: dateField(),
  end_date: dateField(),
  source: enumField(HISTORY_SOURCES).default('api'),
});
export type HistoryRequest = z.infer<typeof historyRequestSchema>;

/** One bar: `timestamp` in epoch seconds; daily and longer bars at 00:00 UTC of the IST date. */
export const historyBarSchema = z.object({
  timestamp: z.number().int(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number().int(),
  oi: z.number().int(),
});
export type HistoryBar = z.infer<typeof historyBarSchema>;

export const historyResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(historyBarSchema),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;

// ---------------------------------------------------------------- intervals

/** `POST /api/v1/intervals`. */
export const intervalsRequestSchema = requestObject({ apikey: apikeyField() });
export type IntervalsRequest = z.infer<typeof intervalsRequestSchema>;

export const intervalsDataSchema = z.object({
  seconds: z.array(z.string()),
  minutes: z.array(z.string()),
  hours: z.array(z.string()),
  days: z.array(z.string()),
  weeks: z.array(z.string()),
  months: z.array(z.string()),
});
export type IntervalsData = z.infer<typeof intervalsDataSchema>;

export const intervalsResponseSchema = z.object({
  status: z.literal('success'),
  data: intervalsDataSchema,
});
export type IntervalsResponse = z.infer<typeof intervalsResponseSchema>;

// ---------------------------------------------------------------- ticker

export const TICKER_FORMATS = ['json', 'txt'] as const;

/** `GET /api/v1/ticker/{EXCHANGE}:{SYMBOL}`: the path parameter. */
export const tickerParamsSchema = z.object({ symbol: z.string() });
export type TickerParams = z.infer<typeof tickerParamsSchema>;

/** Its query: `from`/`to` are effectively required (absent → "Field may not be null."). */
export const tickerQuerySchema = requestObject({
  apikey: queryParameter(apikeyField()),
  interval: enumField(INTERVALS).default('D'),
  from: queryParameter(dateField()),
  to: queryParameter(dateField()),
  format: enumField(TICKER_FORMATS).default('json'),
});
export type TickerQuery = z.infer<typeof tickerQuerySchema>;

export const tickerBarSchema = historyBarSchema.omit({ oi: true });
export type TickerBar = z.infer<typeof tickerBarSchema>;

/** JSON answer; `format=txt` answers `text/plain` lines instead. */
export const tickerResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(tickerBarSchema),
});
export type TickerResponse = z.infer<typeof tickerResponseSchema>;
