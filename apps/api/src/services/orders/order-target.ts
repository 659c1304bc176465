import type {
  BrokerCapabilities,
  BrokerContext,
  BrokerGtt,
  BrokerOrders,
  BrokerPortfolio,
  Logger,
} from '@openalgo/broker-sdk';
import { createSimulatorBroker, type SimulatorBroker } from '@openalgo/brokers-simulator';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { toDecimal, toWireNumber } from '@openalgo/shared-types/decimal';
import type { RequestAuth } from '../../plugins/auth.js';
import type { AnalyzerModeService } from '../analyzer-mode.js';
import type { BrokerCall, BrokerGateway } from '../broker-gateway.js';
import type { EventBus, OrderEvent } from '../events.js';

export type OrderMode = 'live' | 'analyze';

/** The simulator's integer price unit: 1/10,000 rupee. */
const PIPS_PER_RUPEE = 10_000;

/**
 * Where orders, books and funds go for one request: the live broker or the analyzer's virtual
 * broker. Both expose the broker contract's order, portfolio and GTT duties with a call context;
 * everything above (smart, basket, split, cancel-all, close-all, validation, the order log) is
 * the same code over either.
 */
export interface OrderTarget {
  readonly mode: OrderMode;
  /** Recorded in the order log and in events: the broker id, or the analyzer's name. */
  readonly broker: string;
  readonly capabilities: BrokerCapabilities;
  readonly orders: BrokerOrders;
  readonly portfolio: BrokerPortfolio;
  readonly gtt: BrokerGtt;
  readonly context: BrokerContext;
}

/** The analyzer side of the switch. The sandbox engine implements this; until then a simulator. */
export interface AnalyzerTargets {
  readonly name: string;
  /** Prepares the implementation (sessions, engines); called once at start-up. */
  start(): Promise<void>;
  /** The caller's analyzer target; `live` is the caller's live broker (its market data prices fills). */
  targetFor(auth: RequestAuth, live: BrokerCall): OrderTarget;
  /** The switch changed: start or stop engines. */
  onModeChange(isOn: boolean): Promise<void>;
  /** Stored analyzer request logs (`/api/v1/analyzer` `total_logs`). */
  countLogs(): Promise<number>;
  close(): Promise<void>;
}

export interface ModeSwitchOptions {
  gateway: BrokerGateway;
  analyzer: AnalyzerModeService;
  analyzerTargets: AnalyzerTargets;
}

/**
 * The one seam that decides, per request, between the live broker and the analyzer (api-v1
 * §5.2). `decide` runs once when a sandbox-routed request arrives, so its validation errors,
 * its broker calls and its response all agree even if the switch flips meanwhile.
 */
export class ModeSwitch {
  readonly #options: ModeSwitchOptions;
  /** Live targets per stored session object (sessions are cached and replaced, never mutated). */
  readonly #liveTargets = new WeakMap<object, { call: BrokerCall; target: OrderTarget }>();

  constructor(options: ModeSwitchOptions) {
    this.#options = options;
  }

  #liveTarget(auth: RequestAuth): { call: BrokerCall; target: OrderTarget } {
    const session = auth.session;
    const cached = session ? this.#liveTargets.get(session) : undefined;
    if (cached) {
      return cached;
    }
    const call = this.#options.gateway.call(session);
    const target: OrderTarget = {
      mode: 'live',
      broker: call.adapter.id,
      capabilities: call.adapter.capabilities,
      orders: call.adapter.orders,
      portfolio: call.adapter.portfolio,
      gtt: call.adapter.gtt,
      context: call.context,
    };
    const entry = { call, target };
    if (session) {
      this.#liveTargets.set(session, entry);
    }
    return entry;
  }

  /** The mode a sandbox-routed request is served in, as of now. */
  decide(): OrderMode {
    return this.#options.analyzer.isOn ? 'analyze' : 'live';
  }

  /** The caller's live broker (market data, margin: never the analyzer). */
  live(auth: RequestAuth, options: { signal?: AbortSignal } = {}): BrokerCall {
    if (options.signal) {
      return this.#options.gateway.call(auth.session, options);
    }
    return this.#liveTarget(auth).call;
  }

  targetFor(auth: RequestAuth, mode: OrderMode): OrderTarget {
    const live = this.#liveTarget(auth);
    return mode === 'analyze' ? this.#options.analyzerTargets.targetFor(auth, live.call) : live.target;
  }
}

export interface SimulatorAnalyzerOptions {
  seed: number;
  startingCapital: number;
  logger: Logger;
  now: () => number;
  events: EventBus;
  /** The owner of the analyzer (single-tenant: the operator) for its order events. */
  countLogs: () => Promise<number>;
}

/** The simulator's own instrument for one of ours: its symbols are OpenAlgo symbols. */
function toSimulatorInstrument(instrument: ResolvedInstrument): ResolvedInstrument {
  return { ...instrument, brSymbol: instrument.symbol, brExchange: instrument.exchange, token: '-' };
}

/**
 * Analyzer mode served by a second, separate simulator (own seed, own capital) until the
 * sandbox engine replaces it behind `AnalyzerTargets`. Its state lives for the process.
 */
export class SimulatorAnalyzerTargets implements AnalyzerTargets {
  readonly name = 'simulator-analyzer';
  readonly broker: SimulatorBroker;
  readonly #options: SimulatorAnalyzerOptions;
  #context: BrokerContext | null = null;
  #orders: BrokerOrders;
  #gtt: BrokerGtt;
  #lastUserId = 0;
  #stopEvents: (() => void) | null = null;

  constructor(options: SimulatorAnalyzerOptions) {
    this.#options = options;
    this.broker = createSimulatorBroker({
      seed: options.seed,
      now: options.now,
      alwaysOpen: true,
      startingCash: options.startingCapital,
      logger: options.logger.child({ broker: 'analyzer' }),
    });
    const base = this.broker.orders;
    this.#orders = {
      ...base,
      placeOrder: (request, context) =>
        base.placeOrder({ ...request, instrument: toSimulatorInstrument(request.instrument) }, context),
      modifyOrder: (ref, change, context) =>
        base.modifyOrder(ref, { ...change, instrument: toSimulatorInstrument(change.instrument) }, context),
    };
    const gtt = this.broker.gtt;
    this.#gtt = {
      ...gtt,
      placeGtt: (request, context) =>
        gtt.placeGtt({ ...request, instrument: toSimulatorInstrument(request.instrument) }, context),
      modifyGtt: (triggerId, request, context) =>
        gtt.modifyGtt(
          triggerId,
          { ...request, instrument: toSimulatorInstrument(request.instrument) },
          context,
        ),
    };
  }

  async start(): Promise<void> {
    const { logger, now } = this.#options;
    const session = await this.broker.auth.completeLogin({}, { redirectUrl: '', state: '', logger, now });
    this.#context = { session, logger, now, resolveBrokerInstrument: () => undefined };
    // Later transitions (fills of resting orders, triggers) become order events, as the sandbox emits.
    this.#stopEvents = this.broker.exchange.onOrder((order) => {
      const isPlacement =
        order.updatedAt === order.placedAt && order.filledQuantity === 0 && order.status !== 'rejected';
      if (isPlacement) {
        // The order service announces placements itself.
        return;
      }
      const name =
        order.status === 'complete'
          ? 'order.filled'
          : order.status === 'cancelled'
            ? 'order.cancelled'
            : order.status === 'rejected'
              ? 'order.rejected'
              : 'order.updated';
      const rupees = (pips: number) => toWireNumber(toDecimal(pips).div(PIPS_PER_RUPEE));
      const event: OrderEvent = {
        userId: this.#lastUserId,
        mode: 'analyze',
        broker: 'sandbox',
        orderid: order.orderId,
        symbol: order.instrument.symbol,
        exchange: order.instrument.exchange,
        action: order.action,
        quantity: order.quantity,
        price: rupees(order.pricePips),
        trigger_price: rupees(order.triggerPips),
        pricetype: order.priceType,
        product: order.product,
        order_status: order.status,
        filled_quantity: order.filledQuantity,
        pending_quantity: order.quantity - order.filledQuantity,
        average_price:
          order.filledQuantity > 0
            ? toWireNumber(toDecimal(order.filledValuePips).div(order.filledQuantity).div(PIPS_PER_RUPEE))
            : 0,
        rejection_reason: order.rejectionReason,
        strategy: '',
        timestamp: order.updatedAt,
      };
      this.#options.events.emit(name, event);
    });
  }

  targetFor(auth: RequestAuth): OrderTarget {
    if (!this.#context) {
      throw new Error('the analyzer simulator is not started');
    }
    this.#lastUserId = auth.userId;
    return {
      mode: 'analyze',
      broker: 'sandbox',
      capabilities: this.broker.capabilities,
      orders: this.#orders,
      portfolio: this.broker.portfolio,
      gtt: this.#gtt,
      context: this.#context,
    };
  }

  async onModeChange(): Promise<void> {
    // Resting orders match at placement and when prices move; the simulator needs no engine.
  }

  countLogs(): Promise<number> {
    return this.#options.countLogs();
  }

  async close(): Promise<void> {
    this.#stopEvents?.();
    this.broker.stop();
  }
}
