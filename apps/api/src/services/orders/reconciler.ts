import { OpenAlgoError } from '@openalgo/broker-sdk';
import {
  type Database,
  type JsonValue,
  type Kysely,
  listUnfinishedOrders,
  type OrderLogRow,
} from '@openalgo/db';
import type { Order } from '@openalgo/shared-types';
import type { Logger } from 'pino';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../errors.js';
import { callBroker } from './broker-call.js';
import { CoalescedReads } from './coalesced-reads.js';
import type { OrderJournal } from './order-journal.js';
import type { ErrorBody, OrderOutcome } from './order-service.js';
import type { OrderMode, OrderTarget } from './order-target.js';

export const RECONCILE_MESSAGES = {
  unconfirmed:
    "The broker did not confirm the order in time. It is being reconciled against the broker's order book: check the order book before placing it again.",
  notFound: "The order was not found in the broker's order book: it was not placed.",
  interrupted: 'The outcome of this operation is unknown: the server stopped while it was under way.',
} as const;

export interface OrderReconcilerOptions {
  db: Kysely<Database>;
  journal: OrderJournal;
  logger: Logger;
  now: () => number;
  readTimeoutMs: number;
  /** How long a timed-out placement is looked for before it is declared not placed. */
  windowMs: number;
  /** A target for a user without a request (start-up reconciliation); null without a session. */
  targetFor: (userId: number, mode: OrderMode) => Promise<OrderTarget | null>;
}

export interface TimeoutCase {
  id: string;
  clientOrderId: string;
  target: OrderTarget;
  error: unknown;
  /** The order turned up: announce it. */
  onFound?: (order: Order) => void;
}

interface Watched {
  id: string;
  clientOrderId: string;
  target: OrderTarget;
  createdAt: number;
  attempt: number;
  onFound?: ((order: Order) => void) | undefined;
  /** The operation is over (see `isSettledFailure`): the first read that misses it is final. */
  isSettled: boolean;
}

/**
 * A failure whose operation is over although its outcome was not heard (the sandbox's
 * connection dropped while committing): the books, once read, are the whole truth, so an
 * order not in them was not placed, with no need to wait out the reconcile window.
 */
function isSettledFailure(error: unknown): boolean {
  return OpenAlgoError.isInstance(error) && error.context.isSettled === true;
}

const markOf = (mode: OrderMode): { mode?: 'analyze' } => (mode === 'analyze' ? { mode: 'analyze' } : {});

/**
 * Settles placements whose outcome is unknown by looking for them in the broker's order book
 * (by our client order id, carried in the broker's tag field) instead of sending them again:
 * right after a timeout, then in the background with growing pauses until the window closes,
 * and at start-up for rows a stopped process left unfinished.
 */
export class OrderReconciler {
  readonly #options: OrderReconcilerOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #bookReads = new CoalescedReads<readonly Order[]>();
  #isClosed = false;

  constructor(options: OrderReconcilerOptions) {
    this.#options = options;
  }

  async #find(target: OrderTarget, clientOrderId: string): Promise<Order | undefined> {
    // Placements of one account that timed out together share their book reads.
    const { session } = target.context;
    const key = `${target.mode}|${target.broker}|${session.userId}|${session.accessToken}`;
    const orders = await this.#bookReads.read(key, () =>
      callBroker(
        target.context,
        { operation: 'fetchOrders', timeoutMs: this.#options.readTimeoutMs },
        (context) => target.orders.fetchOrders(context),
      ),
    );
    return orders.find((order) => order.clientOrderId === clientOrderId);
  }

  #accept(id: string, target: OrderTarget, order: Order): OrderOutcome {
    const body = { status: 'success' as const, orderid: order.orderId, ...markOf(target.mode) };
    this.#options.journal.complete({
      id,
      status: 'accepted',
      brokerOrderId: order.orderId,
      response: { http_status: 200, body, reconciled: true },
      error: null,
      completedAt: new Date(this.#options.now()),
    });
    return { ok: true, statusCode: 200, orderId: order.orderId, body };
  }

  /** A placement timed out: look once now; if it is not there yet, answer 504 and keep looking. */
  async afterTimeout(timeout: TimeoutCase): Promise<OrderOutcome> {
    const { id, clientOrderId, target } = timeout;
    const isSettled = isSettledFailure(timeout.error);
    let isRead = false;
    const found = await this.#find(target, clientOrderId).then(
      (order) => {
        isRead = true;
        return order;
      },
      (error: unknown) => {
        this.#options.logger.warn({ err: error, orderLogId: id }, 'order book not read after a timeout');
        return undefined;
      },
    );
    if (found) {
      timeout.onFound?.(found);
      return this.#accept(id, target, found);
    }
    if (isRead && isSettled) {
      // Certainly not placed: the client may simply try again.
      const body: ErrorBody = {
        status: 'error',
        message: DATABASE_UNAVAILABLE_MESSAGE,
        ...markOf(target.mode),
      };
      this.#options.journal.complete({
        id,
        status: 'failed',
        brokerOrderId: null,
        response: { http_status: 503, body: body as unknown as JsonValue },
        error: timeout.error instanceof Error ? timeout.error.message : String(timeout.error),
        completedAt: new Date(this.#options.now()),
      });
      return { ok: false, statusCode: 503, body };
    }
    const body: ErrorBody = {
      status: 'error',
      message: RECONCILE_MESSAGES.unconfirmed,
      ...markOf(target.mode),
    };
    this.#options.journal.complete({
      id,
      status: 'unknown',
      brokerOrderId: null,
      response: { http_status: 504, body: body as unknown as JsonValue },
      error: timeout.error instanceof Error ? timeout.error.message : String(timeout.error),
      completedAt: new Date(this.#options.now()),
    });
    this.#watch({
      id,
      clientOrderId,
      target,
      createdAt: this.#options.now(),
      attempt: 0,
      onFound: timeout.onFound,
      isSettled,
    });
    return { ok: false, statusCode: 504, body };
  }

  #watch(entry: Watched): void {
    if (this.#isClosed) {
      return;
    }
    const delay = Math.min(500 * 2 ** entry.attempt, 30_000);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#check(entry);
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  async #check(entry: Watched): Promise<void> {
    try {
      const found = await this.#find(entry.target, entry.clientOrderId);
      if (found) {
        entry.onFound?.(found);
        this.#accept(entry.id, entry.target, found);
        this.#options.logger.info(
          { orderLogId: entry.id, orderId: found.orderId },
          'timed-out order reconciled',
        );
        return;
      }
      if (entry.isSettled) {
        this.#giveUp(entry.id, entry.target.mode);
        return;
      }
    } catch (error) {
      this.#options.logger.warn({ err: error, orderLogId: entry.id }, 'reconciliation read failed');
    }
    if (this.#options.now() - entry.createdAt >= this.#options.windowMs) {
      this.#giveUp(entry.id, entry.target.mode);
      return;
    }
    this.#watch({ ...entry, attempt: entry.attempt + 1 });
  }

  #giveUp(id: string, mode: OrderMode, message: string = RECONCILE_MESSAGES.notFound): void {
    this.#options.journal.complete({
      id,
      status: 'failed',
      brokerOrderId: null,
      response: { http_status: 504, body: { status: 'error', message, ...markOf(mode) } },
      error: message,
      completedAt: new Date(this.#options.now()),
    });
  }

  /** Settles what a stopped process left unfinished: one order-book read per user and mode. */
  async reconcileUnfinished(): Promise<{ accepted: number; failed: number; watching: number }> {
    const rows = await listUnfinishedOrders(this.#options.db);
    const counts = { accepted: 0, failed: 0, watching: 0 };
    const groups = new Map<string, OrderLogRow[]>();
    for (const row of rows) {
      const request = (row.request ?? {}) as { client_order_id?: unknown };
      if (typeof request.client_order_id !== 'string' || row.user_id === null) {
        // Not a placement (modify, cancel, …): its effect, if any, shows in the books.
        this.#giveUp(row.id, row.mode, RECONCILE_MESSAGES.interrupted);
        counts.failed += 1;
        continue;
      }
      const key = `${row.user_id}|${row.mode}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      const first = group[0] as OrderLogRow;
      const target = await this.#options.targetFor(first.user_id as number, first.mode).catch(() => null);
      if (!target) {
        continue;
      }
      let orders: readonly Order[];
      try {
        orders = await callBroker(
          target.context,
          { operation: 'fetchOrders', timeoutMs: this.#options.readTimeoutMs },
          (context) => target.orders.fetchOrders(context),
        );
      } catch (error) {
        this.#options.logger.warn(
          { err: error, rows: group.length },
          'order book not read for reconciliation',
        );
        continue;
      }
      const byClientId = new Map(
        orders.filter((order) => order.clientOrderId).map((order) => [order.clientOrderId, order]),
      );
      for (const row of group) {
        const clientOrderId = (row.request as { client_order_id: string }).client_order_id;
        const found = byClientId.get(clientOrderId);
        if (found) {
          this.#accept(row.id, target, found);
          counts.accepted += 1;
        } else if (this.#options.now() - row.created_at.getTime() >= this.#options.windowMs) {
          this.#giveUp(row.id, row.mode);
          counts.failed += 1;
        } else {
          this.#watch({
            id: row.id,
            clientOrderId,
            target,
            createdAt: row.created_at.getTime(),
            attempt: 0,
            isSettled: false,
          });
          counts.watching += 1;
        }
      }
    }
    await this.#options.journal.flush();
    return counts;
  }

  close(): void {
    this.#isClosed = true;
    for (const timer of this.#timers) {
      clearTimeout(timer);
    }
    this.#timers.clear();
  }
}
