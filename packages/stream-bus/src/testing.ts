import type {
  BrokerStreams,
  Logger,
  MarketDataStream,
  MarketDataStreamFactory,
  StreamContext,
  StreamSubscription,
} from '@openalgo/broker-sdk';
import type { SimulatorBroker } from '@openalgo/brokers-simulator';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { type HubIdentity, MarketHub, type MarketHubOptions } from './market-hub.js';

/**
 * Test and benchmark helpers: a hub on ephemeral loopback ports in front of the simulator,
 * and a recording wrapper that shows what the broker was asked to (un)subscribe.
 */

export interface BrokerCall {
  kind: 'subscribe' | 'unsubscribe' | 'create';
  connection: number;
  subscriptions: Array<{ symbol: string; exchange: string; mode: string; depthLevel?: number }>;
}

/** Wraps a stream factory so every connection and (un)subscribe call is recorded. */
export function recordingFactory(
  factory: MarketDataStreamFactory,
  calls: BrokerCall[],
): MarketDataStreamFactory {
  let connections = 0;
  const describe = (subscriptions: readonly StreamSubscription[]) =>
    subscriptions.map((subscription) => ({
      symbol: subscription.instrument.symbol,
      exchange: subscription.instrument.exchange,
      mode: subscription.mode,
      ...(subscription.depthLevel !== undefined ? { depthLevel: subscription.depthLevel } : {}),
    }));
  return {
    limits: factory.limits,
    create(context: StreamContext): MarketDataStream {
      const connection = connections++;
      const stream = factory.create(context);
      calls.push({ kind: 'create', connection, subscriptions: [] });
      return {
        connect: () => stream.connect(),
        close: () => stream.close(),
        onTick: (listener) => stream.onTick(listener),
        onState: (listener) => stream.onState(listener),
        subscribe(subscriptions) {
          calls.push({ kind: 'subscribe', connection, subscriptions: describe(subscriptions) });
          stream.subscribe(subscriptions);
        },
        unsubscribe(subscriptions) {
          calls.push({ kind: 'unsubscribe', connection, subscriptions: describe(subscriptions) });
          stream.unsubscribe(subscriptions);
        },
      };
    },
  };
}

/** The simulator's instrument as the core would resolve it from the symbol master. */
export function simulatorInstrument(
  broker: SimulatorBroker,
  symbol: string,
  exchange: string,
): ResolvedInstrument | undefined {
  const found = broker.exchange.findInstrument(symbol, exchange);
  if (!found) {
    return undefined;
  }
  return {
    symbol: found.symbol,
    exchange: found.exchange,
    brSymbol: found.symbol,
    brExchange: found.exchange,
    token: found.token,
    name: found.name,
    lotSize: found.lotSize,
    tickSize: '0.05',
    instrumentType: found.instrumentType,
  };
}

export interface TestHubOptions {
  broker: SimulatorBroker;
  logger: Logger;
  /** API key → identity. */
  keys: ReadonlyMap<string, HubIdentity>;
  calls?: BrokerCall[];
  hub?: Partial<MarketHubOptions>;
}

/** A started hub on `tcp://127.0.0.1:*` serving the simulator. */
export async function startTestHub(options: TestHubOptions): Promise<MarketHub> {
  const { broker, logger } = options;
  const session = await broker.auth.completeLogin({}, { redirectUrl: '', state: '', logger, now: Date.now });
  const marketData = options.calls
    ? recordingFactory(broker.streams.marketData, options.calls)
    : broker.streams.marketData;
  const streams: BrokerStreams = { ...broker.streams, marketData };
  const hub = new MarketHub({
    publishUrl: 'tcp://127.0.0.1:*',
    controlUrl: 'tcp://127.0.0.1:*',
    broker: { id: broker.id, streams, capabilities: broker.capabilities },
    streamContext: async () => ({ session, logger, now: Date.now, resolveBrokerInstrument: () => undefined }),
    resolveInstrument: (symbol, exchange) => simulatorInstrument(broker, symbol, exchange),
    authenticate: async (apiKey) => options.keys.get(apiKey) ?? null,
    logger,
    ...options.hub,
  });
  await hub.start();
  return hub;
}
