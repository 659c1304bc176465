import type {
  BrokerCapabilities,
  BrokerContext,
  BrokerGtt,
  BrokerOrders,
  BrokerPortfolio,
} from '@openalgo/broker-sdk';
import type { RequestAuth } from '../../plugins/auth.js';
import type { AnalyzerModeService } from '../analyzer-mode.js';
import type { BrokerCall, BrokerGateway } from '../broker-gateway.js';

export type OrderMode = 'live' | 'analyze';

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

/** The analyzer side of the switch: the sandbox (`SandboxAnalyzerTargets`). */
export interface AnalyzerTargets {
  readonly name: string;
  /** Prepares the implementation (sessions, engines); called once at start-up. */
  start(): Promise<void>;
  /**
   * The caller's analyzer target; `live` is the caller's live broker (its market data prices
   * fills), null when the caller has no broker session (books still answer; MARKET orders
   * find no price).
   */
  targetFor(auth: RequestAuth, live: BrokerCall | null): OrderTarget;
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
    if (mode === 'analyze') {
      let live: BrokerCall | null = null;
      try {
        live = this.#liveTarget(auth).call;
      } catch {
        // No usable broker session: the sandbox still serves, without fresh prices.
      }
      return this.#options.analyzerTargets.targetFor(auth, live);
    }
    return this.#liveTarget(auth).target;
  }
}
