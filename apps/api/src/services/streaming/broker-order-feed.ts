import type { BrokerAdapter, OrderUpdateStream, StreamState } from '@openalgo/broker-sdk';
import { backoffDelay } from '@openalgo/broker-sdk/ws';
import type { OrderUpdate } from '@openalgo/shared-types';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { AccountsService } from '../accounts.js';
import type { BrokerGateway } from '../broker-gateway.js';
import type { BrokerSessionService } from '../broker-sessions.js';
import type { AppEventName, EventBus, OrderEvent } from '../events.js';

/**
 * The live broker's own order-update stream (streaming.md §9.1) onto the event bus: fills,
 * rejections, cancellations and triggers that happen at the broker after our call answered
 * (a resting LIMIT filled later, an order changed in the broker's own app) reach
 * `subscribe_orders` clients and the web app like the api's own order events.
 *
 * One stream under the admin's broker session, as the market feed. It opens when a session
 * exists (checked every `checkIntervalMs`, and at once on `refresh()` after a login), reopens
 * with backoff when the broker ends it, follows a new session's token, and closes when the
 * session is gone.
 *
 * Kite (like most brokers) echoes our own calls on the stream, often before the REST answer
 * arrives. So that a client sees each state once and in order: an update that repeats what was
 * last announced for its order is dropped; a first `open`/`trigger pending` of an order nobody
 * announced yet waits `placementGraceMs` for the api's own placement event and is dropped when
 * that comes; and when the api announces a placement after the broker already announced a later
 * state (a MARKET order filled at once), that later state is announced again after it.
 */

export interface BrokerOrderFeedOptions {
  broker: BrokerAdapter;
  gateway: BrokerGateway;
  accounts: AccountsService;
  brokerSessions: BrokerSessionService;
  events: EventBus;
  logger: Logger;
  /** How often the admin's session is looked at (a login elsewhere, a revoke, an expiry). */
  checkIntervalMs?: number;
  /** How long the broker's first sight of a new order waits for the api's own placement event. */
  placementGraceMs?: number;
}

const ORDER_EVENTS = [
  'order.placed',
  'order.updated',
  'order.filled',
  'order.rejected',
  'order.cancelled',
] as const satisfies readonly AppEventName[];

const RETRY_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 60_000, multiplier: 2, jitter: 0.2 };

/** The event an order update announces, by its normalized status. */
export function eventNameOf(status: string): (typeof ORDER_EVENTS)[number] {
  switch (status) {
    case 'complete':
      return 'order.filled';
    case 'rejected':
      return 'order.rejected';
    case 'cancelled':
      return 'order.cancelled';
    default:
      return 'order.updated';
  }
}

const TERMINAL = new Set(['complete', 'rejected', 'cancelled']);

/** What makes two announcements of one order the same (clients dedupe on these, §9.3). */
function stateKey(
  order: Pick<OrderEvent, 'order_status' | 'filled_quantity' | 'quantity' | 'price' | 'trigger_price'>,
) {
  return `${order.order_status}|${order.filled_quantity}|${order.quantity}|${order.price}|${order.trigger_price}`;
}

interface OpenStream {
  stream: OrderUpdateStream;
  accessToken: string;
  offs: Array<() => void>;
}

export class BrokerOrderFeed {
  readonly #options: BrokerOrderFeedOptions;
  /** orderid → the state last announced for it (ours or the broker's). */
  readonly #announced = new LRUCache<string, string>({ max: 20_000 });
  /** orderid → the broker's latest announced event. */
  readonly #latest = new LRUCache<string, OrderEvent>({ max: 20_000 });
  /** orderid → a first sighting waiting for the api's placement event. */
  readonly #held = new Map<string, ReturnType<typeof setTimeout>>();
  /** True while this feed emits, so its own listener does not take the event for the api's. */
  #isEmitting = false;
  readonly #offs: Array<() => void> = [];
  #current: OpenStream | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #failures = 0;
  #retryAt = 0;
  /** The token whose stream last failed: a new login is tried at once, not after the backoff. */
  #failedToken = '';
  #checking: Promise<void> | null = null;
  #isClosed = false;

  constructor(options: BrokerOrderFeedOptions) {
    this.#options = options;
  }

  /** Whether the broker's order stream is open now. */
  get isOpen(): boolean {
    return this.#current !== null;
  }

  start(): void {
    if (!this.#options.broker.streams.orderUpdates) {
      return;
    }
    const { events, broker } = this.#options;
    for (const name of ORDER_EVENTS) {
      this.#offs.push(
        events.on(name, (event) => {
          if (!this.#isEmitting && event.mode === 'live' && event.broker === broker.id) {
            this.#onOwnEvent(event);
          }
        }),
      );
    }
    void this.refresh();
  }

  /** Looks at the admin's session now (after a login or a logout) instead of at the next check. */
  refresh(): Promise<void> {
    if (this.#isClosed || !this.#options.broker.streams.orderUpdates) {
      return Promise.resolve();
    }
    if (!this.#checking) {
      this.#checking = this.#check()
        .catch((error: unknown) => {
          this.#options.logger.warn({ err: error }, 'broker order updates not opened');
        })
        .finally(() => {
          this.#checking = null;
          this.#schedule();
        });
    }
    return this.#checking;
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    for (const off of this.#offs.splice(0)) {
      off();
    }
    for (const timer of this.#held.values()) {
      clearTimeout(timer);
    }
    this.#held.clear();
    await this.#checking?.catch(() => undefined);
    await this.#drop();
  }

  #schedule(): void {
    if (this.#isClosed) {
      return;
    }
    if (this.#timer) {
      clearTimeout(this.#timer);
    }
    const interval = this.#options.checkIntervalMs ?? 2_000;
    const wait = Math.max(interval, this.#retryAt - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh();
    }, wait);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const { accounts, brokerSessions, broker, gateway, logger } = this.#options;
    const factory = broker.streams.orderUpdates;
    if (!factory) {
      return;
    }
    let userId: number;
    let session: Awaited<ReturnType<BrokerSessionService['getActive']>>;
    try {
      userId = (await accounts.findAdmin()).id;
      session = await brokerSessions.getActive(userId);
    } catch (error) {
      // No admin yet (web setup pending) or the database is away: look again later.
      logger.debug({ err: error }, 'broker order updates: no session to stream under');
      return;
    }
    if (!session || session.broker !== broker.id) {
      await this.#drop();
      return;
    }
    if (this.#current?.accessToken === session.accessToken) {
      return;
    }
    // A new login: the stream follows the new token.
    await this.#drop();
    if (this.#isClosed || (Date.now() < this.#retryAt && session.accessToken === this.#failedToken)) {
      return;
    }
    const { context } = gateway.call(session);
    const stream = factory.create(context);
    const opened: OpenStream = { stream, accessToken: session.accessToken, offs: [] };
    opened.offs.push(
      stream.onUpdate((update) => this.#announce(userId, update)),
      stream.onState((state) => this.#onState(opened, state)),
    );
    this.#current = opened;
    try {
      await stream.connect();
      this.#failures = 0;
      this.#retryAt = 0;
      logger.info({ broker: broker.id }, 'broker order updates streaming');
    } catch (error) {
      this.#failed(opened, error instanceof Error ? error.message : String(error));
    }
  }

  #onState(opened: OpenStream, state: StreamState): void {
    if (this.#current !== opened) {
      return;
    }
    if (state.state === 'connected') {
      this.#failures = 0;
      this.#retryAt = 0;
    } else if (state.state === 'closed' || state.state === 'auth-failed') {
      this.#failed(opened, state.reason);
    }
  }

  #failed(opened: OpenStream, reason: string): void {
    if (this.#current !== opened) {
      return;
    }
    this.#failures += 1;
    this.#failedToken = opened.accessToken;
    const delayMs = backoffDelay(this.#failures, RETRY_BACKOFF);
    this.#retryAt = Date.now() + delayMs;
    this.#options.logger.warn(
      { broker: this.#options.broker.id, reason, retryInMs: delayMs },
      'broker order updates ended; reopening',
    );
    void this.#drop().finally(() => this.#schedule());
  }

  async #drop(): Promise<void> {
    const opened = this.#current;
    this.#current = null;
    if (!opened) {
      return;
    }
    for (const off of opened.offs.splice(0)) {
      off();
    }
    await opened.stream.close().catch(() => undefined);
  }

  /** The api announced an order itself (placement, modification, cancellation). */
  #onOwnEvent(event: OrderEvent): void {
    const held = this.#held.get(event.orderid);
    if (held) {
      // The broker's echo of this placement: the api's own event stands for it.
      clearTimeout(held);
      this.#held.delete(event.orderid);
    }
    this.#announced.set(event.orderid, stateKey(event));
    const latest = this.#latest.get(event.orderid);
    const isBehind =
      latest !== undefined &&
      !TERMINAL.has(event.order_status) &&
      (TERMINAL.has(latest.order_status) || latest.filled_quantity > event.filled_quantity);
    if (latest && isBehind) {
      // The broker got further before the api's answer: its state is the current one again.
      queueMicrotask(() => this.#emit(latest));
    }
  }

  #announce(userId: number, update: OrderUpdate): void {
    const { broker } = this.#options;
    const key = stateKey(update);
    if (this.#announced.get(update.orderid) === key) {
      return;
    }
    const event: OrderEvent = { userId, mode: 'live', broker: broker.id, ...update, strategy: '' };
    const held = this.#held.get(update.orderid);
    if (held) {
      clearTimeout(held);
      this.#held.delete(update.orderid);
    }
    const isFirstSight =
      !this.#announced.has(update.orderid) &&
      update.filled_quantity === 0 &&
      (update.order_status === 'open' || update.order_status === 'trigger pending');
    if (isFirstSight) {
      const timer = setTimeout(() => {
        this.#held.delete(update.orderid);
        if (!this.#announced.has(update.orderid)) {
          this.#emit(event);
        }
      }, this.#options.placementGraceMs ?? 1_000);
      timer.unref();
      this.#held.set(update.orderid, timer);
      return;
    }
    this.#emit(event);
  }

  #emit(event: OrderEvent): void {
    if (this.#isClosed) {
      return;
    }
    this.#announced.set(event.orderid, stateKey(event));
    this.#latest.set(event.orderid, event);
    this.#isEmitting = true;
    try {
      this.#options.events.emit(eventNameOf(event.order_status), event);
    } finally {
      this.#isEmitting = false;
    }
  }
}
