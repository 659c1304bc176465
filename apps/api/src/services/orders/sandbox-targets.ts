import {
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerContext,
  BrokerError,
  type BrokerOrders,
  type Logger,
  type QuoteResult,
  type Unsubscribe,
} from '@openalgo/broker-sdk';
import { countAnalyzerLogs, type Database, type Kysely } from '@openalgo/db';
import {
  type AdapterTickSource,
  createAdapterTickSource,
  createSandbox,
  type Sandbox,
  type SandboxEvent,
  sandboxSession,
  type TickSource,
} from '@openalgo/sandbox';
import type { ResolvedInstrument, Tick } from '@openalgo/shared-types';
import type { RequestAuth } from '../../plugins/auth.js';
import type { BrokerCall } from '../broker-gateway.js';
import type { AppEventName, EventBus, OrderEvent } from '../events.js';
import type { AnalyzerTargets, OrderTarget } from './order-target.js';

/** What the sandbox does: every order, book and GTT duty; no market data or margin of its own. */
export const SANDBOX_CAPABILITIES: BrokerCapabilities = {
  placeOrder: true,
  modifyOrder: true,
  cancelOrder: true,
  fetchOrders: true,
  fetchOrder: true,
  fetchTrades: true,
  fetchPositions: true,
  fetchHoldings: true,
  fetchFunds: true,
  cancelAllOrders: true,
  closeAllPositions: true,
  marketOrder: true,
  stopLossMarketOrder: true,
  afterMarketOrder: true,
  iocValidity: true,
  fetchQuotes: false,
  fetchDepth: false,
  fetchHistory: false,
  historyOpenInterest: false,
  streamMarketData: false,
  streamDepthLevels: [],
  streamOrderUpdates: false,
  gtt: true,
  marginCalculator: false,
  basketMargin: false,
  positionsIncludeLtp: true,
};

export interface BrokerFeedOptions {
  adapter: BrokerAdapter;
  logger: Logger;
  /** A call context when no request has brought one yet (jobs at start, the operator's session). */
  resolveContext: () => Promise<BrokerContext | null>;
  /** Called when the sandbox starts watching prices (the simulator ticks only once started). */
  onWatch?: () => void;
}

/**
 * The sandbox's prices: the connected broker's tick stream (LTP mode) and REST quotes, over
 * the session of whoever last used the analyzer (single operator). A new session (re-login)
 * replaces the stream and re-subscribes what the sandbox watches.
 */
export class BrokerFeed implements TickSource {
  readonly #options: BrokerFeedOptions;
  readonly #listeners = new Set<(tick: Tick) => void>();
  readonly #watched = new Map<string, ResolvedInstrument>();
  #context: BrokerContext | null = null;
  #source: AdapterTickSource | null = null;
  #ready: Promise<void> = Promise.resolve();
  #isClosed = false;

  constructor(options: BrokerFeedOptions) {
    this.#options = options;
  }

  /** Follows the caller's live session; cheap when it is the one in use. */
  attach(context: BrokerContext): void {
    if (this.#isClosed || this.#context?.session.accessToken === context.session.accessToken) {
      return;
    }
    const { signal: _signal, ...withoutSignal } = context;
    this.#context = withoutSignal;
    const previous = this.#source;
    const source = createAdapterTickSource(this.#options.adapter, withoutSignal);
    this.#source = source;
    source.onTick((tick) => {
      for (const listener of this.#listeners) {
        listener(tick);
      }
    });
    this.#ready = source
      .connect()
      .then(() => {
        if (this.#source === source && this.#watched.size > 0) {
          source.watch([...this.#watched.values()]);
        }
      })
      .catch((error: unknown) => {
        this.#options.logger.warn({ err: error }, 'sandbox price stream did not connect');
      });
    if (previous) {
      void previous.close().catch(() => undefined);
    }
  }

  async #ensureContext(): Promise<BrokerContext | null> {
    if (!this.#context) {
      try {
        const context = await this.#options.resolveContext();
        if (context) {
          this.attach(context);
        }
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'sandbox found no broker session for prices');
      }
    }
    return this.#context;
  }

  onTick(listener: (tick: Tick) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async fetchQuotes(instruments: readonly ResolvedInstrument[]): Promise<readonly QuoteResult[]> {
    if (instruments.length === 0) {
      return [];
    }
    const context = await this.#ensureContext();
    const source = this.#source;
    if (!context || !source) {
      throw new BrokerError('No broker session: log in to the broker for analyzer prices', {
        context: { mode: 'analyze' },
      });
    }
    return source.fetchQuotes(instruments);
  }

  watch(instruments: readonly ResolvedInstrument[]): void {
    if (instruments.length > 0) {
      this.#options.onWatch?.();
    }
    for (const instrument of instruments) {
      this.#watched.set(`${instrument.exchange}:${instrument.symbol}`, instrument);
    }
    const source = this.#source;
    if (source) {
      void this.#ready.then(() => {
        if (this.#source === source) {
          source.watch(instruments);
        }
      });
    } else {
      void this.#ensureContext();
    }
  }

  unwatch(instruments: readonly ResolvedInstrument[]): void {
    for (const instrument of instruments) {
      this.#watched.delete(`${instrument.exchange}:${instrument.symbol}`);
    }
    const source = this.#source;
    if (source) {
      void this.#ready.then(() => {
        if (this.#source === source) {
          source.unwatch(instruments);
        }
      });
    }
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    const source = this.#source;
    this.#source = null;
    await source?.close().catch(() => undefined);
  }
}

export interface SandboxAnalyzerOptions {
  database: { db: Kysely<Database>; sandboxSchema: string };
  feed: BrokerFeed;
  logger: Logger;
  now: () => number;
  events: EventBus;
  /** Seeded into the sandbox settings on first start (rupees). */
  startingCapital: string;
  sessionExpiryTime: string;
  /** Orders of one account that may wait in its lane before new ones are refused (429). */
  maxQueuedWrites?: number;
  /** The longest expected wait in an account's lane at which an order still joins it (ms). */
  maxLaneWaitMs?: number;
  contractValueOf?: (instrument: ResolvedInstrument) => string | undefined;
  /** Run the scheduled jobs (square-off, settlement, resets) on the clock; default true. */
  isScheduled?: boolean;
}

const EVENT_OF_STATUS: Partial<Record<string, AppEventName>> = {
  complete: 'order.filled',
  cancelled: 'order.cancelled',
};

/**
 * Analyzer mode served by the sandbox (`@openalgo/sandbox`): a virtual broker on its own
 * schema, filled by the connected broker's ticks, with its scheduled jobs running on the
 * app's clock from start-up. Each OpenAlgo user is one sandbox account.
 */
export class SandboxAnalyzerTargets implements AnalyzerTargets {
  readonly name = 'sandbox';
  readonly sandbox: Sandbox;
  readonly feed: BrokerFeed;
  readonly #options: SandboxAnalyzerOptions;
  readonly #contexts = new Map<number, BrokerContext>();
  /** Cancellations asked for by a request: the order service announces those itself. */
  readonly #requestedCancels = new Set<string>();
  readonly #orders: BrokerOrders;
  #stopEvents: Unsubscribe | null = null;

  constructor(options: SandboxAnalyzerOptions) {
    this.#options = options;
    this.feed = options.feed;
    this.sandbox = createSandbox({
      database: options.database,
      ticks: options.feed,
      logger: options.logger,
      now: options.now,
      startingCapital: options.startingCapital,
      sessionExpiryTime: options.sessionExpiryTime,
      ...(options.maxQueuedWrites ? { maxQueuedWrites: options.maxQueuedWrites } : {}),
      ...(options.maxLaneWaitMs ? { maxLaneWaitMs: options.maxLaneWaitMs } : {}),
      ...(options.contractValueOf ? { contractValueOf: options.contractValueOf } : {}),
      isScheduled: options.isScheduled ?? true,
    });
    const base = this.sandbox.orders;
    this.#orders = {
      ...base,
      cancelOrder: async (ref, context) => {
        this.#requestedCancels.add(ref.orderId);
        try {
          return await base.cancelOrder(ref, context);
        } finally {
          this.#requestedCancels.delete(ref.orderId);
        }
      },
    };
  }

  async start(): Promise<void> {
    this.#stopEvents = this.sandbox.onEvent((event) => this.#publish(event));
    await this.sandbox.start();
  }

  /** Sandbox transitions as the app's order events (the order service announces placements). */
  #publish(event: SandboxEvent): void {
    if (event.type !== 'order_update') {
      return;
    }
    const { order } = event;
    // Placements, modifications and requested cancels are announced by the order service;
    // fills and the engine's own cancels (square-off, expiry) only happen here.
    const name = EVENT_OF_STATUS[order.order_status];
    if (!name || (name === 'order.cancelled' && this.#requestedCancels.has(order.orderid))) {
      return;
    }
    const payload: OrderEvent = {
      userId: event.userId,
      mode: 'analyze',
      broker: 'sandbox',
      orderid: order.orderid,
      symbol: order.symbol,
      exchange: order.exchange,
      action: order.action,
      quantity: order.quantity,
      price: order.price,
      trigger_price: order.trigger_price,
      pricetype: order.pricetype,
      product: order.product,
      order_status: order.order_status,
      filled_quantity: order.filled_quantity,
      pending_quantity: order.pending_quantity,
      average_price: order.average_price,
      rejection_reason: order.rejection_reason,
      strategy: order.strategy,
      timestamp: this.#options.now(),
    };
    this.#options.events.emit(name, payload);
  }

  #contextOf(userId: number): BrokerContext {
    let context = this.#contexts.get(userId);
    if (!context) {
      const { logger, now } = this.#options;
      context = {
        session: sandboxSession(userId, now()),
        logger,
        now,
        resolveBrokerInstrument: () => undefined,
      };
      this.#contexts.set(userId, context);
    }
    return context;
  }

  targetFor(auth: RequestAuth, live: BrokerCall | null): OrderTarget {
    // Without a broker session (key-only reads such as /pnl/symbols) the feed keeps what it has.
    if (live) {
      this.feed.attach(live.context);
    }
    return {
      mode: 'analyze',
      broker: 'sandbox',
      capabilities: SANDBOX_CAPABILITIES,
      orders: this.#orders,
      portfolio: this.sandbox.portfolio,
      gtt: this.sandbox.gtt,
      context: this.#contextOf(auth.userId),
    };
  }

  async onModeChange(): Promise<void> {
    // The engine and its jobs run from start-up whatever the switch says: resting sandbox
    // orders keep filling and MIS positions are squared off even while the app is live.
  }

  countLogs(): Promise<number> {
    return countAnalyzerLogs(this.#options.database.db);
  }

  async close(): Promise<void> {
    this.#stopEvents?.();
    await this.sandbox.stop();
    await this.feed.close();
  }
}
