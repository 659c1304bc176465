import type {
  BrokerStreams,
  MarketDataStream,
  OrderUpdateStream,
  StreamContext,
  StreamState,
  StreamSubscription,
} from '@openalgo/broker-sdk';
import type { OrderUpdate, StreamMode, Tick } from '@openalgo/shared-types';
import type { SimulatorControl } from './control.js';
import type { SimOrder } from './exchange.js';
import { lookupInstrument, pipsToNumber } from './mapping.js';

const MODE_RANK: Record<StreamMode, number> = { ltp: 1, quote: 2, depth: 3 };
const RANKED_MODES: readonly StreamMode[] = ['ltp', 'quote', 'depth'];

export const SIMULATOR_STREAM_LIMITS = {
  maxInstrumentsPerConnection: 3_000,
  maxConnections: 3,
  depthLevels: [5] as const,
};

/** How long a dropped stream stays down before it reconnects by itself. */
const RECONNECT_DELAY_MS = 200;

function emitState(listeners: Set<(state: StreamState) => void>, state: StreamState): void {
  for (const listener of listeners) {
    listener(state);
  }
}

/**
 * A market-data stream on the simulated exchange: one tick per instrument tick, in the
 * richest mode any subscription of that instrument asked for. The exchange keeps ticking an
 * instrument while some stream subscribes to it.
 */
class SimMarketDataStream implements MarketDataStream {
  readonly #control: SimulatorControl;
  readonly #context: StreamContext;
  /** instrument index → subscription counts per mode */
  readonly #subscriptions = new Map<number, Map<StreamMode, number>>();
  readonly #tickListeners = new Set<(tick: Tick) => void>();
  readonly #stateListeners = new Set<(state: StreamState) => void>();
  #isConnected = false;
  #isClosed = false;
  #offTick: (() => void) | null = null;
  #offDrop: (() => void) | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #attempt = 0;

  constructor(control: SimulatorControl, context: StreamContext) {
    this.#control = control;
    this.#context = context;
  }

  async connect(): Promise<void> {
    if (this.#isConnected) {
      return;
    }
    emitState(this.#stateListeners, { state: 'connecting' });
    this.#control.guard('other', this.#context);
    this.#isClosed = false;
    this.#attach();
    this.#offDrop ??= this.#control.onDrop(() => this.#drop('connection dropped'));
  }

  #attach(): void {
    this.#offTick = this.#control.exchange.onTick((index) => {
      const modes = this.#subscriptions.get(index);
      if (!modes || modes.size === 0) {
        return;
      }
      let best: StreamMode = 'ltp';
      for (const mode of modes.keys()) {
        if (MODE_RANK[mode] > MODE_RANK[best]) {
          best = mode;
        }
      }
      const tick = this.#control.exchange.tickFor(index, best);
      for (const listener of this.#tickListeners) {
        listener(tick);
      }
    });
    for (const index of this.#subscriptions.keys()) {
      this.#control.exchange.retain(index);
    }
    this.#isConnected = true;
    this.#attempt = 0;
    emitState(this.#stateListeners, { state: 'connected' });
  }

  #detach(): void {
    this.#offTick?.();
    this.#offTick = null;
    if (this.#isConnected) {
      for (const index of this.#subscriptions.keys()) {
        this.#control.exchange.release(index);
      }
    }
    this.#isConnected = false;
  }

  #drop(reason: string): void {
    if (!this.#isConnected || this.#isClosed) {
      return;
    }
    this.#detach();
    this.#attempt += 1;
    emitState(this.#stateListeners, {
      state: 'reconnecting',
      attempt: this.#attempt,
      delayMs: RECONNECT_DELAY_MS,
      reason,
    });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#isClosed) {
        // Every subscription survives the drop: the stream resubscribes by itself.
        this.#attach();
      }
    }, RECONNECT_DELAY_MS);
    this.#reconnectTimer.unref?.();
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    if (this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
    }
    this.#detach();
    this.#offDrop?.();
    this.#offDrop = null;
    emitState(this.#stateListeners, { state: 'closed', reason: 'closed by client' });
  }

  subscribe(subscriptions: readonly StreamSubscription[]): void {
    for (const subscription of subscriptions) {
      const instrument = lookupInstrument(this.#control.exchange, subscription.instrument);
      let modes = this.#subscriptions.get(instrument.index);
      if (!modes) {
        modes = new Map();
        this.#subscriptions.set(instrument.index, modes);
        if (this.#isConnected) {
          this.#control.exchange.retain(instrument.index);
        }
      }
      modes.set(subscription.mode, (modes.get(subscription.mode) ?? 0) + 1);
    }
  }

  unsubscribe(subscriptions: readonly StreamSubscription[]): void {
    for (const subscription of subscriptions) {
      const instrument = lookupInstrument(this.#control.exchange, subscription.instrument);
      const modes = this.#subscriptions.get(instrument.index);
      const count = modes?.get(subscription.mode);
      if (!modes || count === undefined) {
        continue;
      }
      if (count <= 1) {
        modes.delete(subscription.mode);
      } else {
        modes.set(subscription.mode, count - 1);
      }
      if (modes.size === 0) {
        this.#subscriptions.delete(instrument.index);
        if (this.#isConnected) {
          this.#control.exchange.release(instrument.index);
        }
      }
    }
  }

  /** The subscribed instruments and modes, for tests. */
  get subscribed(): ReadonlyMap<number, ReadonlyMap<StreamMode, number>> {
    return this.#subscriptions;
  }

  onTick(listener: (tick: Tick) => void): () => void {
    this.#tickListeners.add(listener);
    return () => this.#tickListeners.delete(listener);
  }

  onState(listener: (state: StreamState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }
}

export function toOrderUpdate(order: SimOrder, now: number): OrderUpdate {
  const average = order.filledQuantity > 0 ? Math.round(order.filledValuePips / order.filledQuantity) : 0;
  return {
    orderid: order.orderId,
    symbol: order.instrument.symbol,
    exchange: order.instrument.exchange,
    action: order.action,
    quantity: order.quantity,
    price: pipsToNumber(order.pricePips),
    trigger_price: pipsToNumber(order.triggerPips),
    pricetype: order.priceType,
    product: order.product,
    order_status: order.status,
    filled_quantity: order.filledQuantity,
    pending_quantity:
      order.status === 'open' || order.status === 'trigger pending'
        ? order.quantity - order.filledQuantity
        : 0,
    average_price: pipsToNumber(average),
    rejection_reason: order.rejectionReason,
    timestamp: now,
  };
}

class SimOrderUpdateStream implements OrderUpdateStream {
  readonly #control: SimulatorControl;
  readonly #context: StreamContext;
  readonly #listeners = new Set<(update: OrderUpdate) => void>();
  readonly #stateListeners = new Set<(state: StreamState) => void>();
  #off: (() => void) | null = null;

  constructor(control: SimulatorControl, context: StreamContext) {
    this.#control = control;
    this.#context = context;
  }

  async connect(): Promise<void> {
    if (this.#off) {
      return;
    }
    this.#control.guard('other', this.#context);
    this.#off = this.#control.exchange.onOrder((order) => {
      const update = toOrderUpdate(order, this.#control.exchange.now);
      for (const listener of this.#listeners) {
        listener(update);
      }
    });
    emitState(this.#stateListeners, { state: 'connected' });
  }

  async close(): Promise<void> {
    this.#off?.();
    this.#off = null;
    emitState(this.#stateListeners, { state: 'closed', reason: 'closed by client' });
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onState(listener: (state: StreamState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }
}

export function createStreams(control: SimulatorControl): Required<BrokerStreams> {
  return {
    marketData: {
      limits: { ...SIMULATOR_STREAM_LIMITS, depthLevels: [...SIMULATOR_STREAM_LIMITS.depthLevels] },
      create: (context) => new SimMarketDataStream(control, context),
    },
    orderUpdates: {
      create: (context) => new SimOrderUpdateStream(control, context),
    },
  };
}

export { RANKED_MODES };
