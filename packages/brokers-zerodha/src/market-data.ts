import {
  BadResponseError,
  BadSymbolError,
  type BrokerContext,
  type BrokerMarketData,
  InvalidOrderError,
  NotSupportedError,
  type QuoteResult,
} from '@openalgo/broker-sdk';
import type {
  Candle,
  Depth,
  DepthLevel,
  HistoryChunkRequest,
  Interval,
  Quote,
  ResolvedInstrument,
} from '@openalgo/shared-types';
import type { KiteHttpClient } from './kite-http.js';
import {
  decimalText,
  instrumentToken,
  integerOf,
  isKiteInterval,
  KITE_HISTORY_MAX_DAYS,
  KITE_INTERVALS,
  quoteKey,
} from './mapping.js';
import { dailyBarTime, formatKiteDateTime, parseKiteTime } from './time.js';
import { type KiteQuote, kiteHistorySchema, kiteQuotesSchema, parseKite } from './zerodha-api-schemas.js';

/** Quotes, depth and history (Kite `/quote`, `/instruments/historical`). */

/** Kite's cap on instruments per `/quote` call. */
export const QUOTE_BATCH = 500;

const DAY_MS = 86_400_000;

export function toQuote(row: KiteQuote): Quote {
  const quote: Quote = {
    ltp: decimalText(row.last_price),
    open: decimalText(row.ohlc?.open),
    high: decimalText(row.ohlc?.high),
    low: decimalText(row.ohlc?.low),
    prevClose: decimalText(row.ohlc?.close),
    bid: decimalText(row.depth?.buy?.[0]?.price),
    ask: decimalText(row.depth?.sell?.[0]?.price),
    volume: integerOf(row.volume),
    oi: integerOf(row.oi),
  };
  const lastTradeTime = parseKiteTime(row.last_trade_time);
  if (lastTradeTime !== undefined) {
    quote.lastTradeTime = lastTradeTime;
  }
  return quote;
}

type KiteDepthLevels = NonNullable<NonNullable<KiteQuote['depth']>['buy']>;

function toDepthLevels(levels: KiteDepthLevels | null | undefined, count: number): DepthLevel[] {
  const result: DepthLevel[] = [];
  for (let index = 0; index < count; index += 1) {
    const level = levels?.[index];
    result.push({
      price: decimalText(level?.price),
      quantity: integerOf(level?.quantity),
      orders: integerOf(level?.orders),
    });
  }
  return result;
}

export function toDepth(row: KiteQuote, levels: number): Depth {
  return {
    bids: toDepthLevels(row.depth?.buy, levels),
    asks: toDepthLevels(row.depth?.sell, levels),
    ltp: decimalText(row.last_price),
    ltq: integerOf(row.last_quantity),
    open: decimalText(row.ohlc?.open),
    high: decimalText(row.ohlc?.high),
    low: decimalText(row.ohlc?.low),
    prevClose: decimalText(row.ohlc?.close),
    volume: integerOf(row.volume),
    oi: integerOf(row.oi),
    totalBuyQuantity: integerOf(row.buy_quantity),
    totalSellQuantity: integerOf(row.sell_quantity),
  };
}

/** One history candle `[time, o, h, l, c, v, oi?]`; daily bars move to 00:00 UTC of the IST date. */
export function toCandle(raw: ReadonlyArray<string | number | null>, interval: Interval): Candle {
  const [time, open, high, low, close, volume, oi] = raw;
  const instant = typeof time === 'string' ? parseKiteTime(time) : undefined;
  if (instant === undefined) {
    throw new BadResponseError('Kite history candle has no readable time', {
      context: { broker: 'zerodha', candle: raw },
    });
  }
  return {
    time: interval === 'D' ? dailyBarTime(instant) : Math.floor(instant / 1000),
    open: decimalText(open),
    high: decimalText(high),
    low: decimalText(low),
    close: decimalText(close),
    volume: integerOf(volume),
    oi: integerOf(oi),
  };
}

export const ZERODHA_INTERVALS = Object.keys(KITE_INTERVALS) as Interval[];

export function createMarketData(http: KiteHttpClient): BrokerMarketData {
  async function fetchQuoteMap(
    instruments: readonly ResolvedInstrument[],
    context: BrokerContext,
    operation: string,
  ): Promise<Record<string, KiteQuote>> {
    if (instruments.length > QUOTE_BATCH) {
      throw new InvalidOrderError(`Kite quotes at most ${QUOTE_BATCH} instruments per call`, {
        context: { broker: 'zerodha', requested: instruments.length },
      });
    }
    const keys = [...new Set(instruments.map(quoteKey))];
    const data = await http.requestData({
      method: 'GET',
      path: '/quote',
      query: keys.map((key) => ['i', key] as const),
      accessToken: context.session.accessToken,
      kind: 'read',
      operation,
      signal: context.signal,
    });
    return parseKite(kiteQuotesSchema, data ?? {}, operation);
  }

  return {
    intervals: ZERODHA_INTERVALS,

    async fetchQuotes(instruments, context): Promise<readonly QuoteResult[]> {
      if (instruments.length === 0) {
        return [];
      }
      const quotes = await fetchQuoteMap(instruments, context, 'fetchQuotes');
      return instruments.map((instrument): QuoteResult => {
        const row = quotes[quoteKey(instrument)];
        if (!row) {
          // Kite leaves unknown or expired instruments out of the answer.
          return {
            ok: false,
            instrument,
            error: new BadSymbolError(
              `Kite has no quote for ${instrument.symbol} on ${instrument.exchange}`,
              {
                context: { broker: 'zerodha', key: quoteKey(instrument) },
              },
            ),
          };
        }
        return { ok: true, instrument, quote: toQuote(row) };
      });
    },

    async fetchDepth(instrument, levels, context): Promise<Depth> {
      const quotes = await fetchQuoteMap([instrument], context, 'fetchDepth');
      const row = quotes[quoteKey(instrument)];
      if (!row) {
        throw new BadSymbolError(`Kite has no depth for ${instrument.symbol} on ${instrument.exchange}`, {
          context: { broker: 'zerodha', key: quoteKey(instrument) },
        });
      }
      return toDepth(row, levels);
    },

    async fetchHistory(request: HistoryChunkRequest, context: BrokerContext): Promise<readonly Candle[]> {
      const { interval } = request;
      if (!isKiteInterval(interval)) {
        throw new NotSupportedError(`Kite has no ${interval} candles`, {
          context: { broker: 'zerodha', interval, supported: ZERODHA_INTERVALS },
        });
      }
      if (request.to < request.from) {
        throw new InvalidOrderError('History range ends before it starts', {
          context: { broker: 'zerodha', from: request.from, to: request.to },
        });
      }
      const maxDays = KITE_HISTORY_MAX_DAYS[interval];
      const spanDays = (request.to - request.from) / DAY_MS;
      if (spanDays > maxDays) {
        throw new InvalidOrderError(
          `History chunk spans ${Math.ceil(spanDays)} days; Kite serves at most ${maxDays} days of ${interval} candles per call`,
          { context: { broker: 'zerodha', interval, maxDays } },
        );
      }
      const query: Array<readonly [string, string]> = [
        ['from', formatKiteDateTime(request.from)],
        ['to', formatKiteDateTime(request.to)],
      ];
      if (request.includeOi) {
        query.push(['oi', '1']);
      }
      const data = await http.requestData({
        method: 'GET',
        path: `/instruments/historical/${instrumentToken(request.instrument)}/${KITE_INTERVALS[interval]}`,
        query,
        accessToken: context.session.accessToken,
        kind: 'history',
        operation: 'fetchHistory',
        signal: context.signal,
      });
      const { candles } = parseKite(kiteHistorySchema, data, 'fetchHistory');
      return candles.map((candle) => toCandle(candle, interval));
    },
  };
}
