import { TZDate } from '@date-fns/tz';
import type { Exchange, Tick } from '@openalgo/shared-types';
import { blackScholes, hashString, Random, smileVolatility, YEAR_MS } from './prices.js';
import { PIPS_PER_RUPEE, type SimInstrument } from './universe.js';

/** Per-instrument market state, all prices in integer pips. */
export interface MarketState {
  ltp: number;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  volume: number;
  oi: number;
  lastQuantity: number;
  /** Epoch ms of the last trade. */
  lastTradeTime: number;
  /** Traded value (pips × quantity) for the average price. */
  tradedValue: number;
  /** Continuous path value in rupees (underlyings only). */
  path: number;
  /** The round at which `path` was last advanced. */
  pathRound: number;
}

export interface DepthLevelPips {
  price: number;
  quantity: number;
  orders: number;
}

export const DEPTH_LEVELS = 5;

/** Seconds of trading one round represents (one round = every active instrument ticked once). */
const SECONDS_PER_ROUND = 1;
const TRADING_SECONDS_PER_YEAR = 252 * 375 * 60;

export interface MarketHours {
  open: string;
  close: string;
}

const HOURS: Record<string, MarketHours> = {
  NSE: { open: '09:15', close: '15:30' },
  BSE: { open: '09:15', close: '15:30' },
  NFO: { open: '09:15', close: '15:30' },
  BFO: { open: '09:15', close: '15:30' },
  NSE_INDEX: { open: '09:15', close: '15:30' },
  BSE_INDEX: { open: '09:15', close: '15:30' },
  CDS: { open: '09:00', close: '17:00' },
  MCX: { open: '09:00', close: '23:30' },
};

export function isMarketOpen(exchange: Exchange, now: number): boolean {
  const hours = HOURS[exchange] ?? HOURS.NSE;
  const local = new TZDate(now, 'Asia/Kolkata');
  const weekday = local.getDay();
  if (weekday === 0 || weekday === 6 || !hours) {
    return false;
  }
  const minutes = local.getHours() * 60 + local.getMinutes();
  const [openHours, openMinutes] = hours.open.split(':').map(Number);
  const [closeHours, closeMinutes] = hours.close.split(':').map(Number);
  return (
    minutes >= (openHours ?? 0) * 60 + (openMinutes ?? 0) &&
    minutes < (closeHours ?? 0) * 60 + (closeMinutes ?? 0)
  );
}

/**
 * The simulated market: price paths (geometric Brownian motion for underlyings; futures off
 * their underlying with a decaying basis; options priced by Black–Scholes on a volatility
 * smile), 5-level depth consistent with the LTP, and ticks. Deterministic for a given seed.
 */
export class Market {
  readonly instruments: readonly SimInstrument[];
  readonly states: MarketState[];
  readonly #random: Random;
  readonly #now: () => number;
  #round = 0;
  #rotation = 0;

  constructor(instruments: readonly SimInstrument[], seed: number, now: () => number) {
    this.instruments = instruments;
    this.#random = new Random(seed);
    this.#now = now;
    this.states = instruments.map((instrument) => this.#initialState(instrument, seed));
    // Derivatives start at their model price.
    for (const instrument of instruments) {
      if (instrument.underlyingIndex !== undefined) {
        const state = this.states[instrument.index] as MarketState;
        const price = this.#modelPrice(instrument);
        state.ltp = price;
        state.open = price;
        state.high = price;
        state.low = price;
        state.prevClose = this.#roundToTick(
          price * (1 - 0.004 + (hashString(instrument.symbol) % 80) / 10_000),
          instrument,
        );
      }
    }
  }

  get round(): number {
    return this.#round;
  }

  #initialState(instrument: SimInstrument, seed: number): MarketState {
    const noise =
      ((hashString(`${seed}:${instrument.symbol}:${instrument.exchange}`) % 2_001) - 1_000) / 100_000;
    const price = this.#roundToTick(instrument.basePips * (1 + noise), instrument);
    const prevClose = this.#roundToTick(price * (1 - noise / 2), instrument);
    return {
      ltp: price,
      open: price,
      high: price,
      low: price,
      prevClose,
      volume: 0,
      oi:
        instrument.instrumentType === 'FUT' ||
        instrument.instrumentType === 'CE' ||
        instrument.instrumentType === 'PE'
          ? instrument.lotSize * (1_000 + (hashString(instrument.symbol) % 50_000))
          : 0,
      lastQuantity: 0,
      lastTradeTime: 0,
      tradedValue: 0,
      path: price / PIPS_PER_RUPEE,
      pathRound: 0,
    };
  }

  #roundToTick(pips: number, instrument: SimInstrument): number {
    return Math.max(instrument.tickPips, Math.round(pips / instrument.tickPips) * instrument.tickPips);
  }

  /** Advances an underlying's continuous path to the current round. */
  #advancePath(instrument: SimInstrument): MarketState {
    const state = this.states[instrument.index] as MarketState;
    const steps = this.#round - state.pathRound;
    if (steps > 0) {
      const dt = (steps * SECONDS_PER_ROUND) / TRADING_SECONDS_PER_YEAR;
      const sigma = instrument.volatility;
      state.path *= Math.exp(-0.5 * sigma * sigma * dt + sigma * Math.sqrt(dt) * this.#random.normal());
      state.pathRound = this.#round;
    }
    return state;
  }

  #modelPrice(instrument: SimInstrument, now: number = this.#now()): number {
    const underlyingIndex = instrument.underlyingIndex;
    if (underlyingIndex === undefined) {
      return this.#roundToTick(this.#advancePath(instrument).path * PIPS_PER_RUPEE, instrument);
    }
    const underlying = this.instruments[underlyingIndex] as SimInstrument;
    const spot = this.#advancePath(underlying).path;
    if (instrument.instrumentType === 'FUT') {
      const years = instrument.expiryMs ? Math.max(0, (instrument.expiryMs - now) / YEAR_MS) : 0;
      return this.#roundToTick(spot * (1 + 0.065 * years) * PIPS_PER_RUPEE, instrument);
    }
    if (
      (instrument.instrumentType === 'CE' || instrument.instrumentType === 'PE') &&
      instrument.strikePips !== undefined &&
      instrument.expiryMs
    ) {
      const strike = instrument.strikePips / PIPS_PER_RUPEE;
      // Options never reach zero time in the model: at least one trading hour remains.
      const years = Math.max(1 / (252 * 6.25), (instrument.expiryMs - now) / YEAR_MS);
      const volatility = smileVolatility(instrument.volatility, spot, strike, instrument.instrumentType);
      const premium = blackScholes(instrument.instrumentType, spot, strike, years, volatility);
      return this.#roundToTick(premium * PIPS_PER_RUPEE, instrument);
    }
    // A second listing of an equity (BSE) follows its primary.
    return this.#roundToTick(spot * PIPS_PER_RUPEE, instrument);
  }

  /**
   * Moves the market of a spot-priced instrument (an equity, an index, or an equity's second
   * listing) to `pips`: its next ticks, and those of its derivatives, trade around that price.
   * Returns false for a derivative, whose price follows its underlying.
   */
  moveSpot(index: number, pips: number): boolean {
    const instrument = this.instruments[index] as SimInstrument;
    const type = instrument.instrumentType;
    if (type === 'FUT' || type === 'CE' || type === 'PE') {
      return false;
    }
    const spotIndex = instrument.underlyingIndex ?? index;
    const state = this.#advancePath(this.instruments[spotIndex] as SimInstrument);
    state.path = pips / PIPS_PER_RUPEE;
    return true;
  }

  /** Produces the next tick of one instrument and updates its state. */
  tickInstrument(index: number, now: number): MarketState {
    const instrument = this.instruments[index] as SimInstrument;
    const state = this.states[index] as MarketState;
    let price = this.#modelPrice(instrument, now);
    // Micro-structure noise: the last trade lands at the bid or the ask now and then.
    const jitter = this.#random.next();
    if (jitter < 0.15) {
      price -= instrument.tickPips;
    } else if (jitter > 0.85) {
      price += instrument.tickPips;
    }
    price = Math.max(instrument.tickPips, price);
    const isTradable = instrument.instrumentType !== 'INDEX';
    const quantity = isTradable ? instrument.lotSize * this.#random.integer(1, 20) : 0;
    state.ltp = price;
    state.high = Math.max(state.high, price);
    state.low = Math.min(state.low, price);
    state.lastQuantity = quantity;
    state.volume += quantity;
    state.tradedValue += price * quantity;
    state.lastTradeTime = now;
    return state;
  }

  /**
   * Ticks `count` instruments of `active` in rotation; each completed rotation is one round
   * (one simulated second). Calls `onTick` for each.
   */
  advance(
    active: readonly number[],
    count: number,
    now: number,
    onTick: (index: number, state: MarketState) => void,
  ): void {
    if (active.length === 0) {
      return;
    }
    for (let produced = 0; produced < count; produced += 1) {
      if (this.#rotation >= active.length) {
        this.#rotation = 0;
      }
      if (this.#rotation === 0) {
        this.#round += 1;
      }
      const index = active[this.#rotation] as number;
      this.#rotation += 1;
      onTick(index, this.tickInstrument(index, now));
    }
  }

  /** The best bid and ask of `depth()` without building it (0 where that side is empty). */
  touch(index: number): { bid: number; ask: number } {
    const instrument = this.instruments[index] as SimInstrument;
    if (instrument.instrumentType === 'INDEX') {
      return { bid: 0, ask: 0 };
    }
    const ltp = (this.states[index] as MarketState).ltp;
    return { bid: Math.max(0, ltp - instrument.tickPips), ask: ltp + instrument.tickPips };
  }

  /** 5-level depth consistent with the LTP; quantities are deterministic per round. */
  depth(index: number): { bids: DepthLevelPips[]; asks: DepthLevelPips[] } {
    const instrument = this.instruments[index] as SimInstrument;
    const state = this.states[index] as MarketState;
    if (instrument.instrumentType === 'INDEX') {
      const empty = Array.from({ length: DEPTH_LEVELS }, () => ({ price: 0, quantity: 0, orders: 0 }));
      return { bids: empty, asks: empty.map((level) => ({ ...level })) };
    }
    const bids: DepthLevelPips[] = [];
    const asks: DepthLevelPips[] = [];
    let seed = hashString(`${index}:${this.#round}`);
    const nextQuantity = () => {
      seed = (Math.imul(seed ^ (seed >>> 13), 0x5bd1e995) + 0x7f4a7c15) >>> 0;
      return instrument.lotSize * (5 + (seed % 60));
    };
    for (let level = 1; level <= DEPTH_LEVELS; level += 1) {
      const bidPrice = state.ltp - level * instrument.tickPips;
      const bidQuantity = nextQuantity();
      bids.push({
        price: Math.max(0, bidPrice),
        quantity: bidPrice > 0 ? bidQuantity : 0,
        orders: 1 + (bidQuantity % 9),
      });
      const askQuantity = nextQuantity();
      asks.push({
        price: state.ltp + level * instrument.tickPips,
        quantity: askQuantity,
        orders: 1 + (askQuantity % 9),
      });
    }
    return { bids, asks };
  }

  /** The normalized tick (streaming.md §2.10.2) for an instrument, numbers in rupees. */
  toTick(index: number, mode: Tick['mode'], now: number): Tick {
    const instrument = this.instruments[index] as SimInstrument;
    const state = this.states[index] as MarketState;
    const tick: Tick = {
      symbol: instrument.symbol,
      exchange: instrument.exchange,
      mode,
      ltp: state.ltp / PIPS_PER_RUPEE,
      ltt: state.lastTradeTime || now,
      timestamp: now,
    };
    if (mode === 'ltp') {
      return tick;
    }
    tick.open = state.open / PIPS_PER_RUPEE;
    tick.high = state.high / PIPS_PER_RUPEE;
    tick.low = state.low / PIPS_PER_RUPEE;
    tick.close = state.prevClose / PIPS_PER_RUPEE;
    tick.volume = state.volume;
    tick.last_quantity = state.lastQuantity;
    tick.average_price =
      state.volume > 0
        ? Math.round(state.tradedValue / state.volume) / PIPS_PER_RUPEE
        : state.ltp / PIPS_PER_RUPEE;
    tick.oi = state.oi;
    if (instrument.instrumentType === 'EQ') {
      tick.upper_circuit = this.circuit(index).upper / PIPS_PER_RUPEE;
      tick.lower_circuit = this.circuit(index).lower / PIPS_PER_RUPEE;
    }
    const depth = this.depth(index);
    tick.total_buy_quantity = depth.bids.reduce((sum, level) => sum + level.quantity, 0) * 20;
    tick.total_sell_quantity = depth.asks.reduce((sum, level) => sum + level.quantity, 0) * 20;
    if (mode === 'depth') {
      tick.depth = {
        buy: depth.bids.map((level) => ({
          price: level.price / PIPS_PER_RUPEE,
          quantity: level.quantity,
          orders: level.orders,
        })),
        sell: depth.asks.map((level) => ({
          price: level.price / PIPS_PER_RUPEE,
          quantity: level.quantity,
          orders: level.orders,
        })),
      };
    }
    return tick;
  }

  /** Price band: ±20 % of the previous close for equities, none (very wide) otherwise. */
  circuit(index: number): { lower: number; upper: number } {
    const instrument = this.instruments[index] as SimInstrument;
    const state = this.states[index] as MarketState;
    if (instrument.instrumentType !== 'EQ') {
      return { lower: instrument.tickPips, upper: Number.MAX_SAFE_INTEGER };
    }
    const band = Math.round(state.prevClose * 0.2);
    const lower = Math.ceil((state.prevClose - band) / instrument.tickPips) * instrument.tickPips;
    const upper = Math.floor((state.prevClose + band) / instrument.tickPips) * instrument.tickPips;
    return { lower, upper };
  }
}
