import type { Socket } from 'node:net';
import type { Logger } from '@openalgo/broker-sdk';
import {
  parseWsMode,
  WS_CLOSE_CODES,
  WS_MODE_LABELS,
  type WsErrorCode,
  type WsMode,
  type WsSubscriptionResult,
  type WsUnsubscriptionResult,
  wsAuthenticateRequestSchema,
  wsClientEnvelopeSchema,
  wsPingRequestSchema,
  wsSubscribeOrdersRequestSchema,
  wsSubscriptionRequestSchema,
  wsSymbolEntrySchema,
} from '@openalgo/shared-types';
import {
  type BrokerInfo,
  type HubClient,
  HubRequestError,
  instrumentKey,
  marketTopic,
} from '@openalgo/stream-bus';
import type { WebSocket } from 'ws';
import type { ProxyConfig } from './config.js';
import type { FanOut, Recipient } from './fan-out.js';
import { Outbox, type WriteBatcher } from './outbox.js';
import { jsonFrame } from './ws-frame.js';

export interface ConnectionDeps {
  config: ProxyConfig;
  hub: HubClient;
  fanOut: FanOut;
  batcher: WriteBatcher;
  logger: Logger;
  now: () => number;
  /** The latest broker facts any authentication returned (for unauthenticated requests). */
  brokerInfo: () => BrokerInfo | null;
  rememberBrokerInfo: (info: BrokerInfo) => void;
  /** Called when the connection is gone, so the server forgets it. */
  onClosed: (connection: ClientConnection) => void;
}

interface Identity {
  userId: number;
  username: string;
  info: BrokerInfo;
}

interface Held {
  topic: string;
  instrument: string;
  symbol: string;
  exchange: string;
  mode: WsMode;
}

type Message = Record<string, unknown>;

class ProtocolError extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

let nextConnectionId = 1;

/**
 * One client socket speaking OpenAlgo's protocol (streaming.md §2). Messages are handled
 * strictly in order (each waits for the previous one's hub round trip); a bad message is
 * answered with an error frame and the socket stays open. The connection owns its
 * subscriptions, so closing releases exactly what it took.
 */
export class ClientConnection implements Recipient {
  readonly id = nextConnectionId++;
  readonly #deps: ConnectionDeps;
  readonly #socket: WebSocket;
  readonly outbox: Outbox;
  readonly #held = new Map<string, Held>();
  readonly #modeBits = new Map<string, number>();
  #identity: Identity | null = null;
  #ordersUserId: number | null = null;
  /** While an order replay is being sent, live updates wait here. */
  #orderBacklog: Array<{ seq: number; frame: Buffer }> | null = null;
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #authTimer: NodeJS.Timeout | null;
  #isClosed = false;
  isAlive = true;
  lastPingAt = 0;

  constructor(socket: WebSocket, rawSocket: Socket, deps: ConnectionDeps) {
    this.#deps = deps;
    this.#socket = socket;
    this.outbox = new Outbox({
      socket: rawSocket,
      batcher: deps.batcher,
      highWaterBytes: deps.config.WS_HIGH_WATER_BYTES,
      maxPending: deps.config.WS_MAX_PENDING_MESSAGES,
      isOpen: () => socket.readyState === 1,
      onOverflow: (reason) => this.disconnect(WS_CLOSE_CODES.slowConsumer, `slow consumer: ${reason}`),
    });
    this.#authTimer = setTimeout(() => {
      if (!this.#identity) {
        this.disconnect(WS_CLOSE_CODES.authTimeout, 'auth timeout');
      }
    }, deps.config.WS_AUTH_GRACE_SECONDS * 1_000);
    this.#authTimer.unref();
    socket.on('message', (data, isBinary) => this.#enqueue(data, isBinary));
    socket.on('pong', () => {
      this.isAlive = true;
    });
    socket.on('close', () => this.#release());
    socket.on('error', (error) => {
      deps.logger.debug({ err: error, connection: this.id }, 'client socket error');
    });
  }

  get isAuthenticated(): boolean {
    return this.#identity !== null;
  }

  get subscriptionCount(): number {
    return this.#held.size;
  }

  // ------------------------------------------------------------------ Recipient

  modeBits(instrument: string): number {
    return this.#modeBits.get(instrument) ?? 0;
  }

  deliverTick(topic: string, frame: Buffer): void {
    this.outbox.sendTick(topic, frame, this.#deps.now());
  }

  deliverOrder(seq: number, frame: Buffer): void {
    if (this.#orderBacklog) {
      this.#orderBacklog.push({ seq, frame });
      return;
    }
    this.outbox.sendOrdered(frame, this.#deps.now());
  }

  /** Pushes a frame every subscribed client should see (feed status). */
  notify(frame: Buffer): void {
    if (this.#held.size > 0 || this.#ordersUserId !== null) {
      this.outbox.sendOrdered(frame, this.#deps.now());
    }
  }

  // ------------------------------------------------------------------ lifecycle

  disconnect(code: number, reason: string): void {
    if (this.#isClosed) {
      return;
    }
    this.#deps.logger.info({ connection: this.id, code, reason }, 'closing client connection');
    this.#release();
    try {
      this.#socket.close(code, reason);
    } catch {
      this.#socket.terminate();
      return;
    }
    // A client that does not answer the close handshake (it stopped reading) is cut off.
    setTimeout(() => this.#socket.terminate(), 2_000).unref();
  }

  /** A protocol-level ping (the client's library answers it). */
  ping(): void {
    try {
      this.#socket.ping();
    } catch {
      this.terminate();
    }
  }

  terminate(): void {
    this.#release();
    this.#socket.terminate();
  }

  #release(): void {
    if (this.#isClosed) {
      return;
    }
    this.#isClosed = true;
    if (this.#authTimer) {
      clearTimeout(this.#authTimer);
      this.#authTimer = null;
    }
    for (const held of this.#held.values()) {
      this.#deps.fanOut.remove(held.topic, this);
    }
    this.#held.clear();
    this.#modeBits.clear();
    if (this.#ordersUserId !== null) {
      this.#deps.fanOut.removeOrders(this.#ordersUserId, this);
      this.#ordersUserId = null;
    }
    this.outbox.clear();
    this.#deps.onClosed(this);
  }

  // ------------------------------------------------------------------ messages

  #enqueue(data: unknown, isBinary: boolean): void {
    if (this.#isClosed) {
      return;
    }
    if (this.#queued >= this.#deps.config.WS_MAX_QUEUE) {
      this.disconnect(1008, 'too many requests waiting');
      return;
    }
    this.#queued += 1;
    const text = isBinary ? null : toText(data);
    this.#chain = this.#chain
      .then(() => this.#handle(text))
      .catch((error: unknown) => {
        this.#deps.logger.error({ err: error, connection: this.id }, 'client message failed');
        this.#sendError('SERVER_ERROR', error instanceof Error ? error.message : 'Internal error', undefined);
      })
      .finally(() => {
        this.#queued -= 1;
      });
  }

  async #handle(text: string | null): Promise<void> {
    if (this.#isClosed) {
      return;
    }
    let message: unknown;
    try {
      message = text === null ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    const envelope = wsClientEnvelopeSchema.safeParse(message);
    if (!envelope.success || Array.isArray(message)) {
      this.#sendError('INVALID_JSON', 'Invalid JSON message', undefined);
      return;
    }
    const body = envelope.data as Message;
    const action =
      typeof body.action === 'string' ? body.action : typeof body.type === 'string' ? body.type : undefined;
    const requestId = body.request_id;
    try {
      switch (action) {
        case 'authenticate':
        case 'auth':
          await this.#authenticate(body);
          return;
        case 'ping':
          this.#pong(body);
          return;
        case 'get_supported_brokers':
          await this.#supportedBrokers(requestId);
          return;
        case 'subscribe':
          await this.#subscribe(this.#requireIdentity(), body);
          return;
        case 'unsubscribe':
        case 'unsubscribe_all':
          this.#unsubscribe(
            this.#requireIdentity(),
            body,
            action === 'unsubscribe_all' || body.type === 'unsubscribe_all',
          );
          return;
        case 'subscribe_orders':
          await this.#subscribeOrders(this.#requireIdentity(), body);
          return;
        case 'unsubscribe_orders':
          this.#requireIdentity();
          this.#unsubscribeOrders(requestId);
          return;
        case 'get_broker_info':
          this.#brokerInfoReply(this.#requireIdentity(), requestId);
          return;
        default:
          this.#sendError(
            'INVALID_ACTION',
            `Invalid action: ${action ?? String(body.action ?? body.type)}`,
            requestId,
          );
      }
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#sendError(error.code, error.message, requestId);
        return;
      }
      throw error;
    }
  }

  #requireIdentity(): Identity {
    if (!this.#identity) {
      throw new ProtocolError('NOT_AUTHENTICATED', 'You must authenticate first');
    }
    return this.#identity;
  }

  #send(value: unknown): void {
    this.outbox.sendOrdered(jsonFrame(value), this.#deps.now());
  }

  #sendError(code: WsErrorCode, message: string, requestId: unknown): void {
    this.#send({
      type: 'error',
      status: 'error',
      code,
      message,
      ...(requestId !== undefined ? { request_id: requestId } : {}),
    });
  }

  async #authenticate(body: Message): Promise<void> {
    const request = wsAuthenticateRequestSchema.parse(body);
    const key = typeof request.api_key === 'string' ? request.api_key : request.apikey;
    if (typeof key !== 'string' || key.length === 0) {
      throw new ProtocolError('AUTHENTICATION_ERROR', 'API key is required');
    }
    const answer = await this.#hubCall(() =>
      this.#deps.hub.request('authenticate', { apiKey: key.slice(0, 256) }),
    );
    if (!answer.ok) {
      throw new ProtocolError('AUTHENTICATION_ERROR', answer.message);
    }
    if (this.#isClosed) {
      return;
    }
    if (this.#identity && this.#identity.userId !== answer.userId && this.#ordersUserId !== null) {
      // Re-bound to another user: that user's order stream is not this one's.
      this.#deps.fanOut.removeOrders(this.#ordersUserId, this);
      this.#ordersUserId = null;
    }
    this.#identity = { userId: answer.userId, username: answer.username, info: answer.info };
    this.#deps.rememberBrokerInfo(answer.info);
    if (this.#authTimer) {
      clearTimeout(this.#authTimer);
      this.#authTimer = null;
    }
    this.#send({
      type: 'auth',
      status: 'success',
      message: 'Authentication successful',
      broker: answer.info.broker,
      user_id: answer.username,
      supported_features: { ltp: true, quote: true, depth: answer.info.depthLevels.length > 0 },
    });
  }

  #pong(body: Message): void {
    const request = wsPingRequestSchema.parse(body);
    this.#send({
      type: 'pong',
      status: 'success',
      server_timestamp: this.#deps.now(),
      ...(request.timestamp !== undefined ? { client_timestamp: request.timestamp } : {}),
      ...(request._pingId !== undefined ? { _pingId: request._pingId } : {}),
    });
  }

  async #supportedBrokers(requestId: unknown): Promise<void> {
    let info = this.#identity?.info ?? this.#deps.brokerInfo();
    if (!info) {
      try {
        info = (await this.#deps.hub.request('status', {})).info;
        this.#deps.rememberBrokerInfo(info);
      } catch {
        throw new ProtocolError('BROKER_LIST_ERROR', 'Broker list not available');
      }
    }
    this.#send({
      type: 'supported_brokers',
      status: 'success',
      brokers: info.brokers,
      count: info.brokers.length,
      ...(requestId !== undefined ? { request_id: requestId } : {}),
    });
  }

  #brokerInfoReply(identity: Identity, requestId: unknown): void {
    const status = this.#deps.hub.lastStatus;
    const isFresh = status !== null && this.#deps.now() - status.at < 15_000;
    this.#send({
      type: 'broker_info',
      status: 'success',
      broker: identity.info.broker,
      adapter_status: isFresh ? status.state : 'disconnected',
      user_id: identity.username,
      supported_modes: ['LTP', 'Quote', 'Depth'],
      supported_depth_levels: identity.info.depthLevels,
      max_symbols: identity.info.maxSymbols,
      ...(requestId !== undefined ? { request_id: requestId } : {}),
    });
  }

  async #subscribe(identity: Identity, body: Message): Promise<void> {
    const request = wsSubscriptionRequestSchema.parse(body);
    const mode = parseWsMode(request.mode);
    if (mode === null) {
      throw new ProtocolError(
        'INVALID_MODE',
        `Invalid mode: ${JSON.stringify(request.mode)}. Use 1/2/3 or LTP/Quote/Depth`,
      );
    }
    const entries = readEntries(request);
    if (entries.length === 0) {
      throw new ProtocolError('INVALID_PARAMETERS', 'At least one symbol must be specified');
    }
    const maxSymbols = this.#deps.config.WS_MAX_SYMBOLS_PER_REQUEST;
    if (entries.length > maxSymbols) {
      throw new ProtocolError('INVALID_PARAMETERS', `At most ${maxSymbols} symbols per request`);
    }
    const depthValue = request.depth ?? request.depth_level;
    const depth =
      typeof depthValue === 'number' && Number.isInteger(depthValue) && depthValue > 0 ? depthValue : 5;
    const answer = await this.#hubCall(() =>
      this.#deps.hub.request('resolve', {
        entries: entries.map(({ symbol, exchange }) => ({ symbol, exchange })),
        mode,
        ...(mode === 3 ? { depth: Math.min(depth, 1_000) } : {}),
      }),
    );
    if (this.#isClosed) {
      return;
    }
    const broker = identity.info.broker;
    const results: WsSubscriptionResult[] = answer.results.map((result): WsSubscriptionResult => {
      if (!result.ok) {
        return {
          symbol: result.symbol,
          exchange: result.exchange,
          status: 'error',
          message: result.message ?? 'Subscription failed',
          broker,
        };
      }
      const topic = marketTopic(result.exchange, result.symbol, mode, result.depth);
      this.#hold({
        topic,
        instrument: instrumentKey(result.exchange, result.symbol),
        symbol: result.symbol,
        exchange: result.exchange,
        mode,
      });
      return {
        symbol: result.symbol,
        exchange: result.exchange,
        status: 'success',
        mode: WS_MODE_LABELS[mode],
        depth: result.depth ?? depth,
        broker,
      };
    });
    this.#send({
      type: 'subscribe',
      status: results.every((result) => result.status === 'success') ? 'success' : 'partial',
      subscriptions: results,
      message: 'Subscription processing complete',
      broker,
      ...(request.request_id !== undefined ? { request_id: request.request_id } : {}),
    });
  }

  #hold(held: Held): void {
    if (this.#held.has(held.topic)) {
      return; // an identical subscribe succeeds again without duplicating delivery
    }
    this.#held.set(held.topic, held);
    this.#modeBits.set(held.instrument, (this.#modeBits.get(held.instrument) ?? 0) | (1 << held.mode));
    this.#deps.fanOut.add(held.topic, this);
  }

  /** Releases this connection's subscriptions of an instrument in one mode (all depth levels). */
  #releaseMode(instrument: string, mode: WsMode): void {
    for (const held of [...this.#held.values()]) {
      if (held.instrument === instrument && held.mode === mode) {
        this.#held.delete(held.topic);
        this.#deps.fanOut.remove(held.topic, this);
      }
    }
    let bits = 0;
    for (const held of this.#held.values()) {
      if (held.instrument === instrument) {
        bits |= 1 << held.mode;
      }
    }
    if (bits === 0) {
      this.#modeBits.delete(instrument);
    } else {
      this.#modeBits.set(instrument, bits);
    }
  }

  #unsubscribe(identity: Identity, body: Message, isAll: boolean): void {
    const request = wsSubscriptionRequestSchema.parse(body);
    const broker = identity.info.broker;
    const successful: WsUnsubscriptionResult[] = [];
    const failed: WsUnsubscriptionResult[] = [];
    if (isAll) {
      for (const held of [...this.#held.values()]) {
        this.#releaseMode(held.instrument, held.mode);
        successful.push({
          symbol: held.symbol,
          exchange: held.exchange,
          status: 'success',
          mode: WS_MODE_LABELS[held.mode],
          broker,
        });
      }
    } else {
      const list = Array.isArray(request.symbols)
        ? request.symbols
        : Array.isArray(request.instruments)
          ? request.instruments
          : null;
      // The list form reads each entry's mode, then the top-level one, then Quote (§2.5 fix).
      const topMode = parseWsMode(request.mode);
      if (list && list.length > 0) {
        for (const raw of list) {
          const entry = wsSymbolEntrySchema.safeParse(raw);
          if (
            !entry.success ||
            typeof entry.data.symbol !== 'string' ||
            typeof entry.data.exchange !== 'string'
          ) {
            continue;
          }
          const { symbol, exchange } = entry.data as { symbol: string; exchange: string };
          const mode = entry.data.mode !== undefined ? parseWsMode(entry.data.mode) : (topMode ?? 2);
          if (mode === null) {
            failed.push({
              symbol,
              exchange,
              status: 'error',
              message: `Invalid mode: ${JSON.stringify(entry.data.mode)}`,
              broker,
            });
            continue;
          }
          this.#releaseMode(instrumentKey(exchange, symbol), mode);
          successful.push({ symbol, exchange, status: 'success', mode: WS_MODE_LABELS[mode], broker });
        }
      } else if (typeof request.symbol === 'string' && typeof request.exchange === 'string') {
        if (topMode === null) {
          throw new ProtocolError(
            'INVALID_MODE',
            `Invalid mode: ${JSON.stringify(request.mode)}. Use 1/2/3 or LTP/Quote/Depth`,
          );
        }
        this.#releaseMode(instrumentKey(request.exchange, request.symbol), topMode);
        successful.push({
          symbol: request.symbol,
          exchange: request.exchange,
          status: 'success',
          mode: WS_MODE_LABELS[topMode],
          broker,
        });
      } else {
        throw new ProtocolError('INVALID_PARAMETERS', 'Either symbols or unsubscribe_all is required');
      }
    }
    this.#send({
      type: 'unsubscribe',
      status: failed.length > 0 ? (successful.length > 0 ? 'partial' : 'error') : 'success',
      message: 'Unsubscription processing complete',
      successful,
      failed,
      broker,
      ...(request.request_id !== undefined ? { request_id: request.request_id } : {}),
    });
  }

  async #subscribeOrders(identity: Identity, body: Message): Promise<void> {
    const request = wsSubscribeOrdersRequestSchema.safeParse(body);
    if (!request.success) {
      throw new ProtocolError('INVALID_PARAMETERS', '`since` must be a non-negative integer');
    }
    const { since, request_id: requestId } = request.data;
    if (this.#ordersUserId === identity.userId && since === undefined) {
      this.#send({
        type: 'subscribe_orders',
        status: 'success',
        message: 'Subscribed to order updates',
        ...(requestId !== undefined ? { request_id: requestId } : {}),
      });
      return;
    }
    if (this.#ordersUserId !== null) {
      this.#deps.fanOut.removeOrders(this.#ordersUserId, this);
    }
    this.#ordersUserId = identity.userId;
    this.#orderBacklog = [];
    let answer: Awaited<ReturnType<FanOut['addOrders']>>;
    try {
      answer = await this.#hubCall(() => this.#deps.fanOut.addOrders(identity.userId, this, since));
    } catch (error) {
      this.#deps.fanOut.removeOrders(identity.userId, this);
      this.#ordersUserId = null;
      this.#orderBacklog = null;
      throw error;
    }
    this.#send({
      type: 'subscribe_orders',
      status: 'success',
      message: 'Subscribed to order updates',
      seq: answer.seq,
      ...(requestId !== undefined ? { request_id: requestId } : {}),
    });
    const now = this.#deps.now();
    for (const update of answer.replay) {
      this.outbox.sendOrdered(jsonFrame(update), now);
    }
    const backlog = this.#orderBacklog ?? [];
    this.#orderBacklog = null;
    for (const entry of backlog) {
      if (since === undefined || entry.seq > answer.seq) {
        this.outbox.sendOrdered(entry.frame, now);
      }
    }
  }

  #unsubscribeOrders(requestId: unknown): void {
    if (this.#ordersUserId !== null) {
      this.#deps.fanOut.removeOrders(this.#ordersUserId, this);
      this.#ordersUserId = null;
    }
    this.#send({
      type: 'unsubscribe_orders',
      status: 'success',
      message: 'Unsubscribed from order updates',
      ...(requestId !== undefined ? { request_id: requestId } : {}),
    });
  }

  /** A hub round trip; an unreachable hub is a broker connection error for the client. */
  async #hubCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof HubRequestError) {
        throw new ProtocolError(
          'BROKER_CONNECTION_ERROR',
          `Market data service unavailable: ${error.message}`,
        );
      }
      throw error;
    }
  }
}

function toText(data: unknown): string | null {
  if (typeof data === 'string') {
    return data;
  }
  if (Buffer.isBuffer(data)) {
    return data.toString('utf8');
  }
  if (Array.isArray(data)) {
    return Buffer.concat(data as Buffer[]).toString('utf8');
  }
  if (data instanceof ArrayBuffer) {
    return Buffer.from(data).toString('utf8');
  }
  return null;
}

/** The instruments of a subscribe: the list form, else the single form; incomplete entries skipped. */
function readEntries(
  request: ReturnType<typeof wsSubscriptionRequestSchema.parse>,
): Array<{ symbol: string; exchange: string }> {
  const list = Array.isArray(request.symbols)
    ? request.symbols
    : Array.isArray(request.instruments)
      ? request.instruments
      : [];
  const entries: Array<{ symbol: string; exchange: string }> = [];
  const seen = new Set<string>();
  for (const raw of list) {
    const entry = wsSymbolEntrySchema.safeParse(raw);
    if (!entry.success) {
      continue;
    }
    const { symbol, exchange } = entry.data;
    if (
      typeof symbol !== 'string' ||
      typeof exchange !== 'string' ||
      symbol.length === 0 ||
      exchange.length === 0
    ) {
      continue;
    }
    if (symbol.length > 100 || exchange.length > 20 || symbol.includes('|') || exchange.includes('|')) {
      continue;
    }
    const key = `${exchange}|${symbol}`;
    if (!seen.has(key)) {
      seen.add(key);
      entries.push({ symbol, exchange });
    }
  }
  if (
    entries.length === 0 &&
    list.length === 0 &&
    typeof request.symbol === 'string' &&
    typeof request.exchange === 'string'
  ) {
    if (
      request.symbol.length > 0 &&
      request.exchange.length > 0 &&
      !`${request.symbol}${request.exchange}`.includes('|')
    ) {
      entries.push({ symbol: request.symbol, exchange: request.exchange });
    }
  }
  return entries;
}
