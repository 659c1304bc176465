import {
  BrokerError,
  type BrokerSession,
  type BrokerStreams,
  type Logger,
  type MarketDataStream,
  NetworkError,
  type OrderUpdateStream,
  type StreamContext,
  type StreamState,
  type StreamSubscription,
  TokenExpiredError,
  type Unsubscribe,
} from '@openalgo/broker-sdk';
import type { OrderUpdate, StreamMode, Tick } from '@openalgo/shared-types';
import { LOGIN_AGAIN_MESSAGE } from './errors.js';
import { fromKitePriceType, fromKiteProduct, instrumentToken, integerOf } from './mapping.js';
import { resolveRowInstrument } from './resolve.js';
import type { DecodedFrame, KiteTick } from './ticker-codec.js';
import {
  type KiteStreamMode,
  richerMode,
  TickerClosedError,
  type TickerSettings,
  TickerSocket,
  type WebSocketConstructor,
} from './ticker-socket.js';
import { parseKiteTime } from './time.js';
import { kiteOrderSchema, kiteTickerTextSchema } from './zerodha-api-schemas.js';

/**
 * Kite's ticker as our market-data and order-update streams. All streams of one session share a
 * hub of at most `maxConnections` sockets with at most `maxInstrumentsPerConnection` tokens each
 * (Kite: 3 × 3,000 per API key); order updates arrive as text frames on the same sockets and are
 * read from the first one only, so each update is delivered once.
 */

export const KITE_MAX_INSTRUMENTS_PER_CONNECTION = 3_000;
export const KITE_MAX_CONNECTIONS = 3;

const TO_KITE_MODE: Record<StreamMode, KiteStreamMode> = { ltp: 'ltp', quote: 'quote', depth: 'full' };

type Listener<T> = (value: T) => void;

function emit<T>(listeners: ReadonlySet<Listener<T>>, value: T, logger: Logger): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (error) {
      logger.error({ error: String(error) }, 'kite stream listener threw');
    }
  }
}

/** Our tick from a decoded Kite tick, for one subscribed instrument. */
export function toTick(tick: KiteTick, symbol: string, exchange: Tick['exchange'], receivedAt: number): Tick {
  const mode: Tick['mode'] =
    tick.mode === 'ltp' ? 'ltp' : tick.mode === 'full' && tick.depth ? 'depth' : 'quote';
  const result: Tick = { symbol, exchange, mode, ltp: tick.lastPrice, timestamp: receivedAt };
  if (tick.mode === 'ltp') {
    return result;
  }
  result.open = tick.open;
  result.high = tick.high;
  result.low = tick.low;
  result.close = tick.close;
  if (tick.volume !== undefined) {
    result.volume = tick.volume;
    result.average_price = tick.averagePrice;
    result.last_quantity = tick.lastQuantity;
    result.total_buy_quantity = tick.totalBuyQuantity;
    result.total_sell_quantity = tick.totalSellQuantity;
  }
  if (tick.lastTradeTime !== undefined) {
    result.ltt = tick.lastTradeTime;
  } else if (tick.exchangeTime !== undefined && !tick.isTradable) {
    result.ltt = tick.exchangeTime;
  }
  if (tick.oi !== undefined) {
    result.oi = tick.oi;
  }
  if (tick.depth) {
    result.depth = tick.depth;
  }
  return result;
}

/** Kite order statuses for push updates (streaming.md §9.2): unknown ones pass lower-cased. */
export function toUpdateStatus(status: string | null | undefined): string {
  const text = (status ?? '').trim().toUpperCase();
  switch (text) {
    case 'COMPLETE':
    case 'REJECTED':
    case 'CANCELLED':
    case 'TRIGGER PENDING':
      return text.toLowerCase();
    case 'OPEN':
    case 'UPDATE':
      return 'open';
    default:
      return text.endsWith('PENDING') || text.endsWith('REQ RECEIVED') ? 'open' : text.toLowerCase();
  }
}

function toOrderUpdate(data: unknown, context: StreamContext): OrderUpdate | undefined {
  const parsed = kiteOrderSchema.safeParse(data);
  if (!parsed.success || parsed.data.order_id === null || parsed.data.order_id === undefined) {
    return undefined;
  }
  const row = parsed.data;
  const { symbol, exchange } = resolveRowInstrument(context, row.tradingsymbol, row.exchange);
  const quantity = integerOf(row.quantity);
  const filled = integerOf(row.filled_quantity);
  const status = toUpdateStatus(row.status);
  return {
    orderid: String(row.order_id),
    symbol,
    exchange,
    action: row.transaction_type === 'SELL' ? 'SELL' : 'BUY',
    quantity,
    price: Number(row.price ?? 0),
    trigger_price: Number(row.trigger_price ?? 0),
    pricetype: fromKitePriceType(row.order_type),
    product: fromKiteProduct(row.product),
    order_status: status,
    filled_quantity: filled,
    pending_quantity:
      status === 'complete' || status === 'rejected' || status === 'cancelled'
        ? 0
        : Math.max(0, quantity - filled),
    average_price: Number(row.average_price ?? 0),
    rejection_reason: status === 'rejected' ? (row.status_message ?? '') : '',
    timestamp:
      parseKiteTime(row.exchange_update_timestamp) ?? parseKiteTime(row.order_timestamp) ?? context.now(),
  };
}

export interface TickerHubOptions {
  apiKey: string;
  tickerUrl: string;
  WebSocket: WebSocketConstructor;
  settings: TickerSettings;
  maxInstrumentsPerConnection: number;
  maxConnections: number;
  logger: Logger;
  /** `false` when Kite rejects the access token. */
  checkSession: (accessToken: string) => Promise<boolean>;
}

interface HubClient {
  onKiteTick?(tick: KiteTick): void;
  onOrderText?(data: unknown): void;
  onHubState(state: StreamState): void;
}

/** The sockets of one session, shared by its streams. */
class TickerHub {
  readonly #options: TickerHubOptions;
  #session: BrokerSession;
  readonly #refreshSession: (() => Promise<BrokerSession>) | undefined;
  readonly #sockets: TickerSocket[] = [];
  readonly #clients = new Set<HubClient>();
  /** token → client → wanted mode. */
  readonly #wanted = new Map<number, Map<HubClient, KiteStreamMode>>();
  readonly #onEmpty: () => void;
  #hasRefreshed = false;

  constructor(
    options: TickerHubOptions,
    session: BrokerSession,
    refreshSession: (() => Promise<BrokerSession>) | undefined,
    onEmpty: () => void,
  ) {
    this.#options = options;
    this.#session = session;
    this.#refreshSession = refreshSession;
    this.#onEmpty = onEmpty;
  }

  attach(client: HubClient): Promise<void> {
    this.#clients.add(client);
    return this.#socket(0).whenOpen();
  }

  detach(client: HubClient): void {
    this.#clients.delete(client);
    for (const [token, clients] of this.#wanted) {
      if (clients.delete(client)) {
        this.#update(token, clients);
      }
    }
    if (this.#clients.size === 0) {
      for (const socket of this.#sockets) {
        socket.close('no streams left');
      }
      this.#sockets.length = 0;
      this.#onEmpty();
    }
  }

  /** Sets a client's wanted modes; throws before changing anything when Kite's limits would be exceeded. */
  want(client: HubClient, entries: ReadonlyArray<readonly [number, KiteStreamMode | undefined]>): void {
    const newTokens = new Set<number>();
    for (const [token, mode] of entries) {
      if (mode !== undefined && !this.#wanted.has(token)) {
        newTokens.add(token);
      }
    }
    const capacity = this.#options.maxConnections * this.#options.maxInstrumentsPerConnection;
    if (this.#wanted.size + newTokens.size > capacity) {
      throw new BrokerError(
        `Kite streams at most ${this.#options.maxConnections} connections × ${this.#options.maxInstrumentsPerConnection} instruments = ${capacity}; ${this.#wanted.size} are subscribed and ${newTokens.size} more were asked for`,
        { context: { broker: 'zerodha', limit: capacity, subscribed: this.#wanted.size } },
      );
    }
    for (const [token, mode] of entries) {
      let clients = this.#wanted.get(token);
      if (mode === undefined) {
        if (!clients?.delete(client)) {
          continue;
        }
      } else {
        if (!clients) {
          clients = new Map();
          this.#wanted.set(token, clients);
        }
        clients.set(client, mode);
      }
      this.#update(token, clients);
    }
  }

  /** Tells the token's socket the richest mode any client wants (or none). */
  #update(token: number, clients: Map<HubClient, KiteStreamMode>): void {
    let mode: KiteStreamMode | undefined;
    for (const wanted of clients.values()) {
      mode = richerMode(mode, wanted);
    }
    if (mode === undefined) {
      this.#wanted.delete(token);
    }
    this.#socketFor(token, mode !== undefined)?.want([[token, mode]]);
  }

  /** The socket holding a token, or (when adding) the first socket with room. */
  #socketFor(token: number, isAdding: boolean): TickerSocket | undefined {
    const holder = this.#sockets.find((socket) => socket.has(token));
    if (holder || !isAdding) {
      return holder;
    }
    const limit = this.#options.maxInstrumentsPerConnection;
    for (let index = 0; index < this.#options.maxConnections; index += 1) {
      const socket = this.#socket(index);
      if (socket.size < limit) {
        return socket;
      }
    }
    return undefined;
  }

  #socket(index: number): TickerSocket {
    let socket = this.#sockets[index];
    if (!socket) {
      const isFirst = index === 0;
      socket = new TickerSocket({
        url: () => {
          const url = new URL(this.#options.tickerUrl);
          url.searchParams.set('api_key', this.#options.apiKey);
          url.searchParams.set('access_token', this.#session.accessToken);
          return url.toString();
        },
        WebSocket: this.#options.WebSocket,
        settings: this.#options.settings,
        logger: this.#options.logger.child({ socket: index }),
        onFrame: (frame) => this.#onFrame(frame),
        // Order updates are read from the first socket only: Kite sends them on every socket.
        onText: (text) => (isFirst ? this.#onText(text) : undefined),
        onState: (state) => this.#onState(state),
        checkSession: () => this.#checkSession(),
      });
      this.#sockets[index] = socket;
      socket.start();
    }
    return socket;
  }

  async #checkSession(): Promise<boolean> {
    if (await this.#options.checkSession(this.#session.accessToken)) {
      return true;
    }
    if (this.#refreshSession && !this.#hasRefreshed) {
      this.#hasRefreshed = true;
      try {
        this.#session = await this.#refreshSession();
        return true;
      } catch (error) {
        this.#options.logger.warn({ error: String(error) }, 'kite session refresh failed');
      }
    }
    return false;
  }

  #onFrame(frame: DecodedFrame): void {
    if (frame.problems.length > 0) {
      this.#options.logger.warn({ problems: frame.problems.slice(0, 3) }, 'malformed kite ticker frame');
    }
    for (const tick of frame.ticks) {
      const clients = this.#wanted.get(tick.instrumentToken);
      if (!clients) {
        continue;
      }
      for (const client of clients.keys()) {
        client.onKiteTick?.(tick);
      }
    }
  }

  #onText(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.#options.logger.warn({ length: text.length }, 'kite ticker sent non-JSON text');
      return;
    }
    const parsed = kiteTickerTextSchema.safeParse(message);
    if (!parsed.success) {
      return;
    }
    if (parsed.data.type === 'order') {
      for (const client of this.#clients) {
        client.onOrderText?.(parsed.data.data);
      }
    } else if (parsed.data.type === 'error') {
      this.#options.logger.warn({ message: String(parsed.data.data) }, 'kite ticker error message');
    }
  }

  #onState(state: StreamState): void {
    for (const client of this.#clients) {
      client.onHubState(state);
    }
  }
}

export interface CreateStreamsOptions extends TickerHubOptions {
  now: () => number;
}

/** The market-data and order-update stream factories of one adapter. */
export function createStreams(options: CreateStreamsOptions): BrokerStreams {
  const hubs = new Map<string, TickerHub>();

  function hubFor(context: StreamContext): TickerHub {
    const key = context.session.accessToken;
    let hub = hubs.get(key);
    if (!hub) {
      hub = new TickerHub(options, context.session, context.refreshSession, () => hubs.delete(key));
      hubs.set(key, hub);
    }
    return hub;
  }

  async function attach(hub: TickerHub, client: HubClient): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new NetworkError(`Kite ticker did not open within ${options.settings.connectTimeoutMs} ms`, {
              context: { broker: 'zerodha' },
            }),
          ),
        options.settings.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([hub.attach(client), timeout]);
    } catch (error) {
      hub.detach(client);
      if (error instanceof TickerClosedError && error.isAuthFailure) {
        throw new TokenExpiredError(LOGIN_AGAIN_MESSAGE, { cause: error, context: { broker: 'zerodha' } });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  class ZerodhaMarketDataStream implements MarketDataStream, HubClient {
    readonly #context: StreamContext;
    readonly #tickListeners = new Set<Listener<Tick>>();
    readonly #stateListeners = new Set<Listener<StreamState>>();
    /** token → instrument and the modes our callers asked for. */
    readonly #subscriptions = new Map<
      number,
      { symbol: string; exchange: Tick['exchange']; modes: Set<StreamMode> }
    >();
    #hub: TickerHub | undefined;

    constructor(context: StreamContext) {
      this.#context = context;
    }

    async connect(): Promise<void> {
      if (this.#hub) {
        return;
      }
      const hub = hubFor(this.#context);
      this.#hub = hub;
      try {
        await attach(hub, this);
      } catch (error) {
        this.#hub = undefined;
        throw error;
      }
      this.#push([...this.#subscriptions.keys()]);
    }

    async close(): Promise<void> {
      const hub = this.#hub;
      this.#hub = undefined;
      if (hub) {
        hub.detach(this);
        // The hub's sockets may stay open for other streams: this stream reports its own end.
        emit(this.#stateListeners, { state: 'closed', reason: 'closed by client' }, this.#context.logger);
      }
    }

    subscribe(subscriptions: readonly StreamSubscription[]): void {
      const before = new Map([...this.#subscriptions].map(([token, entry]) => [token, new Set(entry.modes)]));
      const touched: number[] = [];
      for (const { instrument, mode } of subscriptions) {
        const token = instrumentToken(instrument);
        const entry = this.#subscriptions.get(token) ?? {
          symbol: instrument.symbol,
          exchange: instrument.exchange,
          modes: new Set<StreamMode>(),
        };
        entry.modes.add(mode);
        this.#subscriptions.set(token, entry);
        touched.push(token);
      }
      try {
        this.#push(touched);
      } catch (error) {
        // All or nothing: restore what was subscribed before this call.
        for (const token of touched) {
          const modes = before.get(token);
          if (modes) {
            const entry = this.#subscriptions.get(token);
            if (entry) {
              entry.modes = modes;
            }
          } else {
            this.#subscriptions.delete(token);
          }
        }
        throw error;
      }
    }

    unsubscribe(subscriptions: readonly StreamSubscription[]): void {
      const touched: number[] = [];
      for (const { instrument, mode } of subscriptions) {
        const token = instrumentToken(instrument);
        const entry = this.#subscriptions.get(token);
        if (!entry) {
          continue;
        }
        entry.modes.delete(mode);
        if (entry.modes.size === 0) {
          this.#subscriptions.delete(token);
        }
        touched.push(token);
      }
      this.#push(touched);
    }

    onTick(listener: Listener<Tick>): Unsubscribe {
      this.#tickListeners.add(listener);
      return () => this.#tickListeners.delete(listener);
    }

    onState(listener: Listener<StreamState>): Unsubscribe {
      this.#stateListeners.add(listener);
      return () => this.#stateListeners.delete(listener);
    }

    onKiteTick(kiteTick: KiteTick): void {
      const entry = this.#subscriptions.get(kiteTick.instrumentToken);
      if (!entry || this.#tickListeners.size === 0) {
        return;
      }
      emit(
        this.#tickListeners,
        toTick(kiteTick, entry.symbol, entry.exchange, this.#context.now()),
        this.#context.logger,
      );
    }

    onHubState(state: StreamState): void {
      emit(this.#stateListeners, state, this.#context.logger);
    }

    #push(tokens: readonly number[]): void {
      if (!this.#hub || tokens.length === 0) {
        return;
      }
      const entries = [...new Set(tokens)].map((token): readonly [number, KiteStreamMode | undefined] => {
        const modes = this.#subscriptions.get(token)?.modes;
        let mode: KiteStreamMode | undefined;
        for (const wanted of modes ?? []) {
          mode = richerMode(mode, TO_KITE_MODE[wanted]);
        }
        return [token, mode];
      });
      this.#hub.want(this, entries);
    }
  }

  class ZerodhaOrderUpdateStream implements OrderUpdateStream, HubClient {
    readonly #context: StreamContext;
    readonly #updateListeners = new Set<Listener<OrderUpdate>>();
    readonly #stateListeners = new Set<Listener<StreamState>>();
    #hub: TickerHub | undefined;

    constructor(context: StreamContext) {
      this.#context = context;
    }

    async connect(): Promise<void> {
      if (this.#hub) {
        return;
      }
      const hub = hubFor(this.#context);
      this.#hub = hub;
      try {
        await attach(hub, this);
      } catch (error) {
        this.#hub = undefined;
        throw error;
      }
    }

    async close(): Promise<void> {
      const hub = this.#hub;
      this.#hub = undefined;
      if (hub) {
        hub.detach(this);
        // The hub's sockets may stay open for other streams: this stream reports its own end.
        emit(this.#stateListeners, { state: 'closed', reason: 'closed by client' }, this.#context.logger);
      }
    }

    onUpdate(listener: Listener<OrderUpdate>): Unsubscribe {
      this.#updateListeners.add(listener);
      return () => this.#updateListeners.delete(listener);
    }

    onState(listener: Listener<StreamState>): Unsubscribe {
      this.#stateListeners.add(listener);
      return () => this.#stateListeners.delete(listener);
    }

    onOrderText(data: unknown): void {
      const update = toOrderUpdate(data, this.#context);
      if (update) {
        emit(this.#updateListeners, update, this.#context.logger);
      }
    }

    onHubState(state: StreamState): void {
      emit(this.#stateListeners, state, this.#context.logger);
    }
  }

  return {
    marketData: {
      limits: {
        maxInstrumentsPerConnection: options.maxInstrumentsPerConnection,
        maxConnections: options.maxConnections,
        depthLevels: [5],
      },
      create: (context) => new ZerodhaMarketDataStream(context),
    },
    orderUpdates: {
      create: (context) => new ZerodhaOrderUpdateStream(context),
    },
  };
}
