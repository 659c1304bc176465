import { BadSymbolError, type QuoteResult, type Unsubscribe } from '@openalgo/broker-sdk';
import type { Quote, ResolvedInstrument, Tick } from '@openalgo/shared-types';
import type { TickSource } from '../tick-source.js';

export interface ScriptedPrice {
  ltp: number;
  bid?: number;
  ask?: number;
}

/**
 * A tick source driven by a script: `tick()` delivers a tick to the sandbox exactly as a
 * broker stream would, and the same price answers quote requests. For tests and benchmarks.
 */
export class ScriptedTickSource implements TickSource {
  readonly #listeners = new Set<(tick: Tick) => void>();
  readonly #prices = new Map<string, ScriptedPrice>();
  readonly watched = new Map<string, number>();
  #now: () => number;
  /** When set, every quote request fails (a broker without market data). */
  isQuoteDown = false;
  quoteRequests = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  onTick(listener: (tick: Tick) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sets the price quotes answer with, without sending a tick. */
  setPrice(exchange: string, symbol: string, price: ScriptedPrice): void {
    this.#prices.set(`${exchange}:${symbol}`, price);
  }

  /** Sends one tick (and makes it the quoted price). */
  tick(exchange: Tick['exchange'], symbol: string, price: ScriptedPrice | number): void {
    const value = typeof price === 'number' ? { ltp: price } : price;
    this.setPrice(exchange, symbol, value);
    const tick: Tick = {
      symbol,
      exchange,
      mode: value.bid !== undefined || value.ask !== undefined ? 'depth' : 'ltp',
      ltp: value.ltp,
      timestamp: this.#now(),
      ...(value.bid !== undefined || value.ask !== undefined
        ? {
            depth: {
              buy: value.bid !== undefined ? [{ price: value.bid, quantity: 100, orders: 1 }] : [],
              sell: value.ask !== undefined ? [{ price: value.ask, quantity: 100, orders: 1 }] : [],
            },
          }
        : {}),
    };
    for (const listener of this.#listeners) {
      listener(tick);
    }
  }

  async fetchQuotes(instruments: readonly ResolvedInstrument[]): Promise<readonly QuoteResult[]> {
    this.quoteRequests += 1;
    return instruments.map((instrument): QuoteResult => {
      const price = this.#prices.get(`${instrument.exchange}:${instrument.symbol}`);
      if (this.isQuoteDown || !price) {
        return {
          ok: false,
          instrument,
          error: new BadSymbolError(`no quote for ${instrument.symbol}`),
        };
      }
      const quote: Quote = {
        ltp: String(price.ltp),
        open: String(price.ltp),
        high: String(price.ltp),
        low: String(price.ltp),
        prevClose: String(price.ltp),
        bid: String(price.bid ?? 0),
        ask: String(price.ask ?? 0),
        volume: 0,
        oi: 0,
      };
      return { ok: true, instrument, quote };
    });
  }

  watch(instruments: readonly ResolvedInstrument[]): void {
    for (const instrument of instruments) {
      const key = `${instrument.exchange}:${instrument.symbol}`;
      this.watched.set(key, (this.watched.get(key) ?? 0) + 1);
    }
  }

  unwatch(instruments: readonly ResolvedInstrument[]): void {
    for (const instrument of instruments) {
      const key = `${instrument.exchange}:${instrument.symbol}`;
      const count = (this.watched.get(key) ?? 0) - 1;
      if (count <= 0) {
        this.watched.delete(key);
      } else {
        this.watched.set(key, count);
      }
    }
  }
}

/** A resolved instrument for tests: equities by default, F&O when `instrumentType` says so. */
export function testInstrument(
  symbol: string,
  exchange: ResolvedInstrument['exchange'],
  options: Partial<ResolvedInstrument> = {},
): ResolvedInstrument {
  return {
    symbol,
    exchange,
    brSymbol: symbol,
    brExchange: exchange,
    token: `${exchange}-${symbol}`,
    name: symbol,
    lotSize: 1,
    tickSize: '0.05',
    instrumentType: 'EQ',
    ...options,
  };
}
