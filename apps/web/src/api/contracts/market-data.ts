import {
  historyRequestSchema,
  historyResponseSchema as historyWire,
  intervalsResponseSchema as intervalsWire,
  multiQuotesRequestSchema,
  multiQuotesResponseSchema as multiQuotesWire,
  quotesRequestSchema,
  quotesResponseSchema as quotesWire,
  searchRequestSchema,
  searchResponseSchema as searchWire,
  symbolRequestSchema,
  symbolResponseSchema as symbolWire,
} from '@openalgo/shared-types';
import type { z } from 'zod';

/**
 * Market data and symbols through the web door (api-v1 §4.3, §4.4): the contract's schemas from
 * `@openalgo/shared-types` (bodies minus `apikey`); prices become decimal strings for the app.
 */

export const symbolBodySchema = symbolRequestSchema.omit({ apikey: true });
export const quotesBodySchema = quotesRequestSchema.omit({ apikey: true });
export const multiQuotesBodySchema = multiQuotesRequestSchema.omit({ apikey: true });
export const searchBodySchema = searchRequestSchema.omit({ apikey: true });
export const historyBodySchema = historyRequestSchema.omit({ apikey: true });

type WireQuote = z.output<typeof quotesWire>['data'];

function toQuote(quote: WireQuote) {
  return {
    ltp: String(quote.ltp),
    prev_close: quote.prev_close > 0 ? String(quote.prev_close) : undefined,
    open: String(quote.open),
    high: String(quote.high),
    low: String(quote.low),
    bid: String(quote.bid),
    ask: String(quote.ask),
    volume: quote.volume,
  };
}
export type Quote = ReturnType<typeof toQuote>;

export const quotesResponseSchema = quotesWire.transform((body) => ({ data: toQuote(body.data) }));

export const multiQuotesResponseSchema = multiQuotesWire.transform((body) => ({
  results: body.results.map((result) => ({
    symbol: result.symbol,
    exchange: result.exchange,
    data: 'data' in result ? toQuote(result.data) : undefined,
    error: 'error' in result ? result.error : undefined,
  })),
}));

export const searchResponseSchema = searchWire.transform((body) => ({
  message: body.message,
  data: body.data.map((row) => ({
    symbol: row.symbol,
    exchange: row.exchange,
    name: row.name,
    lotsize: row.lotsize,
    tick_size: String(row.tick_size),
    instrumenttype: row.instrumenttype,
    expiry: row.expiry,
  })),
}));
export type SymbolRow = z.output<typeof searchResponseSchema>['data'][number];

export const symbolResponseSchema = symbolWire.transform((body) => ({
  data: {
    symbol: body.data.symbol,
    exchange: body.data.exchange,
    name: body.data.name,
    lotsize: body.data.lotsize,
    tick_size: String(body.data.tick_size),
    freeze_qty: body.data.freeze_qty,
  },
}));

/** Candles stay JS numbers: they only feed the chart library (the display edge). */
export const historyResponseSchema = historyWire;
export type Candle = z.output<typeof historyWire>['data'][number];

export const intervalsResponseSchema = intervalsWire;
