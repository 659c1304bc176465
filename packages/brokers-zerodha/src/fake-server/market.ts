import { type Dec, roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import type { FakeInstrument } from './instruments.js';

/**
 * The fake exchange's prices: a scriptable last price per instrument (tests move it; order
 * matching and the ticker follow), quotes with five-level depth, and deterministic history for
 * any range. IST is a fixed +05:30 (no daylight saving), so wall-clock arithmetic is exact here.
 */

export const IST_OFFSET_MS = 19_800_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** 09:15 IST, in minutes after midnight. */
const SESSION_OPEN_MINUTE = 555;
/** 375 one-minute bars: 09:15 … 15:29. */
const SESSION_MINUTES = 375;

export interface PriceState {
  ltp: Dec;
  open: Dec;
  high: Dec;
  low: Dec;
  /** Previous close. */
  close: Dec;
  volume: number;
  lastQuantity: number;
  /** Epoch ms. */
  lastTradeTime: number;
  averagePrice: Dec;
  oi: number;
  buyQuantity: number;
  sellQuantity: number;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `YYYY-MM-DD HH:mm:ss` on the IST wall clock (Kite's timestamp format). */
export function istText(epochMs: number): string {
  const date = new Date(epochMs + IST_OFFSET_MS);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

/** Parses Kite's `yyyy-mm-dd[ hh:mm:ss]` (IST) into epoch ms. */
export function parseIstText(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const [, year, month, day, hours = '0', minutes = '0', seconds = '0'] = match;
  const utc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
  );
  return Number.isNaN(utc) ? undefined : utc - IST_OFFSET_MS;
}

/** A JSON number for a decimal (Kite sends prices as numbers). */
export function wire(value: Dec): number {
  return Number(value.toString());
}

function hash(value: number): number {
  let state = value >>> 0;
  state = Math.imul(state ^ (state >>> 16), 0x45d9f3b);
  state = Math.imul(state ^ (state >>> 16), 0x45d9f3b);
  return (state ^ (state >>> 16)) >>> 0;
}

export const KITE_HISTORY_INTERVALS: Readonly<Record<string, { minutes: number; maxDays: number }>> = {
  minute: { minutes: 1, maxDays: 60 },
  '3minute': { minutes: 3, maxDays: 100 },
  '5minute': { minutes: 5, maxDays: 100 },
  '10minute': { minutes: 10, maxDays: 100 },
  '15minute': { minutes: 15, maxDays: 200 },
  '30minute': { minutes: 30, maxDays: 200 },
  '60minute': { minutes: 60, maxDays: 400 },
  day: { minutes: SESSION_MINUTES, maxDays: 2000 },
};

export class FakeMarket {
  readonly byToken = new Map<number, FakeInstrument>();
  readonly byKey = new Map<string, FakeInstrument>();
  readonly #state = new Map<number, PriceState>();
  readonly #now: () => number;

  constructor(instruments: readonly FakeInstrument[], now: () => number) {
    this.#now = now;
    for (const instrument of instruments) {
      this.byToken.set(instrument.instrumentToken, instrument);
      this.byKey.set(`${instrument.exchange}:${instrument.tradingsymbol}`, instrument);
    }
  }

  find(exchange: string, tradingsymbol: string): FakeInstrument | undefined {
    return this.byKey.get(`${exchange}:${tradingsymbol}`);
  }

  tickOf(instrument: FakeInstrument): Dec {
    return instrument.tickSize.gt(0) ? instrument.tickSize : toDecimal('0.05');
  }

  state(instrument: FakeInstrument): PriceState {
    let state = this.#state.get(instrument.instrumentToken);
    if (!state) {
      const seed = hash(instrument.instrumentToken);
      const base = instrument.basePrice.gt(0) ? instrument.basePrice : this.tickOf(instrument);
      const tick = this.tickOf(instrument);
      const isDerivative = instrument.instrumentType !== 'EQ';
      // Indices do not trade: no volume, no quantities, no depth.
      const isIndex = instrument.segment === 'INDICES';
      state = {
        ltp: base,
        open: base,
        high: roundToTick(base.mul('1.01'), tick, 'up'),
        low: roundToTick(base.mul('0.99'), tick, 'down'),
        close: base,
        volume: isIndex ? 0 : 10_000 + (seed % 990_000),
        lastQuantity: isIndex ? 0 : 1 + (seed % 50),
        lastTradeTime: this.#now() - 1_000,
        averagePrice: base,
        oi: isDerivative && !isIndex ? 50_000 + (seed % 500_000) : 0,
        buyQuantity: isIndex ? 0 : 1_000 + (seed % 100_000),
        sellQuantity: isIndex ? 0 : 1_000 + ((seed >>> 8) % 100_000),
      };
      this.#state.set(instrument.instrumentToken, state);
    }
    return state;
  }

  /** Moves the last price (a trade of `quantity` at `price`). */
  setPrice(instrument: FakeInstrument, price: Dec, quantity = 1): PriceState {
    const state = this.state(instrument);
    state.ltp = price;
    state.high = price.gt(state.high) ? price : state.high;
    state.low = price.lt(state.low) ? price : state.low;
    if (instrument.segment !== 'INDICES') {
      state.volume += quantity;
      state.lastQuantity = quantity;
    }
    state.lastTradeTime = this.#now();
    return state;
  }

  depth(instrument: FakeInstrument): { buy: DepthRow[]; sell: DepthRow[] } {
    const state = this.state(instrument);
    const tick = this.tickOf(instrument);
    const buy: DepthRow[] = [];
    const sell: DepthRow[] = [];
    if (instrument.segment === 'INDICES') {
      for (let level = 0; level < 5; level += 1) {
        buy.push({ price: toDecimal(0), quantity: 0, orders: 0 });
        sell.push({ price: toDecimal(0), quantity: 0, orders: 0 });
      }
      return { buy, sell };
    }
    for (let level = 0; level < 5; level += 1) {
      buy.push({ price: state.ltp.sub(tick.mul(level + 1)), quantity: 100 * (level + 1), orders: level + 1 });
      sell.push({
        price: state.ltp.add(tick.mul(level + 1)),
        quantity: 120 * (level + 1),
        orders: level + 2,
      });
    }
    return { buy, sell };
  }

  /** Kite's full quote object for one instrument. */
  quote(instrument: FakeInstrument): Record<string, unknown> {
    const state = this.state(instrument);
    const depth = this.depth(instrument);
    const toLevels = (levels: DepthRow[]) =>
      levels.map((level) => ({ price: wire(level.price), quantity: level.quantity, orders: level.orders }));
    return {
      instrument_token: instrument.instrumentToken,
      timestamp: istText(this.#now()),
      last_trade_time: istText(state.lastTradeTime),
      last_price: wire(state.ltp),
      last_quantity: state.lastQuantity,
      buy_quantity: state.buyQuantity,
      sell_quantity: state.sellQuantity,
      volume: state.volume,
      average_price: wire(state.averagePrice),
      oi: state.oi,
      oi_day_high: state.oi,
      oi_day_low: state.oi,
      net_change: wire(state.ltp.sub(state.close)),
      lower_circuit_limit: wire(roundToTick(state.close.mul('0.8'), this.tickOf(instrument), 'up')),
      upper_circuit_limit: wire(roundToTick(state.close.mul('1.2'), this.tickOf(instrument), 'down')),
      ohlc: {
        open: wire(state.open),
        high: wire(state.high),
        low: wire(state.low),
        close: wire(state.close),
      },
      depth: { buy: toLevels(depth.buy), sell: toLevels(depth.sell) },
    };
  }

  /** The deterministic intraday price (in ticks) at a session minute of an IST day. */
  #priceTicks(instrument: FakeInstrument, dayNumber: number, minute: number): number {
    const tick = this.tickOf(instrument);
    const baseTicks = Number(instrument.basePrice.div(tick).toDecimalPlaces(0).toString()) || 1;
    const phase = hash(instrument.instrumentToken) % 997;
    const step = dayNumber * SESSION_MINUTES + minute + phase;
    const swing = Math.max(1, Math.floor(baseTicks * 0.01));
    const wave = Math.round(swing * Math.sin(step / 45) + (swing / 3) * Math.sin(step / 7));
    const noise = (hash(step ^ instrument.instrumentToken) % 3) - 1;
    return Math.max(1, baseTicks + wave + noise);
  }

  #candle(
    instrument: FakeInstrument,
    dayNumber: number,
    barStart: number,
    start: number,
    length: number,
    withOi: boolean,
  ): Array<string | number> {
    const tick = this.tickOf(instrument);
    const open = this.#priceTicks(instrument, dayNumber, start);
    const close = this.#priceTicks(instrument, dayNumber, start + length - 1);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    const sampleStep = length > 60 ? 5 : 1;
    for (let minute = start; minute < start + length; minute += sampleStep) {
      const value = this.#priceTicks(instrument, dayNumber, minute);
      high = Math.max(high, value);
      low = Math.min(low, value);
    }
    const volume = length * (100 + (hash(dayNumber * 1_000 + start + instrument.instrumentToken) % 900));
    const local = new Date(barStart + IST_OFFSET_MS);
    const time = `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}T${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:00+0530`;
    const candle: Array<string | number> = [
      time,
      wire(tick.mul(open)),
      wire(tick.mul(high)),
      wire(tick.mul(low)),
      wire(tick.mul(close)),
      volume,
    ];
    if (withOi) {
      candle.push(this.state(instrument).oi);
    }
    return candle;
  }

  /**
   * Candles `[time, o, h, l, c, v(, oi)]` for `[from, to]` (epoch ms, inclusive), IST session
   * 09:15–15:30 on weekdays; intraday bar times are their start instants, daily bars IST midnight.
   */
  history(
    instrument: FakeInstrument,
    interval: string,
    from: number,
    to: number,
    withOi: boolean,
  ): Array<Array<string | number>> {
    const spec = KITE_HISTORY_INTERVALS[interval];
    if (!spec) {
      return [];
    }
    const candles: Array<Array<string | number>> = [];
    const firstDay = Math.floor((from + IST_OFFSET_MS) / DAY_MS);
    const lastDay = Math.floor((to + IST_OFFSET_MS) / DAY_MS);
    for (let dayNumber = firstDay; dayNumber <= lastDay; dayNumber += 1) {
      const weekday = new Date(dayNumber * DAY_MS).getUTCDay();
      if (weekday === 0 || weekday === 6) {
        continue;
      }
      const dayStart = dayNumber * DAY_MS - IST_OFFSET_MS;
      if (interval === 'day') {
        // Every weekday whose IST date lies within the range: one bar stamped at IST midnight.
        candles.push(this.#candle(instrument, dayNumber, dayStart, 0, SESSION_MINUTES, withOi));
        continue;
      }
      for (let start = 0; start < SESSION_MINUTES; start += spec.minutes) {
        const barStart = dayStart + (SESSION_OPEN_MINUTE + start) * MINUTE_MS;
        if (barStart >= from && barStart <= to) {
          const length = Math.min(spec.minutes, SESSION_MINUTES - start);
          candles.push(this.#candle(instrument, dayNumber, barStart, start, length, withOi));
        }
      }
    }
    return candles;
  }
}

export interface DepthRow {
  price: Dec;
  quantity: number;
  orders: number;
}
