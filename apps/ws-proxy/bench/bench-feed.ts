import type {
  MarketDataStream,
  MarketDataStreamFactory,
  StreamState,
  StreamSubscription,
} from '@openalgo/broker-sdk';
import type { ResolvedInstrument, Tick } from '@openalgo/shared-types';

/**
 * A synthetic broker feed for the fan-out benchmark: every subscribed instrument ticks at the
 * same rate, paced evenly. Each tick carries its per-symbol sequence number in `timestamp` and
 * its send time (epoch microseconds) in `ltt` (both survive the LTP projection), so receivers
 * measure gaps and latency.
 */

export function benchInstrument(symbol: string): ResolvedInstrument {
  return {
    symbol,
    exchange: 'NSE',
    brSymbol: symbol,
    brExchange: 'NSE',
    token: symbol,
    name: symbol,
    lotSize: 1,
    tickSize: '0.05',
    instrumentType: 'EQ',
  };
}

export const nowMicros = (): number => Math.round((performance.timeOrigin + performance.now()) * 1_000);

export class BenchFeed {
  #ticksPerSymbol = 10;
  readonly #instruments = new Map<string, { symbol: string; seq: number; price: number }>();
  readonly #listeners = new Set<(tick: Tick) => void>();
  #timer: NodeJS.Timeout | null = null;
  #cursor = 0;
  #startedAt = 0;
  #sent = 0;
  published = 0;

  /** Ticks per second per subscribed symbol. */
  setRate(ticksPerSymbol: number): void {
    this.#ticksPerSymbol = ticksPerSymbol;
    this.#startedAt = performance.now();
    this.#sent = 0;
  }

  factory(): MarketDataStreamFactory {
    return {
      limits: { maxInstrumentsPerConnection: 10_000, maxConnections: 1, depthLevels: [5] },
      create: () => this.#stream(),
    };
  }

  #stream(): MarketDataStream {
    const stateListeners = new Set<(state: StreamState) => void>();
    return {
      connect: async () => {
        this.#start();
        for (const listener of stateListeners) {
          listener({ state: 'connected' });
        }
      },
      close: async () => this.stop(),
      subscribe: (subscriptions: readonly StreamSubscription[]) => {
        for (const { instrument } of subscriptions) {
          if (!this.#instruments.has(instrument.symbol)) {
            this.#instruments.set(instrument.symbol, { symbol: instrument.symbol, seq: 0, price: 100 });
          }
        }
      },
      unsubscribe: (subscriptions: readonly StreamSubscription[]) => {
        for (const { instrument } of subscriptions) {
          this.#instruments.delete(instrument.symbol);
        }
      },
      onTick: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      onState: (listener) => {
        stateListeners.add(listener);
        return () => stateListeners.delete(listener);
      },
    };
  }

  #start(): void {
    if (this.#timer) {
      return;
    }
    this.#startedAt = performance.now();
    this.#timer = setInterval(() => this.#emitDue(), 1);
  }

  stop(): void {
    if (this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #emitDue(): void {
    const instruments = [...this.#instruments.values()];
    if (instruments.length === 0) {
      return;
    }
    const rate = this.#ticksPerSymbol * instruments.length;
    const due = Math.floor(((performance.now() - this.#startedAt) / 1_000) * rate) - this.#sent;
    // Never burst more than 50 ms worth after a stall.
    const count = Math.min(due, Math.ceil(rate / 20));
    for (let index = 0; index < count; index += 1) {
      const entry = instruments[this.#cursor % instruments.length] as {
        symbol: string;
        seq: number;
        price: number;
      };
      this.#cursor += 1;
      entry.seq += 1;
      const tick: Tick = {
        symbol: entry.symbol,
        exchange: 'NSE',
        mode: 'ltp',
        ltp: entry.price + (entry.seq % 10),
        ltt: nowMicros(),
        timestamp: entry.seq,
      };
      for (const listener of this.#listeners) {
        listener(tick);
      }
    }
    this.#sent += due;
    this.published += count;
  }
}
