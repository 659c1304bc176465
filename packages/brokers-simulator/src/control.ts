import {
  BadResponseError,
  BadSymbolError,
  type BrokerContext,
  type BrokerOperation,
  BrokerUnavailableError,
  RateLimitError,
  RequestTimeoutError,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import type { SimExchange } from './exchange.js';
import { decimalToPips } from './mapping.js';

export type InjectedFailure = 'unavailable' | 'timeout' | 'rate-limit' | 'bad-response';

/** Operations that change the book: a timeout on them may have reached the exchange. */
const WRITES: ReadonlySet<BrokerOperation> = new Set(['placeOrder', 'modifyOrder', 'cancelOrder', 'gtt']);

/**
 * The simulator's control surface for tests and demos: the same switches a fake broker server
 * offers (expire the session, fail the next call, drop the streams).
 */
export class SimulatorControl {
  /** Sessions carry the generation they were issued in; expiring starts a new one. */
  #generation = 0;
  readonly #failures: Array<{
    operation: BrokerOperation | '*';
    failure: InjectedFailure;
    remaining: number;
  }> = [];
  readonly #dropListeners = new Set<() => void>();

  constructor(readonly exchange: SimExchange) {}

  /** Every session issued before now stops working (as a broker's daily token expiry). */
  expireSessions(): void {
    this.#generation += 1;
  }

  /**
   * The next `times` calls of `operation` (or any, with `*`) fail as asked; `times` defaults to
   * one, `Infinity` fails every call until `clearFailures()`.
   */
  failNext(failure: InjectedFailure, operation: BrokerOperation | '*' = '*', times = 1): void {
    this.#failures.push({ operation, failure, remaining: times });
  }

  clearFailures(): void {
    this.#failures.length = 0;
  }

  /** Drops every market-data and order-update stream; they reconnect by themselves. */
  dropStreams(): void {
    for (const listener of this.#dropListeners) {
      listener();
    }
  }

  onDrop(listener: () => void): () => void {
    this.#dropListeners.add(listener);
    return () => this.#dropListeners.delete(listener);
  }

  /**
   * Moves an instrument's market to `price` (rupees, as a decimal string): the next ticks of it
   * and of its derivatives trade around that price. For demos and tests that need a price to
   * cross a level now rather than whenever the random walk gets there. Derivatives follow their
   * underlying, so only a spot-priced instrument (equity, index) can be moved.
   */
  movePrice(symbol: string, exchange: string, price: string): void {
    const instrument = this.exchange.requireInstrument(symbol, exchange);
    const pips = decimalToPips(price);
    if (!(pips > 0) || !this.exchange.market.moveSpot(instrument.index, pips)) {
      throw new BadSymbolError(`${symbol} on ${exchange} cannot be moved to ${price}`, {
        context: { symbol, exchange, price },
      });
    }
  }

  issueToken(): string {
    return `sim-${this.#generation}-${this.exchange.now}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  }

  /** Checks the session and any injected failure before an operation runs. */
  guard(operation: BrokerOperation, context: Pick<BrokerContext, 'session'>): void {
    // `sim-<generation>-<issued at>-<nonce>`; tokens from before generations existed count as 0.
    const match = /^sim-(?:(\d+)-)?\d+-[a-z0-9]+$/.exec(context.session.accessToken);
    if (!match || Number(match[1] ?? 0) !== this.#generation) {
      throw new TokenExpiredError('Session expired: log in to the simulator again', { brokerStatus: 403 });
    }
    const index = this.#failures.findIndex(
      (entry) => entry.operation === '*' || entry.operation === operation,
    );
    if (index < 0) {
      return;
    }
    const entry = this.#failures[index];
    if (!entry) {
      return;
    }
    entry.remaining -= 1;
    if (entry.remaining <= 0) {
      this.#failures.splice(index, 1);
    }
    switch (entry.failure) {
      case 'unavailable':
        throw new BrokerUnavailableError('Simulator is unavailable (injected 503)', { brokerStatus: 503 });
      case 'timeout':
        throw new RequestTimeoutError('Simulator did not answer in time (injected)', {
          // A write that timed out may have been executed: never retried, the core reconciles.
          retryable: !WRITES.has(operation),
          context: { operation, mayHaveReachedBroker: WRITES.has(operation) },
        });
      case 'rate-limit':
        throw new RateLimitError('Too many requests (injected 429)', { brokerStatus: 429 });
      case 'bad-response':
        throw new BadResponseError('Simulator answered nonsense (injected)');
    }
  }
}
