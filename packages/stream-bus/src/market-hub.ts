import type { BrokerCapabilities, BrokerStreams, Logger, StreamContext } from '@openalgo/broker-sdk';
import type {
  FeedState,
  ResolvedInstrument,
  StreamMode,
  Tick,
  WsMode,
  WsOrderUpdateFrame,
} from '@openalgo/shared-types';
import { Router, XPublisher } from 'zeromq';
import {
  type AuthenticateReply,
  type BrokerInfo,
  type ControlReplies,
  type ControlRequest,
  controlRequestSchema,
  type FeedStatusMessage,
  type OrdersReply,
  type ResolvedEntry,
} from './control.js';
import { FeedPool, type FeedPoolOptions } from './feed-pool.js';
import { projectTick } from './project-tick.js';
import { SendQueue } from './send-queue.js';
import {
  FEED_TOPIC,
  instrumentKey,
  MARKET_PREFIX,
  type MarketTopic,
  MODE_OF_RANK,
  orderTopic,
  parseMarketTopic,
  parseOrderTopic,
  RANK_OF_MODE,
} from './topics.js';

export interface HubIdentity {
  userId: number;
  username: string;
}

/** Someone in the hub's own process that wants a topic's payloads (the UI event socket). */
export type LocalTickListener = (payload: string, topic: MarketTopic) => void;
export type LocalOrderListener = (update: WsOrderUpdateFrame) => void;

export interface MarketHubOptions {
  /** Where the XPUB socket binds, e.g. `tcp://127.0.0.1:5555`. */
  publishUrl: string;
  /** Where the control ROUTER binds, e.g. `tcp://127.0.0.1:5556`. */
  controlUrl: string;
  broker: { id: string; streams: BrokerStreams; capabilities: BrokerCapabilities };
  /** `get_supported_brokers` (OpenAlgo's VALID_BROKERS). */
  supportedBrokers?: readonly string[];
  /** The call context the feed runs under (a fresh session each time it is asked). */
  streamContext: () => Promise<StreamContext>;
  resolveInstrument: (symbol: string, exchange: string) => ResolvedInstrument | undefined;
  authenticate: (apiKey: string) => Promise<HubIdentity | null>;
  logger: Logger;
  now?: () => number;
  feed?: Pick<
    FeedPoolOptions,
    'maxInstrumentsPerConnection' | 'maxConnections' | 'backoff' | 'staleAfterMs' | 'recycleAfterMs'
  >;
  /** Order updates kept per user for replay. Default 1,000. */
  orderHistory?: number;
  /** Status heartbeat on `sys|feed|`. Default 2 s. */
  heartbeatMs?: number;
  /** Messages queued for the XPUB socket before the oldest is dropped. Default 100,000. */
  sendQueueLimit?: number;
}

interface TopicState {
  topic: string;
  frame: Buffer;
  parsed: MarketTopic;
  /** Some ws-proxy subscribes (ZeroMQ tells the first subscriber and the last to leave). */
  isRemote: boolean;
  local: Set<LocalTickListener>;
  instrument: InstrumentState | null;
}

interface InstrumentState {
  instrument: ResolvedInstrument;
  /** Active topics of this instrument, lowest mode first. */
  topics: TopicState[];
  modeCounts: Map<StreamMode, number>;
}

interface UserOrders {
  seq: number;
  updates: WsOrderUpdateFrame[];
  local: Set<LocalOrderListener>;
  /**
   * Some proxy follows this user's updates: its subscription reached the XPUB socket, or it
   * asked for the replay (which it does right after subscribing, so an update published
   * before the subscription message is read is sent, not lost). Without one, an update is
   * kept for replay but neither encoded nor sent.
   */
  isFollowed: boolean;
}

const META: Record<WsMode, Buffer> = { 1: Buffer.from([1]), 2: Buffer.from([2]), 3: Buffer.from([3]) };
const EMPTY = Buffer.alloc(0);

/**
 * The market-data hub: runs the broker's streaming adapter, publishes normalized ticks on a
 * ZeroMQ XPUB socket (one topic per exchange + symbol + mode, see topics.ts) and answers the
 * proxies' control requests. Broker subscriptions follow XPUB subscription messages: ZeroMQ
 * reports a topic's first subscriber and its last leaving across every connected proxy, so the
 * hub holds the one authoritative reference count. Order updates are sequenced per user and
 * kept for replay.
 */
export class MarketHub {
  readonly #options: MarketHubOptions;
  readonly #now: () => number;
  readonly #topics = new Map<string, TopicState>();
  readonly #instruments = new Map<string, InstrumentState>();
  readonly #orders = new Map<number, UserOrders>();
  #xpub: XPublisher | null = null;
  #router: Router | null = null;
  #pubQueue: SendQueue | null = null;
  #routerQueue: SendQueue | null = null;
  #pool: FeedPool | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #isClosed = false;
  #feedState: FeedState = 'down';
  #feedMessage = 'no subscriptions yet';
  readonly #statusListeners = new Set<(status: FeedStatusMessage) => void>();
  #orderFramesSent = 0;

  constructor(options: MarketHubOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The bound XPUB endpoint (the real port when bound to `:*` or `:0`). */
  get publishEndpoint(): string {
    return this.#xpub?.lastEndpoint ?? this.#options.publishUrl;
  }

  get controlEndpoint(): string {
    return this.#router?.lastEndpoint ?? this.#options.controlUrl;
  }

  get brokerId(): string {
    return this.#options.broker.id;
  }

  /** Binds both sockets and starts serving. */
  async start(): Promise<void> {
    const { logger } = this.#options;
    const xpub = new XPublisher({ linger: 0, sendHighWaterMark: 100_000, noDrop: false });
    const router = new Router({ linger: 0, mandatory: false });
    await xpub.bind(this.#options.publishUrl);
    await router.bind(this.#options.controlUrl);
    this.#xpub = xpub;
    this.#router = router;
    this.#pubQueue = new SendQueue(xpub, {
      limit: this.#options.sendQueueLimit ?? 100_000,
      logger,
      name: 'hub-xpub',
    });
    this.#routerQueue = new SendQueue(router, { limit: 100_000, logger, name: 'hub-control' });
    const factory = this.#options.broker.streams.marketData;
    if (factory) {
      this.#pool = new FeedPool({
        factory,
        context: this.#options.streamContext,
        logger: logger.child({ component: 'feed' }),
        now: this.#now,
        onTick: (tick) => this.#onTick(tick),
        onStatus: (state, message) => this.#onFeedStatus(state, message),
        ...this.#options.feed,
      });
    }
    void this.#readSubscriptions(xpub);
    void this.#serveControl(router);
    this.#heartbeat = setInterval(() => this.#publishStatus(), this.#options.heartbeatMs ?? 2_000);
    this.#heartbeat.unref();
    logger.info(
      { publishUrl: this.publishEndpoint, controlUrl: this.controlEndpoint, broker: this.brokerId },
      'market-data hub listening',
    );
  }

  async close(): Promise<void> {
    if (this.#isClosed) {
      return;
    }
    this.#isClosed = true;
    if (this.#heartbeat) {
      clearInterval(this.#heartbeat);
    }
    await this.#pool?.close();
    this.#pubQueue?.close();
    this.#routerQueue?.close();
    this.#xpub?.close();
    this.#router?.close();
  }

  /** Reopens the broker feed at once under a fresh session (call it after a broker login). */
  reconnectFeed(reason = 'broker session changed'): void {
    this.#pool?.reconnectNow(reason);
  }

  /** The feed's health as the proxies see it. */
  status(): FeedStatusMessage {
    return {
      state: this.#feedState,
      broker: this.brokerId,
      message: this.#feedMessage,
      connections: this.#pool?.connectionCount ?? 0,
      topics: [...this.#topics.values()].filter((topic) => topic.instrument !== null).length,
      lastTickAt: this.#pool?.lastTickAt ?? 0,
      at: this.#now(),
    };
  }

  onStatus(listener: (status: FeedStatusMessage) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** The broker facts a proxy reports in `auth` and `broker_info`. */
  brokerInfo(): BrokerInfo {
    return {
      broker: this.brokerId,
      brokers: [...(this.#options.supportedBrokers ?? [this.brokerId])],
      depthLevels: [...this.#options.broker.capabilities.streamDepthLevels],
      maxSymbols: this.#pool?.capacity ?? 0,
    };
  }

  // ------------------------------------------------------------------ in-process consumers

  /** Subscribes in-process to a market topic; shares the broker subscription with the proxies. */
  subscribeLocal(topic: string, listener: LocalTickListener): () => void {
    const state = this.#topicState(topic);
    if (!state) {
      return () => undefined;
    }
    state.local.add(listener);
    this.#refresh(state);
    return () => {
      state.local.delete(listener);
      this.#refresh(state);
    };
  }

  /** Checks symbols for a subscribe (exists, capacity, depth level), as proxies do over control. */
  resolve(
    entries: ReadonlyArray<{ symbol: string; exchange: string }>,
    mode: WsMode,
    depth?: number,
  ): ResolvedEntry[] {
    const levels = this.#options.broker.capabilities.streamDepthLevels;
    const pool = this.#pool;
    return entries.map(({ symbol, exchange }): ResolvedEntry => {
      if (!pool) {
        return { symbol, exchange, ok: false, message: `${this.brokerId} does not stream market data` };
      }
      const instrument = this.#options.resolveInstrument(symbol, exchange);
      if (!instrument) {
        return { symbol, exchange, ok: false, message: `Symbol ${symbol} not found on ${exchange}` };
      }
      if (!pool.canHold(exchange, symbol)) {
        return {
          symbol,
          exchange,
          ok: false,
          message: `Maximum capacity reached: ${pool.capacity} symbols. Currently subscribed to ${pool.instrumentCount} symbols.`,
        };
      }
      if (mode !== 3) {
        return { symbol, exchange, ok: true };
      }
      return { symbol, exchange, ok: true, depth: pickDepth(levels, depth ?? 5) };
    });
  }

  // ------------------------------------------------------------------ order updates

  /** Sequences a user's order update, keeps it for replay and publishes it on `ord|<user>|`. */
  publishOrderUpdate(userId: number, update: Omit<WsOrderUpdateFrame, 'seq' | 'type'>): WsOrderUpdateFrame {
    const log = this.#userOrders(userId);
    log.seq += 1;
    const frame: WsOrderUpdateFrame = { type: 'order_update', ...update, seq: log.seq };
    log.updates.push(frame);
    const keep = this.#options.orderHistory ?? 1_000;
    if (log.updates.length > keep) {
      log.updates.splice(0, log.updates.length - keep);
    }
    if (log.isFollowed && this.#pubQueue) {
      this.#pubQueue.push([orderTopic(userId), EMPTY, JSON.stringify(frame)]);
      this.#orderFramesSent += 1;
    }
    for (const listener of log.local) {
      listener(frame);
    }
    return frame;
  }

  /** Order-update frames handed to the XPUB socket so far (none while no proxy follows the user). */
  get orderFramesSent(): number {
    return this.#orderFramesSent;
  }

  onOrderUpdate(userId: number, listener: LocalOrderListener): () => void {
    const log = this.#userOrders(userId);
    log.local.add(listener);
    return () => log.local.delete(listener);
  }

  /** A user's updates after `since`, oldest first. */
  ordersSince(userId: number, since: number): Omit<OrdersReply, 'ok'> {
    const log = this.#orders.get(userId);
    if (!log) {
      return { updates: [], seq: 0, truncated: false };
    }
    const updates = log.updates.filter((update) => update.seq > since);
    const first = log.updates[0]?.seq ?? log.seq + 1;
    return { updates, seq: log.seq, truncated: since < first - 1 && since < log.seq };
  }

  #userOrders(userId: number): UserOrders {
    let log = this.#orders.get(userId);
    if (!log) {
      log = { seq: 0, updates: [], local: new Set(), isFollowed: false };
      this.#orders.set(userId, log);
    }
    return log;
  }

  // ------------------------------------------------------------------ ticks

  #onTick(tick: Tick): void {
    const state = this.#instruments.get(instrumentKey(tick.exchange, tick.symbol));
    if (!state) {
      return;
    }
    const rich = RANK_OF_MODE[tick.mode];
    const meta = META[rich];
    for (const topic of state.topics) {
      if (topic.parsed.mode > rich) {
        continue;
      }
      const payload = JSON.stringify(projectTick(tick, topic.parsed.mode, topic.parsed.depth));
      if (topic.isRemote) {
        this.#pubQueue?.push([topic.frame, meta, payload]);
      }
      for (const listener of topic.local) {
        try {
          listener(payload, topic.parsed);
        } catch (error) {
          this.#options.logger.warn({ err: error }, 'local tick listener failed');
        }
      }
    }
  }

  // ------------------------------------------------------------------ subscriptions

  async #readSubscriptions(xpub: XPublisher): Promise<void> {
    try {
      for await (const [message] of xpub) {
        if (!message || message.length === 0) {
          continue;
        }
        const isSubscribe = message[0] === 1;
        const topic = message.subarray(1).toString('utf8');
        if (!topic.startsWith(MARKET_PREFIX)) {
          const userId = parseOrderTopic(topic);
          if (userId !== undefined) {
            this.#userOrders(userId).isFollowed = isSubscribe;
          }
          continue; // order and status topics need nothing from the broker
        }
        const state = this.#topicState(topic);
        if (!state) {
          this.#options.logger.debug({ topic }, 'malformed topic subscription ignored');
          continue;
        }
        state.isRemote = isSubscribe;
        this.#refresh(state);
      }
    } catch (error) {
      if (!this.#isClosed) {
        this.#options.logger.error({ err: error }, 'hub subscription reader stopped');
      }
    }
  }

  #topicState(topic: string): TopicState | undefined {
    let state = this.#topics.get(topic);
    if (state) {
      return state;
    }
    const parsed = parseMarketTopic(topic);
    if (!parsed) {
      return undefined;
    }
    state = { topic, frame: Buffer.from(topic), parsed, isRemote: false, local: new Set(), instrument: null };
    this.#topics.set(topic, state);
    return state;
  }

  /** Brings the broker in line with whether anyone still wants this topic. */
  #refresh(state: TopicState): void {
    const isWanted = state.isRemote || state.local.size > 0;
    if (isWanted && !state.instrument) {
      this.#activate(state);
    } else if (!isWanted) {
      if (state.instrument) {
        this.#deactivate(state);
      }
      this.#topics.delete(state.topic);
    }
  }

  #activate(state: TopicState): void {
    const pool = this.#pool;
    const { exchange, symbol, mode, depth } = state.parsed;
    const instrument = this.#options.resolveInstrument(symbol, exchange);
    if (!pool || !instrument) {
      this.#options.logger.debug({ topic: state.topic }, 'subscription to an unknown instrument ignored');
      return;
    }
    const key = instrumentKey(exchange, symbol);
    let entry = this.#instruments.get(key);
    if (!entry) {
      if (!pool.canHold(exchange, symbol)) {
        this.#options.logger.warn({ topic: state.topic }, 'feed at capacity; subscription not served');
        return;
      }
      entry = { instrument, topics: [], modeCounts: new Map() };
      this.#instruments.set(key, entry);
    }
    entry.topics.push(state);
    entry.topics.sort((left, right) => left.parsed.mode - right.parsed.mode);
    state.instrument = entry;
    const streamMode = MODE_OF_RANK[mode];
    const count = entry.modeCounts.get(streamMode) ?? 0;
    entry.modeCounts.set(streamMode, count + 1);
    if (count === 0 || mode === 3) {
      pool.add({
        instrument,
        mode: streamMode,
        ...(mode === 3 ? { depthLevel: this.#depthOf(entry, depth) } : {}),
      });
    }
  }

  #deactivate(state: TopicState): void {
    const entry = state.instrument;
    state.instrument = null;
    if (!entry || !this.#pool) {
      return;
    }
    entry.topics = entry.topics.filter((topic) => topic !== state);
    const streamMode = MODE_OF_RANK[state.parsed.mode];
    const count = (entry.modeCounts.get(streamMode) ?? 1) - 1;
    if (count <= 0) {
      entry.modeCounts.delete(streamMode);
      this.#pool.remove(entry.instrument, streamMode);
    } else {
      entry.modeCounts.set(streamMode, count);
      if (streamMode === 'depth') {
        this.#pool.add({
          instrument: entry.instrument,
          mode: 'depth',
          depthLevel: this.#depthOf(entry, undefined),
        });
      }
    }
    if (entry.topics.length === 0) {
      this.#instruments.delete(instrumentKey(entry.instrument.exchange, entry.instrument.symbol));
    }
  }

  /** The depth level the broker is asked for: the largest any topic of the instrument wants. */
  #depthOf(entry: InstrumentState, extra: number | undefined): number {
    let level = extra ?? 0;
    for (const topic of entry.topics) {
      if (topic.parsed.mode === 3) {
        level = Math.max(level, topic.parsed.depth ?? 5);
      }
    }
    return level || 5;
  }

  // ------------------------------------------------------------------ status

  #onFeedStatus(state: FeedState, message: string): void {
    this.#feedState = state;
    this.#feedMessage = message;
    this.#options.logger.info({ state, message }, 'broker feed state');
    this.#publishStatus();
  }

  #publishStatus(): void {
    const status = this.status();
    this.#pubQueue?.push([FEED_TOPIC, EMPTY, JSON.stringify(status)]);
    for (const listener of this.#statusListeners) {
      listener(status);
    }
  }

  // ------------------------------------------------------------------ control channel

  async #serveControl(router: Router): Promise<void> {
    try {
      for await (const [identity, body] of router) {
        if (!identity || !body) {
          continue;
        }
        void this.#answer(body).then((reply) => this.#routerQueue?.push([identity, JSON.stringify(reply)]));
      }
    } catch (error) {
      if (!this.#isClosed) {
        this.#options.logger.error({ err: error }, 'hub control channel stopped');
      }
    }
  }

  async #answer(body: Buffer): Promise<{ id: number } & (ControlReplies[ControlRequest['op']] | ErrorReply)> {
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      return { id: -1, ok: false, code: 'BAD_REQUEST', message: 'control request is not JSON' };
    }
    const parsed = controlRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      return {
        id,
        ok: false,
        code: 'BAD_REQUEST',
        message: parsed.error.issues[0]?.message ?? 'bad request',
      };
    }
    const request = parsed.data;
    try {
      switch (request.op) {
        case 'authenticate':
          return { id: request.id, ...(await this.#authenticate(request.apiKey)) };
        case 'resolve':
          return {
            id: request.id,
            ok: true,
            results: this.resolve(request.entries, request.mode, request.depth),
          };
        case 'orders':
          // A proxy asks right after subscribing: follow the user from now on, whether or not
          // its subscription message has been read yet.
          this.#userOrders(request.userId).isFollowed = true;
          return { id: request.id, ok: true, ...this.ordersSince(request.userId, request.since) };
        case 'status':
          return { id: request.id, ok: true, status: this.status(), info: this.brokerInfo() };
      }
    } catch (error) {
      this.#options.logger.error({ err: error, op: request.op }, 'control request failed');
      return { id: request.id, ok: false, code: 'SERVER_ERROR', message: 'hub failed to answer' };
    }
  }

  async #authenticate(apiKey: string): Promise<AuthenticateReply> {
    if (apiKey.length === 0) {
      return { ok: false, code: 'AUTHENTICATION_ERROR', message: 'API key is required' };
    }
    const identity = await this.#options.authenticate(apiKey);
    if (!identity) {
      return { ok: false, code: 'AUTHENTICATION_ERROR', message: 'Invalid API key' };
    }
    return { ok: true, userId: identity.userId, username: identity.username, info: this.brokerInfo() };
  }
}

interface ErrorReply {
  ok: false;
  code: string;
  message: string;
}

/** The depth level served for a request: the asked level if supported, else the nearest below, else the smallest. */
export function pickDepth(levels: readonly number[], requested: number): number {
  if (levels.length === 0) {
    return 5;
  }
  if (levels.includes(requested)) {
    return requested;
  }
  const below = levels.filter((level) => level < requested);
  return below.length > 0 ? Math.max(...below) : Math.min(...levels);
}
