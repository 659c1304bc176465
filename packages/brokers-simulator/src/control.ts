import {
  BadResponseError,
  type BrokerContext,
  type BrokerOperation,
  BrokerUnavailableError,
  RateLimitError,
  RequestTimeoutError,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import type { SimExchange } from './exchange.js';

export type InjectedFailure = 'unavailable' | 'timeout' | 'rate-limit' | 'bad-response';

/**
 * The simulator's control surface for tests and demos: the same switches a fake broker server
 * offers (expire the session, fail the next call, drop the streams).
 */
export class SimulatorControl {
  #sessionCutoff = 0;
  readonly #failures: Array<{ operation: BrokerOperation | '*'; failure: InjectedFailure }> = [];
  readonly #dropListeners = new Set<() => void>();

  constructor(readonly exchange: SimExchange) {}

  /** Every session issued before now stops working (as a broker's daily token expiry). */
  expireSessions(): void {
    this.#sessionCutoff = this.exchange.now + 1;
  }

  /** The next call of `operation` (or any, with `*`) fails as asked. */
  failNext(failure: InjectedFailure, operation: BrokerOperation | '*' = '*'): void {
    this.#failures.push({ operation, failure });
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

  issueToken(): string {
    return `sim-${this.exchange.now}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  }

  /** Checks the session and any injected failure before an operation runs. */
  guard(operation: BrokerOperation, context: Pick<BrokerContext, 'session'>): void {
    const match = /^sim-(\d+)-/.exec(context.session.accessToken);
    if (!match || Number(match[1]) < this.#sessionCutoff) {
      throw new TokenExpiredError('Session expired: log in to the simulator again', { brokerStatus: 403 });
    }
    const index = this.#failures.findIndex(
      (entry) => entry.operation === '*' || entry.operation === operation,
    );
    if (index < 0) {
      return;
    }
    const [entry] = this.#failures.splice(index, 1);
    switch (entry?.failure) {
      case 'unavailable':
        throw new BrokerUnavailableError('Simulator is unavailable (injected 503)', { brokerStatus: 503 });
      case 'timeout':
        throw new RequestTimeoutError('Simulator did not answer in time (injected)', {
          context: { mayHaveReachedBroker: operation === 'placeOrder' },
        });
      case 'rate-limit':
        throw new RateLimitError('Too many requests (injected 429)', { brokerStatus: 429 });
      case 'bad-response':
        throw new BadResponseError('Simulator answered nonsense (injected)');
    }
  }
}
