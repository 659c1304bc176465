import { randomBytes } from 'node:crypto';
import {
  type BrokerContext,
  BrokerError,
  NotSupportedError,
  OpenAlgoError,
  RequestTimeoutError,
  toHttpError,
} from '@openalgo/broker-sdk';
import {
  type Database,
  findOrderLogByIdempotencyKey,
  isDatabaseUnavailable,
  type JsonValue,
  type Kysely,
  type NewLatencyLogRow,
  type OrderLogRow,
  type RecordOrderInput,
} from '@openalgo/db';
import type {
  Action,
  Exchange,
  OrderAck,
  OrderRequest,
  PriceType,
  Product,
  ResolvedInstrument,
} from '@openalgo/shared-types';
import { toWireNumber } from '@openalgo/shared-types/decimal';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../errors.js';
import type { RequestAuth } from '../../plugins/auth.js';
import type { EventBus, OrderEvent } from '../events.js';
import type { LogWriter } from '../log-writer.js';
import type { SymbolIndex } from '../symbol-index.js';
import { callBroker } from './broker-call.js';
import { resolveOrderInstrument } from './instrument-checks.js';
import type { OrderJournal } from './order-journal.js';
import type { ModeSwitch, OrderMode, OrderTarget } from './order-target.js';
import { protectedLimitPrice } from './price-protection.js';
import type { OrderReconciler } from './reconciler.js';
import type { OrderQueue } from './semi-auto.js';

/** One API call placing or changing orders: who, in which mode, and when it arrived. */
export interface OrderCall {
  auth: RequestAuth;
  /** Decided once per request by the mode switch. */
  mode: OrderMode;
  requestId: string | null;
  /** `performance.now()` when the request arrived: the latency log's platform time starts here. */
  receivedAt: number;
  /** The client's `Idempotency-Key`: a retried placement answers the first result. */
  idempotencyKey?: string | null;
}

/** An order as the API describes it, validated by its schema. */
export interface OrderInput {
  strategy: string;
  exchange: Exchange;
  symbol: string;
  action: Action;
  quantity: number;
  pricetype: PriceType;
  product: Product;
  price: string;
  trigger_price: string;
  disclosed_quantity: number;
}

export interface PlaceOptions {
  /** The order-log operation (default `placeorder`). */
  operation?: string;
  target?: OrderTarget;
  /** The request as stored and compared for idempotency (default: the order itself). */
  request?: Record<string, unknown>;
  idempotencyKey?: string | null;
}

export interface ErrorBody {
  status: 'error';
  message: string;
  mode?: 'analyze';
}

/** What a placement answered: failures are ordinary results here (baskets, splits, replays). */
export type OrderOutcome =
  | {
      ok: true;
      statusCode: 200;
      orderId: string;
      body: { status: 'success'; orderid: string; mode?: 'analyze' };
    }
  | { ok: false; statusCode: number; body: ErrorBody };

export interface OrderServiceSettings {
  orderTimeoutMs: number;
  readTimeoutMs: number;
  childIntervalMs: number;
  basketBatchSize: number;
  basketBatchIntervalMs: number;
}

export interface OrderServiceOptions {
  db: Kysely<Database>;
  logger: Logger;
  now: () => number;
  symbols: SymbolIndex;
  modeSwitch: ModeSwitch;
  journal: OrderJournal;
  latency: LogWriter<NewLatencyLogRow>;
  events: EventBus;
  reconciler: OrderReconciler;
  queue: OrderQueue;
  settings: OrderServiceSettings;
}

export const ORDER_SERVICE_MESSAGES = {
  placeFailed: 'Failed to place order due to internal error',
  idempotencyMismatch: 'This Idempotency-Key was already used for a different request',
  idempotencyInProgress: 'A request with this Idempotency-Key is still in progress',
  marketNotSupported: (broker: string) => `MARKET orders are not supported by broker ${broker}`,
  stopMarketNotSupported: (broker: string) => `SL-M orders are not supported by broker ${broker}`,
} as const;

/** Random bytes drawn in blocks: one system call per 800 ids instead of one per id. */
let randomPool = randomBytes(4_000);
let randomOffset = 0;

/** Our client order id: 19 alphanumerics, within every broker's tag field (Kite: 20). */
function createClientOrderId(now: number): string {
  if (randomOffset + 5 > randomPool.length) {
    randomPool = randomBytes(4_000);
    randomOffset = 0;
  }
  const random = randomPool.toString('hex', randomOffset, randomOffset + 5);
  randomOffset += 5;
  return `${now.toString(36).padStart(9, '0')}${random}`;
}

/** The order-log id of a placement: the client order id with the order prefix. */
export const orderLogIdOf = (clientOrderId: string) => `ord_${clientOrderId}`;

/** JSON with sorted keys: jsonb reorders keys, so requests compare in this form. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const markOf = (mode: OrderMode): { mode?: 'analyze' } => (mode === 'analyze' ? { mode: 'analyze' } : {});

/**
 * An error outcome in the contract's shape: typed errors by their table, the database being
 * unreachable a 503 (retry), anything else a 500.
 */
export function failureOf(
  error: unknown,
  mode: OrderMode,
  fallbackMessage: string,
): OrderOutcome & { ok: false } {
  if (OpenAlgoError.isInstance(error)) {
    const { status, message } = toHttpError(error);
    return { ok: false, statusCode: status, body: { status: 'error', message, ...markOf(mode) } };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      ok: false,
      statusCode: 503,
      body: { status: 'error', message: DATABASE_UNAVAILABLE_MESSAGE, ...markOf(mode) },
    };
  }
  return { ok: false, statusCode: 500, body: { status: 'error', message: fallbackMessage, ...markOf(mode) } };
}

/**
 * "HTTP 200 with a rejection is an error": an acknowledgement without an order id, or whose
 * raw body says it failed, is the broker refusing, whatever the transport said.
 */
export function assertAccepted(ack: OrderAck): void {
  const raw = ack.raw as { status?: unknown; message?: unknown } | null | undefined;
  const rawStatus = raw && typeof raw === 'object' ? raw.status : undefined;
  const isRefused = rawStatus === 'error' || rawStatus === false || rawStatus === 'failure';
  if (!ack.orderId || isRefused) {
    const message =
      raw && typeof raw.message === 'string' && raw.message ? raw.message : 'The broker refused the order';
    throw new BrokerError(message, { context: { raw: ack.raw } });
  }
}

const isUncertain = (error: unknown) =>
  RequestTimeoutError.isInstance(error) ||
  (OpenAlgoError.isInstance(error) && error.context.mayHaveReachedBroker === true);

/**
 * The order path's core (DESIGN.md "Order"): validation against the symbol master, the order
 * log row written before the broker call, one deadline per call, reconciliation instead of
 * retries, idempotent placements, latency and events off the critical path. Composite orders
 * (smart, basket, split, cancel-all, close-all) are built on `placeOrder` and `write`, so they
 * behave the same over every broker and over the analyzer.
 */
export class OrderService {
  readonly options: OrderServiceOptions;
  /** Placements with an idempotency key, in flight or recently finished in this process. */
  readonly #idempotent = new LRUCache<
    string,
    { fingerprint: string; outcome: Promise<{ ok: boolean; statusCode: number }> }
  >({
    max: 50_000,
    ttl: 15 * 60_000,
  });

  constructor(options: OrderServiceOptions) {
    this.options = options;
  }

  get settings(): OrderServiceSettings {
    return this.options.settings;
  }

  get queue(): OrderQueue {
    return this.options.queue;
  }

  get symbols(): SymbolIndex {
    return this.options.symbols;
  }

  /** Where this call's orders go (the mode switch's decision). */
  target(call: OrderCall): OrderTarget {
    return this.options.modeSwitch.targetFor(call.auth, call.mode);
  }

  /** A broker read with its own deadline. */
  read<T>(target: OrderTarget, operation: string, run: (context: BrokerContext) => Promise<T>): Promise<T> {
    return callBroker(target.context, { operation, timeoutMs: this.options.settings.readTimeoutMs }, run);
  }

  /**
   * Places one order. Never throws for an order the broker or the checks refuse: the outcome
   * says so, in the contract's shape, with its HTTP status.
   */
  placeOrder(call: OrderCall, input: OrderInput, options: PlaceOptions = {}): Promise<OrderOutcome> {
    const operation = options.operation ?? 'placeorder';
    const key = call.idempotencyKey;
    if (!key || call.auth.apiKeyId === null) {
      return this.place(call, input, { ...options, idempotencyKey: null });
    }
    return this.idempotent(call, key, options.request ?? { operation, ...input }, false, () =>
      this.place(call, input, { ...options, idempotencyKey: key }),
    );
  }

  /**
   * Runs `execute` once per (API key, idempotency key). A concurrent duplicate in this process
   * waits for the first; a later one, or one in another process, answers the stored result.
   * With `isPrechecked` the stored row is looked up first (operations that may place nothing,
   * like a smart order, would otherwise decide afresh).
   */
  idempotent<Outcome extends { ok: boolean; statusCode: number }>(
    call: OrderCall,
    key: string,
    request: Record<string, unknown>,
    isPrechecked: boolean,
    execute: () => Promise<Outcome | OrderOutcome>,
  ): Promise<Outcome | OrderOutcome> {
    const apiKeyId = call.auth.apiKeyId ?? 0;
    const cacheKey = `${apiKeyId}\u0000${key}`;
    const fingerprint = canonicalJson(request);
    const existing = this.#idempotent.get(cacheKey);
    if (existing) {
      return existing.fingerprint === fingerprint
        ? (existing.outcome as Promise<Outcome | OrderOutcome>)
        : Promise.resolve(this.#mismatch(call.mode));
    }
    const outcome = (async () => {
      if (isPrechecked) {
        const row = await findOrderLogByIdempotencyKey(this.options.db, apiKeyId, key);
        if (row) {
          return this.replay(row, fingerprint, call.mode);
        }
      }
      return execute();
    })();
    const entry = { fingerprint, outcome };
    this.#idempotent.set(cacheKey, entry);
    // An outcome that may still change (a timeout being reconciled) or that sent nothing (an
    // internal failure) is not kept: a retry asks the order log, which reconciliation updates.
    void outcome.then(
      (settled) => {
        if (!settled.ok && settled.statusCode >= 500 && this.#idempotent.get(cacheKey) === entry) {
          this.#idempotent.delete(cacheKey);
        }
      },
      () => this.#idempotent.delete(cacheKey),
    );
    return outcome;
  }

  #mismatch(mode: OrderMode): OrderOutcome {
    return {
      ok: false,
      statusCode: 422,
      body: { status: 'error', message: ORDER_SERVICE_MESSAGES.idempotencyMismatch, ...markOf(mode) },
    };
  }

  /** The stored answer of an earlier request with the same idempotency key. */
  replay(row: OrderLogRow, fingerprint: string, mode: OrderMode): OrderOutcome {
    const { client_order_id: _clientOrderId, ...stored } = (row.request ?? {}) as Record<string, unknown>;
    if (canonicalJson(stored) !== fingerprint) {
      return this.#mismatch(mode);
    }
    const response = row.response as { http_status?: number; body?: unknown } | null;
    if (!response || typeof response.http_status !== 'number' || !response.body) {
      return {
        ok: false,
        statusCode: 409,
        body: { status: 'error', message: ORDER_SERVICE_MESSAGES.idempotencyInProgress, ...markOf(mode) },
      };
    }
    const body = response.body as OrderOutcome['body'];
    if (response.http_status === 200 && body.status === 'success' && 'orderid' in body) {
      return { ok: true, statusCode: 200, orderId: body.orderid, body };
    }
    return { ok: false, statusCode: response.http_status, body: body as ErrorBody };
  }

  async #replayFromDatabase(call: OrderCall, key: string, fingerprint: string): Promise<OrderOutcome> {
    // Another process holds the key: wait for its outcome a little, then answer what is known.
    const deadline = performance.now() + this.options.settings.orderTimeoutMs + 2_000;
    for (;;) {
      const row = await findOrderLogByIdempotencyKey(this.options.db, call.auth.apiKeyId ?? 0, key);
      const isSettled = row && row.status !== 'pending' && row.status !== 'sent';
      if (row && (isSettled || performance.now() > deadline)) {
        return this.replay(row, fingerprint, call.mode);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Turns MARKET / SL-M into protected LIMIT / SL on brokers that emulate them. */
  async #priceForTarget(
    call: OrderCall,
    target: OrderTarget,
    instrument: ResolvedInstrument,
    input: OrderInput,
  ): Promise<{ priceType: PriceType; price: string; triggerPrice: string }> {
    const { capabilities } = target;
    const priceType = input.pricetype;
    const price = priceType === 'MARKET' || priceType === 'SL-M' ? '0' : input.price;
    const triggerPrice = priceType === 'SL' || priceType === 'SL-M' ? input.trigger_price : '0';
    if (priceType === 'MARKET') {
      if (capabilities.marketOrder === false) {
        throw new NotSupportedError(ORDER_SERVICE_MESSAGES.marketNotSupported(target.broker));
      }
      if (capabilities.marketOrder === 'emulated') {
        const live = this.options.modeSwitch.live(call.auth);
        const [quote] = await callBroker(
          live.context,
          { operation: 'fetchQuotes', timeoutMs: this.options.settings.readTimeoutMs },
          (context) => live.adapter.marketData.fetchQuotes([instrument], context),
        );
        if (!quote?.ok) {
          throw (
            quote?.error ?? new BrokerError(`No quote for ${instrument.symbol} to protect a market order`)
          );
        }
        const side = input.action === 'BUY' ? quote.quote.ask : quote.quote.bid;
        const reference = side !== '0' ? side : quote.quote.ltp;
        return {
          priceType: 'LIMIT',
          price: protectedLimitPrice(instrument, input.action, reference),
          triggerPrice,
        };
      }
    }
    if (priceType === 'SL-M') {
      if (capabilities.stopLossMarketOrder === false) {
        throw new NotSupportedError(ORDER_SERVICE_MESSAGES.stopMarketNotSupported(target.broker));
      }
      if (capabilities.stopLossMarketOrder === 'emulated') {
        return {
          priceType: 'SL',
          price: protectedLimitPrice(instrument, input.action, triggerPrice),
          triggerPrice,
        };
      }
    }
    return { priceType, price, triggerPrice };
  }

  /**
   * Places one order without the in-process idempotency wrapper (composite operations that
   * hold the key themselves pass it down so the row carries it).
   */
  async place(call: OrderCall, input: OrderInput, options: PlaceOptions = {}): Promise<OrderOutcome> {
    const { journal, now, logger } = this.options;
    const operation = options.operation ?? 'placeorder';
    const idempotencyKey = options.idempotencyKey ?? null;
    let target: OrderTarget;
    let request: OrderRequest;
    try {
      target = options.target ?? this.target(call);
      const instrument = resolveOrderInstrument(this.options.symbols, {
        symbol: input.symbol,
        exchange: input.exchange,
        product: input.product,
        quantity: input.quantity,
        priceType: input.pricetype,
        price: input.price,
        triggerPrice: input.trigger_price,
      });
      const pricing = await this.#priceForTarget(call, target, instrument, input);
      request = {
        instrument,
        action: input.action,
        quantity: input.quantity,
        product: input.product,
        priceType: pricing.priceType,
        price: pricing.price,
        triggerPrice: pricing.triggerPrice,
        disclosedQuantity: input.disclosed_quantity,
        validity: 'DAY',
        clientOrderId: createClientOrderId(now()),
      };
    } catch (error) {
      return failureOf(error, call.mode, ORDER_SERVICE_MESSAGES.placeFailed);
    }
    const id = orderLogIdOf(request.clientOrderId);
    const stored = options.request ?? { operation, ...input };
    let isRecorded: boolean;
    try {
      isRecorded = await journal.record({
        id,
        userId: call.auth.userId,
        apiKeyId: call.auth.apiKeyId,
        requestId: call.requestId,
        idempotencyKey,
        mode: target.mode,
        broker: target.broker,
        operation,
        strategy: input.strategy,
        exchange: input.exchange,
        symbol: input.symbol,
        request: { ...stored, client_order_id: request.clientOrderId } as JsonValue,
        createdAt: new Date(now()),
      });
    } catch (error) {
      // Not recorded, so never sent.
      logger.error({ err: error, requestId: call.requestId }, 'order not recorded');
      const outcome = failureOf(error, target.mode, ORDER_SERVICE_MESSAGES.placeFailed);
      this.#settleUnrecorded(id, error, outcome);
      return outcome;
    }
    if (!isRecorded && idempotencyKey) {
      return this.#replayFromDatabase(call, idempotencyKey, canonicalJson(stored));
    }
    const sentAt = performance.now();
    try {
      const ack = await callBroker(
        target.context,
        { operation: 'placeOrder', timeoutMs: this.options.settings.orderTimeoutMs },
        (context) => target.orders.placeOrder(request, context),
      );
      assertAccepted(ack);
      const answeredAt = performance.now();
      const outcome: OrderOutcome = {
        ok: true,
        statusCode: 200,
        orderId: ack.orderId,
        body: { status: 'success', orderid: ack.orderId, ...markOf(target.mode) },
      };
      journal.complete({
        id,
        status: 'accepted',
        brokerOrderId: ack.orderId,
        response: { http_status: 200, body: outcome.body, broker: (ack.raw ?? null) as JsonValue },
        error: null,
        completedAt: new Date(now()),
      });
      this.#recordLatency(call, target, operation, ack.orderId, sentAt, answeredAt, 'accepted');
      this.emitOrder('order.placed', call, target, input, ack.orderId, request.priceType);
      return outcome;
    } catch (error) {
      const answeredAt = performance.now();
      if (isUncertain(error)) {
        this.#recordLatency(call, target, operation, id, sentAt, answeredAt, 'unknown');
        return this.options.reconciler.afterTimeout({
          id,
          clientOrderId: request.clientOrderId,
          target,
          error,
          onFound: (order) =>
            this.emitOrder('order.placed', call, target, input, order.orderId, request.priceType),
        });
      }
      const outcome = failureOf(error, target.mode, ORDER_SERVICE_MESSAGES.placeFailed);
      const isRefused = OpenAlgoError.isInstance(error) && !error.retryable;
      if (!OpenAlgoError.isInstance(error)) {
        logger.error({ err: error, requestId: call.requestId, orderLogId: id }, 'order placement failed');
      }
      journal.complete({
        id,
        status: isRefused ? 'rejected' : 'failed',
        brokerOrderId: null,
        response: { http_status: outcome.statusCode, body: outcome.body as unknown as JsonValue },
        error: error instanceof Error ? error.message : String(error),
        completedAt: new Date(now()),
      });
      this.#recordLatency(call, target, operation, id, sentAt, answeredAt, isRefused ? 'rejected' : 'failed');
      if (isRefused) {
        this.emitOrder('order.rejected', call, target, input, '', request.priceType, outcome.body.message);
      }
      return outcome;
    }
  }

  /**
   * A recorded, deadline-bound broker write other than a placement (modify, cancel, native
   * cancel-all / close-all, GTT). Throws the broker's typed error; a timeout leaves the row
   * `unknown` (its effect shows in the books).
   */
  async write<T>(
    call: OrderCall,
    target: OrderTarget,
    details: {
      operation: string;
      strategy: string | null;
      exchange?: string | null;
      symbol?: string | null;
      request: Record<string, unknown>;
      brokerOrderId?: string | null;
    },
    run: (context: BrokerContext) => Promise<T>,
    describe: (result: T) => { brokerOrderId: string | null; body: unknown },
  ): Promise<T> {
    const { journal, now } = this.options;
    const id = orderLogIdOf(createClientOrderId(now()));
    await this.#record(id, {
      userId: call.auth.userId,
      apiKeyId: call.auth.apiKeyId,
      requestId: call.requestId,
      idempotencyKey: null,
      mode: target.mode,
      broker: target.broker,
      operation: details.operation,
      strategy: details.strategy,
      exchange: details.exchange ?? null,
      symbol: details.symbol ?? null,
      request: details.request as JsonValue,
      createdAt: new Date(now()),
    });
    const sentAt = performance.now();
    try {
      const result = await callBroker(
        target.context,
        { operation: details.operation, timeoutMs: this.options.settings.orderTimeoutMs },
        run,
      );
      const { brokerOrderId, body } = describe(result);
      journal.complete({
        id,
        status: 'accepted',
        brokerOrderId: brokerOrderId ?? details.brokerOrderId ?? null,
        response: { http_status: 200, body: body as JsonValue },
        error: null,
        completedAt: new Date(now()),
      });
      this.#recordLatency(
        call,
        target,
        details.operation,
        brokerOrderId ?? id,
        sentAt,
        performance.now(),
        'accepted',
      );
      return result;
    } catch (error) {
      const status = isUncertain(error)
        ? 'unknown'
        : OpenAlgoError.isInstance(error) && !error.retryable
          ? 'rejected'
          : 'failed';
      journal.complete({
        id,
        status,
        brokerOrderId: details.brokerOrderId ?? null,
        response: null,
        error: error instanceof Error ? error.message : String(error),
        completedAt: new Date(now()),
      });
      this.#recordLatency(call, target, details.operation, id, sentAt, performance.now(), status);
      throw error;
    }
  }

  /** Records a broker write other than a placement; a failed record is settled like a placement's. */
  async #record(id: string, input: Omit<RecordOrderInput, 'id'>): Promise<void> {
    try {
      await this.options.journal.record({ id, ...input });
    } catch (error) {
      this.#settleUnrecorded(id, error, null);
      throw error;
    }
  }

  /**
   * The INSERT failed, but it may have committed before the connection dropped (the answer
   * was lost, not the row): the row, if any, is completed as failed with what the client was
   * told, so no unsent order is ever left pending. Nothing was sent to the broker.
   */
  #settleUnrecorded(id: string, error: unknown, outcome: (OrderOutcome & { ok: false }) | null): void {
    this.options.journal.complete({
      id,
      status: 'failed',
      brokerOrderId: null,
      response: outcome
        ? { http_status: outcome.statusCode, body: outcome.body as unknown as JsonValue }
        : null,
      error: `not recorded: ${error instanceof Error ? error.message : String(error)}`,
      completedAt: new Date(this.options.now()),
    });
  }

  #recordLatency(
    call: OrderCall,
    target: OrderTarget,
    operation: string,
    orderId: string,
    sentAt: number,
    answeredAt: number,
    status: string,
  ): void {
    this.options.latency.push({
      at: new Date(this.options.now()),
      order_id: orderId,
      operation,
      broker: target.broker,
      mode: target.mode,
      platform_ms: sentAt - call.receivedAt,
      broker_ms: answeredAt - sentAt,
      total_ms: answeredAt - call.receivedAt,
      status,
    });
  }

  /** Announces an order on the event bus (skipped when nobody listens). */
  emitOrder(
    name: 'order.placed' | 'order.updated' | 'order.rejected' | 'order.cancelled',
    call: OrderCall,
    target: OrderTarget,
    input: Pick<
      OrderInput,
      'symbol' | 'exchange' | 'action' | 'quantity' | 'product' | 'price' | 'trigger_price' | 'strategy'
    >,
    orderId: string,
    priceType: PriceType,
    rejectionReason = '',
  ): void {
    const { events } = this.options;
    if (events.listenerCount(name) === 0) {
      return;
    }
    const status =
      name === 'order.rejected'
        ? 'rejected'
        : name === 'order.cancelled'
          ? 'cancelled'
          : priceType === 'SL' || priceType === 'SL-M'
            ? 'trigger pending'
            : 'open';
    const event: OrderEvent = {
      userId: call.auth.userId,
      mode: target.mode,
      broker: target.mode === 'analyze' ? 'sandbox' : target.broker,
      orderid: orderId,
      symbol: input.symbol,
      exchange: input.exchange,
      action: input.action,
      quantity: input.quantity,
      price: toWireNumber(input.price),
      trigger_price: toWireNumber(input.trigger_price),
      pricetype: priceType,
      product: input.product,
      order_status: status,
      filled_quantity: 0,
      pending_quantity: status === 'open' || status === 'trigger pending' ? input.quantity : 0,
      average_price: 0,
      rejection_reason: rejectionReason,
      strategy: input.strategy,
      timestamp: this.options.now(),
    };
    events.emit(name, event);
  }
}
