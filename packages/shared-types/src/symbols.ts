import { z } from 'zod';
import { DERIVATIVE_EXCHANGES, EXCHANGES } from './enums.js';
import { apikeyField, enumField, queryParameter, requestObject, stringField } from './fields.js';

/**
 * Master-contract lookups (api-v1 §4.4): symbol, search, expiry, instruments. Rows use
 * OpenAlgo's `SymToken` field names; `expiry` is `DD-MMM-YY` or empty.
 */

/** One master-contract row as `/search` and `/instruments` answer it. */
export const symbolRowSchema = z.object({
  symbol: z.string(),
  brsymbol: z.string(),
  name: z.string(),
  exchange: z.string(),
  brexchange: z.string(),
  token: z.string(),
  expiry: z.string(),
  strike: z.number(),
  lotsize: z.number().int(),
  instrumenttype: z.string(),
  tick_size: z.number(),
});
export type SymbolRowData = z.infer<typeof symbolRowSchema>;

/** The CSV columns of `/instruments?format=csv`, in order. */
export const INSTRUMENT_CSV_COLUMNS = [
  'symbol',
  'brsymbol',
  'name',
  'exchange',
  'brexchange',
  'token',
  'expiry',
  'strike',
  'lotsize',
  'instrumenttype',
  'tick_size',
] as const satisfies ReadonlyArray<keyof SymbolRowData>;

// ---------------------------------------------------------------- symbol

/** `POST /api/v1/symbol`. */
export const symbolRequestSchema = requestObject({
  apikey: apikeyField(),
  symbol: stringField(),
  exchange: enumField(EXCHANGES),
});
export type SymbolRequest = z.infer<typeof symbolRequestSchema>;

export const symbolResponseSchema = z.object({
  status: z.literal('success'),
  data: symbolRowSchema.extend({ id: z.number().int(), freeze_qty: z.number().int() }),
});
export type SymbolResponse = z.infer<typeof symbolResponseSchema>;

// ---------------------------------------------------------------- search

/** `POST /api/v1/search`: a blank `query` passes the schema and is refused by the route. */
export const searchRequestSchema = requestObject({
  apikey: apikeyField(),
  query: stringField(),
  exchange: enumField(EXCHANGES).optional(),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;

export const searchResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  data: z.array(symbolRowSchema.extend({ freeze_qty: z.number().int() })),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

// ---------------------------------------------------------------- expiry

export const EXPIRY_INSTRUMENT_TYPES = ['futures', 'options'] as const;

/** `POST /api/v1/expiry`. */
export const expiryRequestSchema = requestObject({
  apikey: apikeyField(),
  symbol: stringField(),
  exchange: enumField(DERIVATIVE_EXCHANGES),
  instrumenttype: enumField(EXPIRY_INSTRUMENT_TYPES),
});
export type ExpiryRequest = z.infer<typeof expiryRequestSchema>;

export const expiryResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  /** `DD-MMM-YY`, ascending, today or later. */
  data: z.array(z.string()),
});
export type ExpiryResponse = z.infer<typeof expiryResponseSchema>;

// ---------------------------------------------------------------- instruments

export const INSTRUMENT_FORMATS = ['json', 'csv'] as const;

/** `GET /api/v1/instruments`: without `exchange`, every exchange. */
export const instrumentsQuerySchema = requestObject({
  apikey: queryParameter(apikeyField()),
  exchange: enumField(EXCHANGES).optional(),
  format: enumField(INSTRUMENT_FORMATS).default('json'),
});
export type InstrumentsQuery = z.infer<typeof instrumentsQuerySchema>;

export const instrumentsResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  data: z.array(symbolRowSchema),
});
export type InstrumentsResponse = z.infer<typeof instrumentsResponseSchema>;
