import { BadResponseError, type QuoteResult } from '@openalgo/broker-sdk';
import { type Database, type Kysely, listCandles, upsertCandles } from '@openalgo/db';
import type {
  Candle,
  Depth,
  DepthData,
  HistoryBar,
  Interval,
  IntervalsData,
  MultiQuoteResult,
  Quote,
  QuoteData,
  ResolvedInstrument,
} from '@openalgo/shared-types';
import type { Logger } from 'pino';
import { ApiError } from '../../errors.js';
import type { BrokerCall, BrokerGateway } from '../broker-gateway.js';
import type { BrokerSession } from '../broker-sessions.js';
import type { IndexedSymbol, SymbolIndex } from '../symbol-index.js';
import { toBrokerFailure } from './broker-failure.js';
import { CallPacer } from './call-pacer.js';
import {
  barRange,
  type HistoryChunk,
  HistoryGapError,
  mergeHistoryChunks,
  planHistoryChunks,
} from './history-chunks.js';

export interface MarketDataServiceOptions {
  gateway: BrokerGateway;
  symbols: SymbolIndex;
  db: Kysely<Database>;
  logger: Logger;
  /** Minimum spacing of broker history calls, process-wide (api-v1 §6.2: 350 ms). */
  historySpacingMs: number;
}

/** A JSON number from a canonical decimal string: exact conversion at the wire edge. */
export function wireNumber(decimal: string): number {
  return Number(decimal);
}

export function toQuoteData(quote: Quote): QuoteData {
  return {
    ask: wireNumber(quote.ask),
    bid: wireNumber(quote.bid),
    high: wireNumber(quote.high),
    low: wireNumber(quote.low),
    ltp: wireNumber(quote.ltp),
    open: wireNumber(quote.open),
    prev_close: wireNumber(quote.prevClose),
    volume: quote.volume,
    oi: quote.oi,
  };
}

function toDepthData(depth: Depth, levels: number): DepthData {
  const side = (list: Depth['bids']) => {
    const rows = list
      .slice(0, levels)
      .map((level) => ({ price: wireNumber(level.price), quantity: level.quantity }));
    while (rows.length < levels) {
      rows.push({ price: 0, quantity: 0 });
    }
    return rows;
  };
  return {
    asks: side(depth.asks),
    bids: side(depth.bids),
    high: wireNumber(depth.high),
    low: wireNumber(depth.low),
    ltp: wireNumber(depth.ltp),
    ltq: depth.ltq,
    oi: depth.oi,
    open: wireNumber(depth.open),
    prev_close: wireNumber(depth.prevClose),
    totalbuyqty: depth.totalBuyQuantity,
    totalsellqty: depth.totalSellQuantity,
    volume: depth.volume,
  };
}

function toHistoryBar(candle: Candle): HistoryBar {
  return {
    timestamp: candle.time,
    open: wireNumber(candle.open),
    high: wireNumber(candle.high),
    low: wireNumber(candle.low),
    close: wireNumber(candle.close),
    volume: candle.volume,
    oi: candle.oi,
  };
}

export function symbolNotFoundMessage(symbol: string, exchange: string): string {
  return `Symbol '${symbol}' not found for exchange '${exchange}'. Please verify the symbol name and ensure master contracts are downloaded.`;
}

const DEPTH_LEVELS = 5;
/** Transient history failures (timeouts, 429, 503) are retried this often per chunk: reads only. */
const HISTORY_RETRIES = 2;

/** `/intervals` buckets, by the interval's unit. */
export function bucketIntervals(intervals: readonly Interval[]): IntervalsData {
  const data: IntervalsData = { seconds: [], minutes: [], hours: [], days: [], weeks: [], months: [] };
  for (const interval of intervals) {
    const unit = interval.slice(-1);
    const bucket =
      unit === 's'
        ? data.seconds
        : unit === 'm'
          ? data.minutes
          : unit === 'h'
            ? data.hours
            : unit === 'D'
              ? data.days
              : unit === 'W'
                ? data.weeks
                : data.months;
    bucket.push(interval);
  }
  const numeric = (interval: string) => Number.parseInt(interval, 10) || 0;
  for (const list of Object.values(data)) {
    list.sort((left: string, right: string) => numeric(left) - numeric(right));
  }
  return data;
}

/**
 * Quotes, depth and history through the connected broker (api-v1 §4.3). Symbols resolve from
 * the in-memory master; quote lists go out in batches of the broker's `limits.quoteBatch`;
 * history loops over chunks within `limits.historyMaxDays`, spaced process-wide, and is stored
 * so `source=db` can answer later without the broker.
 */
export class MarketDataService {
  readonly #options: MarketDataServiceOptions;
  readonly #historyPacer: CallPacer;

  constructor(options: MarketDataServiceOptions) {
    this.#options = options;
    this.#historyPacer = new CallPacer(options.historySpacingMs);
  }

  /** The master-contract row, or the contract's 400 for a symbol that is not listed. */
  listed(symbol: string, exchange: string): IndexedSymbol {
    const found = this.#options.symbols.find(symbol, exchange);
    if (!found) {
      throw ApiError.message(400, symbolNotFoundMessage(symbol, exchange));
    }
    return found;
  }

  call(session: BrokerSession | null): BrokerCall {
    try {
      return this.#options.gateway.call(session);
    } catch (error) {
      throw toBrokerFailure(error);
    }
  }

  /**
   * Quotes for any number of instruments, `limits.quoteBatch` per broker call (one call when
   * they fit), results in request order. Per-instrument failures stay per instrument.
   */
  async fetchQuotes(call: BrokerCall, instruments: readonly ResolvedInstrument[]): Promise<QuoteResult[]> {
    const batch = Math.max(1, call.adapter.limits.quoteBatch);
    const results: QuoteResult[] = [];
    for (let start = 0; start < instruments.length; start += batch) {
      const slice = instruments.slice(start, start + batch);
      const answered = await call.adapter.marketData.fetchQuotes(slice, call.context);
      // Adapters answer per instrument; match by token so a reordered answer still lines up.
      const byToken = new Map(
        answered.map((result) => [`${result.instrument.exchange}:${result.instrument.token}`, result]),
      );
      for (const instrument of slice) {
        const result = byToken.get(`${instrument.exchange}:${instrument.token}`);
        results.push(
          result ?? {
            ok: false,
            instrument,
            error: new BadResponseError(`The broker returned no quote for ${instrument.symbol}`),
          },
        );
      }
    }
    return results;
  }

  /** One instrument's quote; a per-instrument refusal becomes the broker error it carries. */
  async quoteOf(call: BrokerCall, instrument: ResolvedInstrument): Promise<Quote> {
    const [result] = await this.fetchQuotes(call, [instrument]);
    if (!result) {
      throw ApiError.message(500, 'Failed to fetch quotes');
    }
    if (!result.ok) {
      throw result.error;
    }
    return result.quote;
  }

  async quote(session: BrokerSession | null, symbol: string, exchange: string): Promise<QuoteData> {
    const listed = this.listed(symbol, exchange);
    const call = this.call(session);
    try {
      return toQuoteData(await this.quoteOf(call, listed.instrument));
    } catch (error) {
      throw toBrokerFailure(error);
    }
  }

  /**
   * `/multiquotes`: symbols missing from the master first (as the reference lists them), then
   * the rest in request order. None listed: the contract's 400 with `invalid_symbols`.
   */
  async multiQuotes(
    session: BrokerSession | null,
    pairs: ReadonlyArray<{ symbol: string; exchange: string }>,
  ): Promise<MultiQuoteResult[]> {
    const invalid: Array<{ symbol: string; exchange: string; error: string }> = [];
    const valid: Array<{ symbol: string; exchange: string; instrument: ResolvedInstrument }> = [];
    for (const pair of pairs) {
      const found = this.#options.symbols.find(pair.symbol, pair.exchange);
      if (found) {
        valid.push({ ...pair, instrument: found.instrument });
      } else {
        invalid.push({ ...pair, error: symbolNotFoundMessage(pair.symbol, pair.exchange) });
      }
    }
    if (valid.length === 0) {
      const first = invalid[0];
      const body = {
        status: 'error' as const,
        message: first?.error ?? 'No valid symbols',
        invalid_symbols: invalid,
      };
      throw new ApiError(400, body);
    }
    const call = this.call(session);
    let quotes: QuoteResult[];
    try {
      quotes = await this.fetchQuotes(
        call,
        valid.map((entry) => entry.instrument),
      );
    } catch (error) {
      throw toBrokerFailure(error);
    }
    const answered: MultiQuoteResult[] = valid.map((entry, index) => {
      const result = quotes[index];
      if (result?.ok) {
        return { symbol: entry.symbol, exchange: entry.exchange, data: toQuoteData(result.quote) };
      }
      return { symbol: entry.symbol, exchange: entry.exchange, error: result?.error.message ?? 'No quote' };
    });
    return [...invalid, ...answered];
  }

  async depth(session: BrokerSession | null, symbol: string, exchange: string): Promise<DepthData> {
    const listed = this.listed(symbol, exchange);
    const call = this.call(session);
    try {
      const depth = await call.adapter.marketData.fetchDepth(listed.instrument, DEPTH_LEVELS, call.context);
      return toDepthData(depth, DEPTH_LEVELS);
    } catch (error) {
      throw toBrokerFailure(error);
    }
  }

  intervals(): IntervalsData {
    return bucketIntervals(this.#options.gateway.adapter.marketData.intervals);
  }

  /** Refuses an interval the broker does not serve, with the list it does. */
  assertInterval(interval: Interval): void {
    const supported = this.#options.gateway.adapter.marketData.intervals;
    if (!supported.includes(interval)) {
      throw ApiError.message(
        400,
        `Interval '${interval}' is not supported by ${this.#options.gateway.adapter.displayName}. Supported intervals: ${supported.join(', ')}`,
      );
    }
  }

  /**
   * Broker history over `[startDate, endDate]` (inclusive IST dates), chunked within the
   * broker's cap for the interval. Every chunk must come back: a chunk that still fails after
   * the read retries fails the whole request with its date range, never a silent hole.
   */
  async fetchHistory(
    call: BrokerCall,
    instrument: ResolvedInstrument,
    interval: Interval,
    startDate: string,
    endDate: string,
  ): Promise<Candle[]> {
    this.assertInterval(interval);
    const maxDays = call.adapter.limits.historyMaxDays[interval];
    const chunks = planHistoryChunks(startDate, endDate, interval, maxDays);
    const results: Array<readonly Candle[]> = [];
    for (const chunk of chunks) {
      results.push(await this.#fetchChunk(call, instrument, interval, chunk));
    }
    try {
      return mergeHistoryChunks(chunks, results, interval);
    } catch (error) {
      if (error instanceof HistoryGapError) {
        throw new ApiError(502, { status: 'error', message: error.message }, { cause: error });
      }
      throw error;
    }
  }

  async #fetchChunk(
    call: BrokerCall,
    instrument: ResolvedInstrument,
    interval: Interval,
    chunk: HistoryChunk,
  ): Promise<readonly Candle[]> {
    for (let attempt = 0; ; attempt += 1) {
      await this.#historyPacer.wait();
      try {
        return await call.adapter.marketData.fetchHistory(
          { instrument, interval, from: chunk.from, to: chunk.to, includeOi: true },
          call.context,
        );
      } catch (error) {
        const isRetryable =
          typeof error === 'object' &&
          error !== null &&
          (error as { retryable?: unknown }).retryable === true;
        if (isRetryable && attempt < HISTORY_RETRIES) {
          continue;
        }
        throw toBrokerFailure(
          error,
          `History for ${instrument.symbol}:${instrument.exchange} ${chunk.startDate}..${chunk.endDate} could not be fetched: `,
        );
      }
    }
  }

  /** `/history` with `source=api`: broker bars, stored for `source=db`. */
  async history(
    session: BrokerSession | null,
    request: { symbol: string; exchange: string; interval: Interval; start_date: string; end_date: string },
  ): Promise<HistoryBar[]> {
    const listed = this.listed(request.symbol, request.exchange);
    const call = this.call(session);
    const candles = await this.fetchHistory(
      call,
      listed.instrument,
      request.interval,
      request.start_date,
      request.end_date,
    );
    await this.#store(request, candles);
    return candles.map(toHistoryBar);
  }

  async #store(series: { symbol: string; exchange: string; interval: Interval }, candles: readonly Candle[]) {
    if (candles.length === 0) {
      return;
    }
    try {
      await upsertCandles(
        this.#options.db,
        { symbol: series.symbol, exchange: series.exchange, interval: series.interval },
        candles,
      );
    } catch (error) {
      // The store is a cache of what the broker answered: failing it must not fail the answer.
      this.#options.logger.error(
        { err: error, symbol: series.symbol, exchange: series.exchange },
        'history store write failed',
      );
    }
  }

  /** `/history` with `source=db`: stored bars only, the contract's 404 when there are none. */
  async storedHistory(request: {
    symbol: string;
    exchange: string;
    interval: Interval;
    start_date: string;
    end_date: string;
  }): Promise<HistoryBar[]> {
    const range = barRange(request.start_date, request.end_date, request.interval);
    const rows = await listCandles(this.#options.db, {
      symbol: request.symbol,
      exchange: request.exchange,
      interval: request.interval,
      ...range,
    });
    const bars = rows.map((row) => ({
      timestamp: row.time,
      open: wireNumber(row.open),
      high: wireNumber(row.high),
      low: wireNumber(row.low),
      close: wireNumber(row.close),
      volume: row.volume,
      oi: row.oi,
    }));
    if (bars.length === 0) {
      throw ApiError.message(
        404,
        `No data found for ${request.symbol}:${request.exchange} interval ${request.interval} in local database. Download data first using Historify.`,
      );
    }
    return bars;
  }
}
