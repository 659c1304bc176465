import type { Logger } from 'pino';
import type { ActionCenterEvent } from './action-center.js';

/**
 * The in-process event bus: order side effects (UI events, WebSocket order updates, Telegram
 * alerts, analyzer logs) subscribe here instead of being called from the order path. Delivery
 * is synchronous and in order; a listener that throws is logged and never breaks the emitter,
 * and listeners must hand slow work off (queue it) rather than block.
 */

/** An order event (streaming.md §9.2): the normalized order fields plus who and where. */
export interface OrderEvent {
  userId: number;
  mode: 'live' | 'analyze';
  broker: string;
  orderid: string;
  symbol: string;
  exchange: string;
  action: string;
  quantity: number;
  price: number;
  trigger_price: number;
  pricetype: string;
  product: string;
  order_status: string;
  filled_quantity: number;
  pending_quantity: number;
  average_price: number;
  rejection_reason: string;
  strategy: string;
  /** Epoch ms. */
  timestamp: number;
}

export interface AppEventMap {
  /** The broker accepted a new order. */
  'order.placed': OrderEvent;
  /** An order changed (modified, triggered, partly filled). */
  'order.updated': OrderEvent;
  'order.filled': OrderEvent;
  /** Refused by the broker (at placement or later). */
  'order.rejected': OrderEvent;
  'order.cancelled': OrderEvent;
  /** The analyzer switch changed. */
  'analyzer.mode': { analyzeMode: boolean; at: number };
  /** A semi-auto order was queued, approved, rejected, executed, failed, expired or deleted. */
  action_center: ActionCenterEvent;
}

export type AppEventName = keyof AppEventMap;
type Listener<Payload> = (payload: Payload) => void;

export class EventBus<Events extends object = AppEventMap> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #logger: Logger | undefined;

  constructor(options: { logger?: Logger } = {}) {
    this.#logger = options.logger;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    const set = this.#listeners.get(name);
    if (!set || set.size === 0) {
      return;
    }
    for (const listener of set) {
      try {
        (listener as Listener<Events[Name]>)(payload);
      } catch (error) {
        this.#logger?.warn({ err: error, event: String(name) }, 'event listener failed');
      }
    }
  }

  listenerCount(name: keyof Events): number {
    return this.#listeners.get(name)?.size ?? 0;
  }
}
