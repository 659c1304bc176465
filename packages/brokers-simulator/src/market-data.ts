import { TZDate } from '@date-fns/tz';
import { type BrokerMarketData, InvalidOrderError } from '@openalgo/broker-sdk';
import type { Candle, Depth, Interval } from '@openalgo/shared-types';
import type { SimulatorControl } from './control.js';
import { lookupInstrument, pipsToDecimal, toResolvedInstrument } from './mapping.js';
import type { MarketState } from './market.js';
import { hashString } from './prices.js';
import type { SimInstrument } from './universe.js';

export const SIMULATOR_INTERVALS: readonly Interval[] = [
  '1s',
  '5s',
  '10s',
  '15s',
  '30s',
  '45s',
  '1m',
  '2m',
  '3m',
  '5m',
  '10m',
  '15m',
  '20m',
  '30m',
  '1h',
  '2h',
  '3h',
  '4h',
  'D',
  'W',
  'M',
];

const INTRADAY_SECONDS: Partial<Record<Interval, number>> = {
  '1s': 1,
  '5s': 5,
  '10s': 10,
  '15s': 15,
  '30s': 30,
  '45s': 45,
  '1m': 60,
  '2m': 120,
  '3m': 180,
  '5m': 300,
  '10m': 600,
  '15m': 900,
  '20m': 1_200,
  '30m': 1_800,
  '1h': 3_600,
  '2h': 7_200,
  '3h': 10_800,
  '4h': 14_400,
};

const SESSION_SECONDS = 375 * 60;
const DAY_MS = 86_400_000;

/** A deterministic standard-normal-ish value for a key (sum of uniforms, CLT). */
function hashedNormal(key: string): number {
  let total = 0;
  let state = hashString(key);
  for (let index = 0; index < 6; index += 1) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    total += state / 4_294_967_296;
  }
  return (total - 3) * Math.SQRT2;
}

interface DayInfo {
  /** UTC midnight of the IST date. */
  dayStartUtc: number;
  open: number;
  close: number;
}

/**
 * Synthetic but stable OHLCV history: a daily random walk anchored on today's previous
 * close, and intraday paths bridging each day's open to its close. The same request always
 * yields the same candles.
 */
function dailyPath(
  instrument: SimInstrument,
  anchorPips: number,
  todayUtc: number,
  fromDayUtc: number,
): Map<number, DayInfo> {
  const days = new Map<number, DayInfo>();
  const dailySigma = instrument.volatility / Math.sqrt(252);
  let close = anchorPips;
  for (let day = todayUtc - DAY_MS; day >= fromDayUtc - DAY_MS; day -= DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) {
      continue;
    }
    const dayReturn = dailySigma * hashedNormal(`${instrument.symbol}:${instrument.exchange}:${day}`);
    const open = close / Math.exp(dayReturn);
    days.set(day, { dayStartUtc: day, open, close });
    close = open * Math.exp(dailySigma * 0.3 * hashedNormal(`${instrument.symbol}:gap:${day}`));
  }
  return days;
}

function roundTick(pips: number, instrument: SimInstrument): number {
  return Math.max(instrument.tickPips, Math.round(pips / instrument.tickPips) * instrument.tickPips);
}

function candle(
  instrument: SimInstrument,
  time: number,
  open: number,
  close: number,
  key: string,
  volume: number,
  oi: number,
): Candle {
  const wiggle = Math.abs(hashedNormal(`${key}:w`)) * instrument.tickPips * 3;
  const o = roundTick(open, instrument);
  const c = roundTick(close, instrument);
  const h = roundTick(Math.max(open, close) + wiggle, instrument);
  const l = roundTick(Math.max(instrument.tickPips, Math.min(open, close) - wiggle), instrument);
  return {
    time,
    open: pipsToDecimal(o),
    high: pipsToDecimal(Math.max(h, o, c)),
    low: pipsToDecimal(Math.min(l, o, c)),
    close: pipsToDecimal(c),
    volume,
    oi,
  };
}

function istMidnightUtc(epochMs: number): number {
  const local = new TZDate(epochMs, 'Asia/Kolkata');
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate());
}

/** 09:15 IST of the IST date whose UTC midnight is `dayUtc`. */
function sessionOpen(dayUtc: number): number {
  return dayUtc + (9 * 60 + 15) * 60_000 - (5 * 60 + 30) * 60_000;
}

export function generateHistory(
  instrument: SimInstrument,
  state: MarketState,
  interval: Interval,
  from: number,
  to: number,
  now: number,
): Candle[] {
  const end = Math.min(to, now);
  if (end < from) {
    return [];
  }
  const todayUtc = istMidnightUtc(now);
  const fromDay = istMidnightUtc(from);
  const days = dailyPath(instrument, state.prevClose, todayUtc, fromDay);
  // Today: from the previous close to the live price.
  days.set(todayUtc, { dayStartUtc: todayUtc, open: state.open, close: state.ltp });
  const isDerivative = instrument.instrumentType !== 'EQ' && instrument.instrumentType !== 'INDEX';
  const volumeUnit = instrument.instrumentType === 'INDEX' ? 0 : instrument.lotSize;
  const candles: Candle[] = [];
  const sortedDays = [...days.values()].sort((left, right) => left.dayStartUtc - right.dayStartUtc);
  const stepSeconds = INTRADAY_SECONDS[interval];
  if (stepSeconds !== undefined) {
    for (const day of sortedDays) {
      const start = sessionOpen(day.dayStartUtc);
      for (let offset = 0; offset < SESSION_SECONDS; offset += stepSeconds) {
        const barStart = start + offset * 1_000;
        if (barStart < from || barStart > end) {
          continue;
        }
        const fraction = (position: number) => Math.min(1, position / SESSION_SECONDS);
        const noise = (position: number) =>
          (instrument.volatility / Math.sqrt(252)) *
          0.35 *
          hashedNormal(`${instrument.symbol}:${day.dayStartUtc}:${position}`) *
          Math.sin(Math.PI * fraction(position));
        const priceAt = (position: number) =>
          day.open * (day.close / day.open) ** fraction(position) * (1 + noise(position));
        const key = `${instrument.symbol}:${barStart}`;
        candles.push(
          candle(
            instrument,
            Math.floor(barStart / 1_000),
            priceAt(offset),
            priceAt(offset + stepSeconds),
            key,
            volumeUnit * (1 + (hashString(key) % 400)),
            isDerivative ? state.oi : 0,
          ),
        );
      }
    }
    return candles;
  }
  // Daily and longer bars are stamped at 00:00 UTC of the IST trading date.
  const buckets = new Map<number, DayInfo[]>();
  for (const day of sortedDays) {
    if (day.dayStartUtc < istMidnightUtc(from) || day.dayStartUtc > end) {
      continue;
    }
    const date = new Date(day.dayStartUtc);
    let bucket = day.dayStartUtc;
    if (interval === 'W') {
      const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
      bucket = day.dayStartUtc - (weekday - 1) * DAY_MS;
    } else if (interval === 'M') {
      bucket = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
    const list = buckets.get(bucket) ?? [];
    list.push(day);
    buckets.set(bucket, list);
  }
  for (const [bucket, list] of [...buckets.entries()].sort(([left], [right]) => left - right)) {
    const first = list[0] as DayInfo;
    const last = list[list.length - 1] as DayInfo;
    const key = `${instrument.symbol}:${interval}:${bucket}`;
    candles.push(
      candle(
        instrument,
        Math.floor(bucket / 1_000),
        first.open,
        last.close,
        key,
        volumeUnit * list.length * (20_000 + (hashString(key) % 200_000)),
        isDerivative ? state.oi : 0,
      ),
    );
  }
  return candles;
}

export function createMarketData(control: SimulatorControl): BrokerMarketData {
  const { exchange } = control;
  return {
    intervals: SIMULATOR_INTERVALS,
    fetchQuotes: async (instruments, context) => {
      control.guard('fetchQuotes', context);
      return instruments.map((requested) => {
        const instrument =
          exchange.findByToken(requested.token) ??
          exchange.findInstrument(requested.brSymbol, requested.brExchange);
        if (!instrument) {
          return {
            ok: false as const,
            instrument: requested,
            error: new InvalidOrderError(`Unknown symbol ${requested.symbol}`),
          };
        }
        const state = exchange.market.states[instrument.index] as MarketState;
        const depth = exchange.market.depth(instrument.index);
        return {
          ok: true as const,
          instrument: toResolvedInstrument(instrument),
          quote: {
            ltp: pipsToDecimal(state.ltp),
            open: pipsToDecimal(state.open),
            high: pipsToDecimal(state.high),
            low: pipsToDecimal(state.low),
            prevClose: pipsToDecimal(state.prevClose),
            bid: pipsToDecimal(depth.bids[0]?.price ?? 0),
            ask: pipsToDecimal(depth.asks[0]?.price ?? 0),
            volume: state.volume,
            oi: state.oi,
            ...(state.lastTradeTime ? { lastTradeTime: state.lastTradeTime } : {}),
          },
        };
      });
    },
    fetchDepth: async (requested, levels, context) => {
      control.guard('fetchDepth', context);
      const instrument = lookupInstrument(exchange, requested);
      const state = exchange.market.states[instrument.index] as MarketState;
      const depth = exchange.market.depth(instrument.index);
      const pad = <T>(list: T[], filler: () => T): T[] =>
        list.length >= levels
          ? list.slice(0, levels)
          : [...list, ...Array.from({ length: levels - list.length }, filler)];
      const toLevel = (level: { price: number; quantity: number; orders: number }) => ({
        price: pipsToDecimal(level.price),
        quantity: level.quantity,
        orders: level.orders,
      });
      const empty = () => ({ price: '0', quantity: 0, orders: 0 });
      const result: Depth = {
        bids: pad(depth.bids.map(toLevel), empty),
        asks: pad(depth.asks.map(toLevel), empty),
        ltp: pipsToDecimal(state.ltp),
        ltq: state.lastQuantity,
        open: pipsToDecimal(state.open),
        high: pipsToDecimal(state.high),
        low: pipsToDecimal(state.low),
        prevClose: pipsToDecimal(state.prevClose),
        volume: state.volume,
        oi: state.oi,
        totalBuyQuantity: depth.bids.reduce((sum, level) => sum + level.quantity, 0),
        totalSellQuantity: depth.asks.reduce((sum, level) => sum + level.quantity, 0),
      };
      return result;
    },
    fetchHistory: async (request, context) => {
      control.guard('fetchHistory', context);
      if (!SIMULATOR_INTERVALS.includes(request.interval)) {
        throw new InvalidOrderError(`Interval ${request.interval} is not supported`);
      }
      const instrument = lookupInstrument(exchange, request.instrument);
      const state = exchange.market.states[instrument.index] as MarketState;
      return generateHistory(instrument, state, request.interval, request.from, request.to, exchange.now);
    },
  };
}
