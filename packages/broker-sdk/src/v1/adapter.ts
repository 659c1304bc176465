import type {
  Candle,
  Depth,
  Exchange,
  Funds,
  Gtt,
  GttRequest,
  HistoryChunkRequest,
  Holding,
  InstrumentRow,
  Interval,
  MarginLeg,
  MarginResult,
  Order,
  OrderAck,
  OrderChange,
  OrderRef,
  OrderRequest,
  OrderUpdate,
  Position,
  Quote,
  ResolvedInstrument,
  StreamMode,
  Tick,
  Trade,
} from '@openalgo/shared-types';
import type { BrokerCapabilities } from '../capabilities.js';
import type { OpenAlgoError } from '../errors.js';
import type { BrokerLimits } from '../limits.js';

/** The contract version this file describes. The api refuses adapters it does not know. */
export type SpecificationVersionV1 = 'v1';

/** A minimal structured logger (pino-compatible): data object first, constant message second. */
export interface Logger {
  debug(data: object, message?: string): void;
  info(data: object, message?: string): void;
  warn(data: object, message?: string): void;
  error(data: object, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type BrokerFamily =
  | 'kite'
  | 'smartapi'
  | 'upstox'
  | 'dhan'
  | 'xts'
  | 'noren'
  | 'fyers'
  | 'simulator'
  | 'other';

/** A logged-in broker session. Tokens are secrets: never log them. */
export interface BrokerSession {
  brokerId: string;
  accessToken: string;
  feedToken?: string;
  userId?: string;
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms; brokers with daily tokens expire around 03:00–06:00 IST. */
  expiresAt?: number;
  /** Broker-specific extra session data (refresh token, client code, …). */
  data: Readonly<Record<string, string>>;
}

/** Maps a broker's book row back to our symbol, without the adapter touching the database. */
export type ResolveBrokerInstrument = (query: {
  brSymbol?: string;
  token?: string;
  brExchange: string;
}) => ResolvedInstrument | undefined;

/** Everything an adapter call needs, passed in by the core: adapters hold no state of their own. */
export interface BrokerContext {
  session: BrokerSession;
  logger: Logger;
  now: () => number;
  signal?: AbortSignal;
  resolveBrokerInstrument: ResolveBrokerInstrument;
}

// ---------------------------------------------------------------- authentication

export interface LoginField {
  name: string;
  label: string;
  kind: 'text' | 'password' | 'pin' | 'mpin' | 'totp' | 'date' | 'mobile';
  pattern?: string;
  maxLength?: number;
}

export type LoginFlow =
  | { kind: 'none' }
  | { kind: 'oauth-redirect'; callbackParams: readonly string[]; stateRequired: boolean }
  | { kind: 'credential-form'; fields: readonly LoginField[] }
  | { kind: 'key-only' };

export interface LoginContext {
  /** Where the broker must send the user back (oauth). */
  redirectUrl: string;
  /** Anti-CSRF state the core generated for this login (oauth). */
  state: string;
  logger: Logger;
  now: () => number;
  signal?: AbortSignal;
}

export type LoginStep =
  | { kind: 'redirect'; url: string }
  | { kind: 'form'; fields: readonly LoginField[] }
  | { kind: 'done'; session: BrokerSession };

/** Callback query parameters (oauth) or form values (credentials). */
export type LoginInput = Readonly<Record<string, string>>;

export interface BrokerAuth {
  loginFlow: LoginFlow;
  startLogin(context: LoginContext): Promise<LoginStep>;
  completeLogin(input: LoginInput, context: LoginContext): Promise<BrokerSession>;
  /** Throws `TokenExpiredError` when the stored session is no longer accepted. */
  validateSession?(context: BrokerContext): Promise<void>;
  refreshSession?(context: BrokerContext): Promise<BrokerSession>;
  logout?(context: BrokerContext): Promise<void>;
}

// ---------------------------------------------------------------- orders and portfolio

export interface BrokerOrders {
  placeOrder(request: OrderRequest, context: BrokerContext): Promise<OrderAck>;
  modifyOrder(ref: OrderRef, change: OrderChange, context: BrokerContext): Promise<OrderAck>;
  cancelOrder(ref: OrderRef, context: BrokerContext): Promise<OrderAck>;
  /** The whole order book in one call; an empty book is `[]`. */
  fetchOrders(context: BrokerContext): Promise<readonly Order[]>;
  /** One order's latest state; throws `OrderNotFoundError`. */
  fetchOrder(ref: OrderRef, context: BrokerContext): Promise<Order>;
  fetchTrades(context: BrokerContext): Promise<readonly Trade[]>;
  /** Native cancel-all, when `capabilities.cancelAllOrders` is `true` (else the core emulates). */
  cancelAllOrders?(context: BrokerContext): Promise<readonly OrderAck[]>;
}

export interface BrokerPortfolio {
  fetchPositions(context: BrokerContext): Promise<readonly Position[]>;
  fetchHoldings(context: BrokerContext): Promise<readonly Holding[]>;
  fetchFunds(context: BrokerContext): Promise<Funds>;
  /** Native square-off, when `capabilities.closeAllPositions` is `true` (else the core emulates). */
  closeAllPositions?(context: BrokerContext): Promise<readonly OrderAck[]>;
}

// ---------------------------------------------------------------- market data

export type QuoteResult =
  | { ok: true; instrument: ResolvedInstrument; quote: Quote }
  | { ok: false; instrument: ResolvedInstrument; error: OpenAlgoError };

export interface BrokerMarketData {
  /** At most `limits.quoteBatch` instruments per call; the core batches. */
  fetchQuotes(
    instruments: readonly ResolvedInstrument[],
    context: BrokerContext,
  ): Promise<readonly QuoteResult[]>;
  /** Padded to `levels` on each side. */
  fetchDepth(instrument: ResolvedInstrument, levels: number, context: BrokerContext): Promise<Depth>;
  /** One chunk within `limits.historyMaxDays[interval]`; the core loops and fails loudly on gaps. */
  fetchHistory(request: HistoryChunkRequest, context: BrokerContext): Promise<readonly Candle[]>;
  readonly intervals: readonly Interval[];
}

// ---------------------------------------------------------------- instruments

export interface InstrumentsContext {
  /** Present when `requiresSession`. */
  session?: BrokerSession;
  logger: Logger;
  now: () => number;
  signal?: AbortSignal;
}

export interface BrokerInstruments {
  requiresSession: boolean;
  /** A pure transform: download → parse → yield normalized rows, in batches. Never touches a database. */
  download(context: InstrumentsContext): AsyncIterable<readonly InstrumentRow[]>;
}

// ---------------------------------------------------------------- streaming

export interface StreamSubscription {
  instrument: ResolvedInstrument;
  mode: StreamMode;
  depthLevel?: number;
}

export type StreamState =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'reconnecting'; attempt: number; delayMs: number; reason: string }
  | { state: 'stale'; silentForMs: number }
  | { state: 'closed'; reason: string }
  | { state: 'auth-failed'; reason: string };

export type Unsubscribe = () => void;

export interface MarketDataStream {
  connect(): Promise<void>;
  close(): Promise<void>;
  subscribe(subscriptions: readonly StreamSubscription[]): void;
  unsubscribe(subscriptions: readonly StreamSubscription[]): void;
  onTick(listener: (tick: Tick) => void): Unsubscribe;
  onState(listener: (state: StreamState) => void): Unsubscribe;
}

export interface StreamContext extends BrokerContext {
  /** Called by the stream when the broker rejects the session; resolves with a fresh one. */
  refreshSession?: () => Promise<BrokerSession>;
}

export interface MarketDataStreamFactory {
  limits: { maxInstrumentsPerConnection: number; maxConnections: number; depthLevels: readonly number[] };
  create(context: StreamContext): MarketDataStream;
}

export interface OrderUpdateStream {
  connect(): Promise<void>;
  close(): Promise<void>;
  onUpdate(listener: (update: OrderUpdate) => void): Unsubscribe;
  onState(listener: (state: StreamState) => void): Unsubscribe;
}

export interface OrderUpdateStreamFactory {
  create(context: StreamContext): OrderUpdateStream;
}

export interface BrokerStreams {
  marketData?: MarketDataStreamFactory;
  orderUpdates?: OrderUpdateStreamFactory;
}

// ---------------------------------------------------------------- optional duties

export interface BrokerGtt {
  placeGtt(request: GttRequest, context: BrokerContext): Promise<{ triggerId: string }>;
  modifyGtt(triggerId: string, request: GttRequest, context: BrokerContext): Promise<{ triggerId: string }>;
  cancelGtt(triggerId: string, context: BrokerContext): Promise<{ triggerId: string }>;
  fetchGtts(context: BrokerContext): Promise<readonly Gtt[]>;
}

export interface BrokerMargin {
  calculateMargin(legs: readonly MarginLeg[], context: BrokerContext): Promise<MarginResult>;
}

// ---------------------------------------------------------------- the adapter

export interface BrokerAdapterV1 {
  readonly specificationVersion: SpecificationVersionV1;
  readonly id: string;
  readonly family: BrokerFamily;
  readonly displayName: string;
  readonly brokerType: 'IN_stock' | 'crypto';
  readonly exchanges: readonly Exchange[];
  readonly capabilities: BrokerCapabilities;
  readonly limits: BrokerLimits;
  readonly auth: BrokerAuth;
  readonly orders: BrokerOrders;
  readonly portfolio: BrokerPortfolio;
  readonly marketData: BrokerMarketData;
  readonly instruments: BrokerInstruments;
  readonly streams: BrokerStreams;
  /** Methods throw `NotSupportedError` when `capabilities.gtt` is false. */
  readonly gtt: BrokerGtt;
  /** Methods throw `NotSupportedError` when `capabilities.marginCalculator` is false. */
  readonly margin: BrokerMargin;
}
