import type {
  Logger,
  MarketDataStream,
  MarketDataStreamFactory,
  StreamContext,
  StreamState,
  StreamSubscription,
} from '@openalgo/broker-sdk';
import { type BackoffPolicy, backoffDelay } from '@openalgo/broker-sdk/ws';
import type { FeedState, ResolvedInstrument, StreamMode, Tick } from '@openalgo/shared-types';
import { instrumentKey } from './topics.js';

export interface FeedPoolOptions {
  factory: MarketDataStreamFactory;
  /** A fresh call context (session) for each broker connection, also after a reconnect. */
  context: () => Promise<StreamContext>;
  logger: Logger;
  now: () => number;
  onTick: (tick: Tick) => void;
  onStatus: (state: FeedState, message: string) => void;
  /** Instruments per broker connection (default: the broker's limit). */
  maxInstrumentsPerConnection?: number;
  /** Broker connections at most (default: the broker's limit). */
  maxConnections?: number;
  backoff?: BackoffPolicy;
  /** Subscribed instruments but no tick for this long: the feed is reported stale. */
  staleAfterMs?: number;
  /** Stale for this long: the broker connections are recycled (a silently dead socket). */
  recycleAfterMs?: number;
}

type DesiredKey = string;

/** One broker connection and the subscriptions it should hold. */
interface Connection {
  index: number;
  stream: MarketDataStream | null;
  state: FeedState;
  /** What this connection should hold (instrument × mode). */
  desired: Map<DesiredKey, StreamSubscription>;
  /** What the current stream was told. */
  sent: Map<DesiredKey, StreamSubscription>;
  /** Distinct instruments assigned here (the broker's per-connection limit counts these). */
  instruments: Map<string, number>;
  attempt: number;
  retryTimer: NodeJS.Timeout | null;
  generation: number;
  offs: Array<() => void>;
}

const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.3,
};

function desiredKey(instrument: ResolvedInstrument, mode: StreamMode): DesiredKey {
  return `${instrumentKey(instrument.exchange, instrument.symbol)}|${mode}`;
}

/**
 * The hub's broker connections: subscriptions spread over as many connections as the broker
 * allows (filled in order, an instrument stays on its connection), changes coalesced into one
 * subscribe/unsubscribe call per connection per turn of the event loop, and a supervisor that
 * recreates a connection that closed, failed to connect or lost its session, with capped
 * exponential backoff and no retry limit, resubscribing everything it held. Broker calls never
 * run on the fan-out path: the pool only records what is wanted and applies it later.
 */
export class FeedPool {
  readonly #options: FeedPoolOptions;
  readonly #connections: Connection[] = [];
  readonly #byInstrument = new Map<string, Connection>();
  readonly #maxPerConnection: number;
  readonly #maxConnections: number;
  #flushScheduled = false;
  #isClosed = false;
  #lastTickAt = 0;
  #state: FeedState = 'down';
  #staleTimer: NodeJS.Timeout | null = null;
  #staleSince = 0;
  /** When subscriptions last changed: a fresh subscription is not stale yet. */
  #lastSubscribeAt = 0;

  constructor(options: FeedPoolOptions) {
    this.#options = options;
    this.#maxPerConnection = Math.max(
      1,
      options.maxInstrumentsPerConnection ?? options.factory.limits.maxInstrumentsPerConnection,
    );
    this.#maxConnections = Math.max(1, options.maxConnections ?? options.factory.limits.maxConnections);
    const staleAfterMs = options.staleAfterMs ?? 30_000;
    this.#staleTimer = setInterval(() => this.#checkStale(), Math.max(50, Math.min(5_000, staleAfterMs / 2)));
    this.#staleTimer.unref();
  }

  get capacity(): number {
    return this.#maxPerConnection * this.#maxConnections;
  }

  get instrumentCount(): number {
    return this.#byInstrument.size;
  }

  get connectionCount(): number {
    return this.#connections.filter((connection) => connection.stream !== null).length;
  }

  get lastTickAt(): number {
    return this.#lastTickAt;
  }

  get state(): FeedState {
    return this.#state;
  }

  /** Whether one more instrument fits (instruments already held always fit). */
  canHold(exchange: string, symbol: string): boolean {
    return this.#byInstrument.has(instrumentKey(exchange, symbol)) || this.#byInstrument.size < this.capacity;
  }

  /** Wants (instrument, mode) streamed; false when every connection is full. */
  add(subscription: StreamSubscription): boolean {
    const key = instrumentKey(subscription.instrument.exchange, subscription.instrument.symbol);
    let connection = this.#byInstrument.get(key);
    if (!connection) {
      connection = this.#connectionWithRoom();
      if (!connection) {
        return false;
      }
      this.#byInstrument.set(key, connection);
    }
    const dKey = desiredKey(subscription.instrument, subscription.mode);
    if (!connection.desired.has(dKey)) {
      connection.instruments.set(key, (connection.instruments.get(key) ?? 0) + 1);
    }
    connection.desired.set(dKey, subscription);
    this.#lastSubscribeAt = this.#options.now();
    this.#scheduleFlush();
    return true;
  }

  /** No longer wants (instrument, mode). Unknown pairs are ignored (idempotent). */
  remove(instrument: ResolvedInstrument, mode: StreamMode): void {
    const key = instrumentKey(instrument.exchange, instrument.symbol);
    const connection = this.#byInstrument.get(key);
    const dKey = desiredKey(instrument, mode);
    if (!connection?.desired.delete(dKey)) {
      return;
    }
    const count = (connection.instruments.get(key) ?? 1) - 1;
    if (count <= 0) {
      connection.instruments.delete(key);
      this.#byInstrument.delete(key);
    } else {
      connection.instruments.set(key, count);
    }
    this.#scheduleFlush();
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    if (this.#staleTimer) {
      clearInterval(this.#staleTimer);
    }
    await Promise.all(this.#connections.map((connection) => this.#teardown(connection)));
    this.#setState('down', 'closed');
  }

  #connectionWithRoom(): Connection | undefined {
    for (const connection of this.#connections) {
      if (connection.instruments.size < this.#maxPerConnection) {
        return connection;
      }
    }
    if (this.#connections.length >= this.#maxConnections) {
      return undefined;
    }
    const connection: Connection = {
      index: this.#connections.length,
      stream: null,
      state: 'connecting',
      desired: new Map(),
      sent: new Map(),
      instruments: new Map(),
      attempt: 0,
      retryTimer: null,
      generation: 0,
      offs: [],
    };
    this.#connections.push(connection);
    void this.#open(connection);
    return connection;
  }

  async #open(connection: Connection): Promise<void> {
    if (this.#isClosed) {
      return;
    }
    const generation = ++connection.generation;
    const { logger } = this.#options;
    connection.state = 'connecting';
    this.#updateState();
    try {
      const context = await this.#options.context();
      if (this.#isClosed || generation !== connection.generation) {
        return;
      }
      const stream = this.#options.factory.create(context);
      connection.stream = stream;
      connection.sent = new Map();
      connection.offs.push(
        stream.onTick((tick) => {
          this.#lastTickAt = this.#options.now();
          this.#options.onTick(tick);
        }),
        stream.onState((state) => this.#onStreamState(connection, generation, state)),
      );
      await stream.connect();
      if (this.#isClosed || generation !== connection.generation) {
        return;
      }
      connection.attempt = 0;
      connection.state = 'connected';
      this.#updateState();
      this.#flushConnection(connection);
    } catch (error) {
      logger.warn({ err: error, connection: connection.index }, 'broker feed connection failed');
      this.#retry(connection, generation, error instanceof Error ? error.message : String(error));
    }
  }

  #onStreamState(connection: Connection, generation: number, state: StreamState): void {
    if (generation !== connection.generation || this.#isClosed) {
      return;
    }
    switch (state.state) {
      case 'connected':
        connection.state = 'connected';
        connection.attempt = 0;
        break;
      case 'reconnecting':
        // The stream redials by itself and resubscribes what it held.
        connection.state = 'reconnecting';
        break;
      case 'stale':
        connection.state = 'stale';
        break;
      case 'closed':
      case 'auth-failed':
        // The stream gave up (or lost its session): a new one, a fresh session, everything again.
        this.#options.logger.warn(
          { connection: connection.index, state: state.state, reason: state.reason },
          'broker feed connection ended; reopening',
        );
        this.#retry(connection, generation, state.reason);
        return;
      case 'connecting':
        break;
    }
    this.#updateState();
  }

  #retry(connection: Connection, generation: number, reason: string): void {
    if (this.#isClosed || generation !== connection.generation || connection.retryTimer) {
      return;
    }
    connection.attempt += 1;
    connection.state = 'reconnecting';
    const delayMs = backoffDelay(connection.attempt, this.#options.backoff ?? DEFAULT_BACKOFF);
    this.#setState('reconnecting', `broker feed reconnecting in ${delayMs} ms: ${reason}`);
    void this.#detach(connection);
    connection.retryTimer = setTimeout(() => {
      connection.retryTimer = null;
      void this.#open(connection);
    }, delayMs);
    connection.retryTimer.unref();
  }

  async #detach(connection: Connection): Promise<void> {
    const stream = connection.stream;
    connection.stream = null;
    connection.sent = new Map();
    for (const off of connection.offs.splice(0)) {
      off();
    }
    await stream?.close().catch(() => undefined);
  }

  async #teardown(connection: Connection): Promise<void> {
    connection.generation += 1;
    if (connection.retryTimer) {
      clearTimeout(connection.retryTimer);
      connection.retryTimer = null;
    }
    await this.#detach(connection);
  }

  /**
   * Reopens every connection now with a fresh context, forgetting the backoff: the broker
   * session changed (a new login), so waiting out a retry meant for the old one only delays
   * the feed.
   */
  reconnectNow(reason: string): void {
    if (this.#isClosed || this.#connections.length === 0) {
      return;
    }
    this.#options.logger.info({ reason }, 'broker feed reconnecting now');
    for (const connection of this.#connections) {
      if (connection.retryTimer) {
        clearTimeout(connection.retryTimer);
        connection.retryTimer = null;
      }
      connection.attempt = 0;
      void this.#detach(connection);
      void this.#open(connection);
    }
    this.#setState('reconnecting', `broker feed reconnecting: ${reason}`);
  }

  /** Recycles every connection (used when the feed stays stale). */
  recycle(reason: string): void {
    for (const connection of this.#connections) {
      if (connection.stream) {
        this.#retry(connection, connection.generation, reason);
      }
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) {
      return;
    }
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      for (const connection of this.#connections) {
        this.#flushConnection(connection);
      }
    });
  }

  /** Tells the broker the difference between what is wanted and what it was told. */
  #flushConnection(connection: Connection): void {
    const stream = connection.stream;
    if (!stream || connection.state === 'connecting') {
      return;
    }
    const toRemove: StreamSubscription[] = [];
    const toAdd: StreamSubscription[] = [];
    for (const [key, subscription] of connection.sent) {
      const wanted = connection.desired.get(key);
      if (!wanted || wanted.depthLevel !== subscription.depthLevel) {
        toRemove.push(subscription);
        connection.sent.delete(key);
      }
    }
    for (const [key, subscription] of connection.desired) {
      if (!connection.sent.has(key)) {
        toAdd.push(subscription);
      }
    }
    const { logger } = this.#options;
    if (toRemove.length > 0) {
      try {
        stream.unsubscribe(toRemove);
      } catch (error) {
        logger.warn({ err: error, count: toRemove.length }, 'broker unsubscribe failed');
      }
    }
    if (toAdd.length > 0) {
      try {
        stream.subscribe(toAdd);
        for (const subscription of toAdd) {
          connection.sent.set(desiredKey(subscription.instrument, subscription.mode), subscription);
        }
      } catch (error) {
        // One bad instrument must not block the others: try them one by one.
        for (const subscription of toAdd) {
          try {
            stream.subscribe([subscription]);
            connection.sent.set(desiredKey(subscription.instrument, subscription.mode), subscription);
          } catch (single) {
            logger.warn(
              {
                err: single,
                symbol: subscription.instrument.symbol,
                exchange: subscription.instrument.exchange,
              },
              'broker refused a subscription',
            );
          }
        }
        if (toAdd.length > 1) {
          logger.debug({ err: error }, 'batched subscribe failed; retried one by one');
        }
      }
    }
  }

  #checkStale(): void {
    if (this.#isClosed) {
      return;
    }
    const staleAfterMs = this.#options.staleAfterMs ?? 30_000;
    const now = this.#options.now();
    const hasSubscriptions = this.#byInstrument.size > 0;
    const isConnected = this.#connections.some((connection) => connection.state === 'connected');
    if (!hasSubscriptions || !isConnected) {
      this.#staleSince = 0;
      this.#updateState();
      return;
    }
    const since = Math.max(this.#lastTickAt, this.#lastSubscribeAt);
    if (now - since < staleAfterMs) {
      this.#staleSince = 0;
      this.#updateState();
      return;
    }
    if (this.#staleSince === 0) {
      this.#staleSince = now;
    }
    this.#setState('stale', `no tick for ${Math.round((now - since) / 1000)} s`);
    const recycleAfterMs = this.#options.recycleAfterMs ?? staleAfterMs * 3;
    if (now - this.#staleSince >= recycleAfterMs) {
      this.#staleSince = now;
      this.#options.logger.warn({ silentMs: now - since }, 'broker feed stale; recycling its connections');
      this.recycle('stale feed');
    }
  }

  #updateState(): void {
    if (this.#connections.length === 0) {
      this.#setState('down', 'no broker connection');
      return;
    }
    const states = this.#connections.map((connection) => connection.state);
    if (states.every((state) => state === 'connected')) {
      if (this.#state !== 'stale' || this.#staleSince === 0) {
        this.#setState('connected', 'broker feed connected');
      }
    } else if (states.includes('reconnecting')) {
      this.#setState('reconnecting', 'broker feed reconnecting');
    } else if (states.includes('connecting')) {
      this.#setState('connecting', 'broker feed connecting');
    } else if (states.includes('stale')) {
      this.#setState('stale', 'broker feed stale');
    }
  }

  #setState(state: FeedState, message: string): void {
    if (state === this.#state) {
      return;
    }
    this.#state = state;
    this.#options.onStatus(state, message);
  }
}
