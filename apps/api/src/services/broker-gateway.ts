import {
  type BrokerSession as AdapterSession,
  type BrokerAdapter,
  type BrokerContext,
  type Logger,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import type { BrokerSession } from './broker-sessions.js';
import type { SymbolIndex } from './symbol-index.js';

/** What a core service needs to call the connected broker for one user. */
export interface BrokerCall {
  adapter: BrokerAdapter;
  context: BrokerContext;
}

export interface BrokerGatewayOptions {
  adapter: BrokerAdapter;
  symbols: SymbolIndex;
  logger: Logger;
  now: () => number;
}

/** The stored session's metadata as the adapter's string map (non-strings are dropped). */
function toSessionData(metadata: unknown): Record<string, string> {
  const data: Record<string, string> = {};
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [name, value] of Object.entries(metadata)) {
      if (typeof value === 'string') {
        data[name] = value;
      }
    }
  }
  return data;
}

/**
 * The one seam between the core and the connected broker: turns a user's stored session into
 * the adapter's `BrokerContext` (session, logger, clock, symbol resolution). Adapters hold no
 * state; everything a call needs comes from here.
 */
export class BrokerGateway {
  readonly #options: BrokerGatewayOptions;
  readonly #resolveBrokerInstrument: BrokerContext['resolveBrokerInstrument'];

  constructor(options: BrokerGatewayOptions) {
    this.#options = options;
    this.#resolveBrokerInstrument = (query) => options.symbols.findByBroker(query)?.instrument;
  }

  get adapter(): BrokerAdapter {
    return this.#options.adapter;
  }

  toAdapterSession(session: BrokerSession): AdapterSession {
    return {
      brokerId: session.broker,
      accessToken: session.accessToken,
      ...(session.feedToken ? { feedToken: session.feedToken } : {}),
      ...(session.brokerUserId ? { userId: session.brokerUserId } : {}),
      issuedAt: this.#options.now(),
      ...(session.expiresAt !== null ? { expiresAt: session.expiresAt } : {}),
      data: toSessionData(session.metadata),
    };
  }

  /** The adapter and a call context for this session; refuses a session of another broker. */
  call(session: BrokerSession | null, options: { signal?: AbortSignal } = {}): BrokerCall {
    const { adapter, logger, now } = this.#options;
    if (!session || session.broker !== adapter.id) {
      throw new TokenExpiredError(`No active ${adapter.displayName} session: log in to the broker again`, {
        context: { broker: adapter.id },
      });
    }
    return {
      adapter,
      context: {
        session: this.toAdapterSession(session),
        logger,
        now,
        ...(options.signal ? { signal: options.signal } : {}),
        resolveBrokerInstrument: this.#resolveBrokerInstrument,
      },
    };
  }
}
