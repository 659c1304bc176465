import type { BrokerAdapter, StreamContext } from '@openalgo/broker-sdk';
import { type Database, findUserById, type Kysely } from '@openalgo/db';
import type { WsOrderUpdateFrame } from '@openalgo/shared-types';
import { MarketHub } from '@openalgo/stream-bus';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { AccountsService } from '../accounts.js';
import type { ApiKeyVerifier } from '../api-keys.js';
import type { BrokerGateway } from '../broker-gateway.js';
import type { BrokerSessionService } from '../broker-sessions.js';
import type { EventBus, OrderEvent } from '../events.js';
import type { SymbolIndex } from '../symbol-index.js';

export interface MarketHubDeps {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  now: () => number;
  broker: BrokerAdapter;
  gateway: BrokerGateway;
  symbols: SymbolIndex;
  apiKeys: ApiKeyVerifier;
  accounts: AccountsService;
  brokerSessions: BrokerSessionService;
  events: EventBus;
  /** Called before the feed's first broker connection opens. */
  onFeedStart?: () => void;
}

const ORDER_EVENTS = [
  'order.placed',
  'order.updated',
  'order.filled',
  'order.rejected',
  'order.cancelled',
] as const;

/**
 * The api's market-data hub: the connected broker's feed under the admin's broker session
 * (OpenAlgo runs one feed per installation), API keys and symbols answered from this process,
 * and every order event of the bus sequenced per user onto the bus for `subscribe_orders`.
 */
export function createMarketHub(deps: MarketHubDeps): { hub: MarketHub; stop: () => void } {
  const { config, logger } = deps;
  const usernames = new Map<number, string>();
  const usernameOf = async (userId: number): Promise<string> => {
    const known = usernames.get(userId);
    if (known !== undefined) {
      return known;
    }
    const user = await findUserById(deps.db, userId);
    const username = user?.username ?? String(userId);
    usernames.set(userId, username);
    return username;
  };
  const streamContext = async (): Promise<StreamContext> => {
    deps.onFeedStart?.();
    const admin = await deps.accounts.findAdmin();
    const session = await deps.brokerSessions.getActive(admin.id);
    // Throws TokenExpiredError without a session: the feed retries with backoff until a login.
    const { context } = deps.gateway.call(session);
    return context;
  };
  const hub = new MarketHub({
    publishUrl: config.HUB_PUBLISH_URL,
    controlUrl: config.HUB_CONTROL_URL,
    broker: deps.broker,
    supportedBrokers: [deps.broker.id],
    streamContext,
    resolveInstrument: (symbol, exchange) => deps.symbols.resolve(symbol, exchange),
    authenticate: async (apiKey) => {
      const identity = await deps.apiKeys.verify(apiKey);
      if (!identity) {
        return null;
      }
      return { userId: identity.userId, username: await usernameOf(identity.userId) };
    },
    logger: logger.child({ component: 'market-hub' }),
    now: deps.now,
    feed: {
      staleAfterMs: config.FEED_STALE_SECONDS * 1_000,
      maxInstrumentsPerConnection: deps.broker.limits.instrumentsPerStream,
      maxConnections: deps.broker.limits.maxStreamConnections,
    },
    orderHistory: config.ORDER_UPDATE_HISTORY,
  });

  // One chain for all users keeps each user's updates in the order the bus emitted them.
  let chain: Promise<void> = Promise.resolve();
  const publish = (event: OrderEvent) => {
    chain = chain
      .then(async () => {
        hub.publishOrderUpdate(event.userId, toOrderUpdate(event, await usernameOf(event.userId)));
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'order update not published'));
  };
  const offs = ORDER_EVENTS.map((name) => deps.events.on(name, publish));
  return {
    hub,
    stop: () => {
      for (const off of offs) {
        off();
      }
    },
  };
}

/** The order fields of an `order_update` push, with its mode and the broker that holds the order. */
export function orderUpdateFields(event: OrderEvent) {
  return {
    orderid: event.orderid,
    symbol: event.symbol,
    exchange: event.exchange,
    action: event.action,
    quantity: event.quantity,
    price: event.price,
    trigger_price: event.trigger_price,
    pricetype: event.pricetype,
    product: event.product,
    order_status: event.order_status,
    filled_quantity: event.filled_quantity,
    pending_quantity: event.pending_quantity,
    average_price: event.average_price,
    rejection_reason: event.rejection_reason,
    mode: event.mode,
    broker: event.mode === 'analyze' ? 'sandbox' : event.broker,
  };
}

/** An order event as OpenAlgo's `order_update` push (§9.3), before the hub adds `seq`. */
export function toOrderUpdate(event: OrderEvent, username: string): Omit<WsOrderUpdateFrame, 'seq' | 'type'> {
  return { user_id: username, ...orderUpdateFields(event), timestamp: event.timestamp };
}
