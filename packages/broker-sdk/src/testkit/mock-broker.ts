import type {
  Candle,
  Depth,
  Funds,
  Gtt,
  GttRequest,
  Holding,
  InstrumentRow,
  Interval,
  Order,
  OrderAck,
  OrderUpdate,
  Position,
  ResolvedInstrument,
  StreamMode,
  Tick,
  Trade,
} from '@openalgo/shared-types';
import { type Dec, roundTo, roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import type { BrokerCapabilities, CapabilityName } from '../capabilities.js';
import {
  BadSymbolError,
  BrokerUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  OrderNotFoundError,
  RateLimitError,
  RequestTimeoutError,
  TokenExpiredError,
} from '../errors.js';
import type { BrokerLimits, BrokerOperation } from '../limits.js';
import type {
  BrokerAdapterV1,
  BrokerAuth,
  BrokerContext,
  BrokerGtt,
  BrokerInstruments,
  BrokerMargin,
  BrokerMarketData,
  BrokerOrders,
  BrokerPortfolio,
  BrokerSession,
  BrokerStreams,
  MarketDataStream,
  OrderUpdateStream,
  QuoteResult,
  StreamState,
  StreamSubscription,
  Unsubscribe,
} from '../v1/adapter.js';
import type { FakeServerControl } from './fake-server-control.js';

/**
 * A recording mock broker implementing the whole v1 contract in memory, for the tests of code
 * that uses brokers (the api, the sandbox). It behaves like a small paper broker (orders rest or
 * fill against a settable price, positions follow trades, streams tick on demand), records
 * every call, lets a test replace any method or fail its next call, and honours its capability
 * map: a capability set to `false` makes the method throw `NotSupportedError`. It passes the
 * conformance suite itself, through `mock.control`.
 */

export type MockMethod =
  | 'auth.startLogin'
  | 'auth.completeLogin'
  | 'auth.validateSession'
  | 'auth.refreshSession'
  | 'auth.logout'
  | 'orders.placeOrder'
  | 'orders.modifyOrder'
  | 'orders.cancelOrder'
  | 'orders.fetchOrders'
  | 'orders.fetchOrder'
  | 'orders.fetchTrades'
  | 'orders.cancelAllOrders'
  | 'portfolio.fetchPositions'
  | 'portfolio.fetchHoldings'
  | 'portfolio.fetchFunds'
  | 'portfolio.closeAllPositions'
  | 'marketData.fetchQuotes'
  | 'marketData.fetchDepth'
  | 'marketData.fetchHistory'
  | 'instruments.download'
  | 'gtt.placeGtt'
  | 'gtt.modifyGtt'
  | 'gtt.cancelGtt'
  | 'gtt.fetchGtts'
  | 'margin.calculateMargin'
  | 'streams.marketData.connect'
  | 'streams.marketData.subscribe'
  | 'streams.marketData.unsubscribe'
  | 'streams.orderUpdates.connect';

export interface RecordedCall {
  method: MockMethod;
  args: readonly unknown[];
  at: number;
}

export interface MockBrokerOptions {
  id?: string;
  displayName?: string;
  /** Overrides of the default capability map (everything on, cancel-all and close-all emulated). */
  capabilities?: Partial<BrokerCapabilities>;
  /** Symbol master rows; default: SBIN, RELIANCE, NIFTY (index), a NIFTY future and a call. */
  instruments?: readonly InstrumentRow[];
  /** Starting cash, decimal text. Default 1,000,000. */
  cash?: string;
  now?: () => number;
}

export const MOCK_CAPABILITIES: BrokerCapabilities = {
  placeOrder: true,
  modifyOrder: true,
  cancelOrder: true,
  fetchOrders: true,
  fetchOrder: true,
  fetchTrades: true,
  fetchPositions: true,
  fetchHoldings: true,
  fetchFunds: true,
  cancelAllOrders: 'emulated',
  closeAllPositions: 'emulated',
  marketOrder: true,
  stopLossMarketOrder: true,
  afterMarketOrder: true,
  iocValidity: true,
  fetchQuotes: true,
  fetchDepth: true,
  fetchHistory: true,
  historyOpenInterest: true,
  streamMarketData: true,
  streamDepthLevels: [5],
  streamOrderUpdates: true,
  gtt: true,
  marginCalculator: true,
  basketMargin: true,
  positionsIncludeLtp: true,
};

export const MOCK_LIMITS: BrokerLimits = {
  rate: { scope: 'account', buckets: [] },
  quoteBatch: 50,
  historyMaxDays: { '1m': 30, '5m': 60, '15m': 90, '1h': 200, D: 2_000 },
  instrumentsPerStream: 1_000,
  maxStreamConnections: 1,
};

const INTERVAL_SECONDS: Readonly<Record<string, number>> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3_600 };

function defaultRows(): InstrumentRow[] {
  const base = { strike: '0', contract_value: null } as const;
  return [
    {
      ...base,
      symbol: 'SBIN',
      brsymbol: 'SBIN-EQ',
      name: 'STATE BANK OF INDIA',
      exchange: 'NSE',
      brexchange: 'NSE',
      token: '3045',
      expiry: '',
      lotsize: 1,
      instrumenttype: 'EQ',
      tick_size: '0.05',
    },
    {
      ...base,
      symbol: 'RELIANCE',
      brsymbol: 'RELIANCE-EQ',
      name: 'RELIANCE INDUSTRIES',
      exchange: 'NSE',
      brexchange: 'NSE',
      token: '2885',
      expiry: '',
      lotsize: 1,
      instrumenttype: 'EQ',
      tick_size: '0.05',
    },
    {
      ...base,
      symbol: 'NIFTY',
      brsymbol: 'Nifty 50',
      name: 'NIFTY',
      exchange: 'NSE_INDEX',
      brexchange: 'NSE',
      token: '26000',
      expiry: '',
      lotsize: 1,
      instrumenttype: 'INDEX',
      tick_size: '0.05',
    },
    {
      ...base,
      symbol: 'NIFTY30DEC99FUT',
      brsymbol: 'NIFTY99DECFUT',
      name: 'NIFTY',
      exchange: 'NFO',
      brexchange: 'NFO',
      token: '50001',
      expiry: '30-DEC-99',
      lotsize: 75,
      instrumenttype: 'FUT',
      tick_size: '0.1',
    },
    {
      symbol: 'NIFTY30DEC9924000CE',
      brsymbol: 'NIFTY99DEC24000CE',
      name: 'NIFTY',
      exchange: 'NFO',
      brexchange: 'NFO',
      token: '50002',
      expiry: '30-DEC-99',
      strike: '24000',
      lotsize: 75,
      instrumenttype: 'CE',
      tick_size: '0.05',
      contract_value: null,
    },
  ];
}

const DEFAULT_PRICES: Readonly<Record<string, string>> = {
  'NSE:SBIN': '800',
  'NSE:RELIANCE': '2800',
  'NSE_INDEX:NIFTY': '24000',
  'NFO:NIFTY30DEC99FUT': '24100',
  'NFO:NIFTY30DEC9924000CE': '210.5',
};

interface MockOrder extends Order {
  instrument: ResolvedInstrument;
  validity: 'DAY' | 'IOC';
}

const WRITES: ReadonlySet<BrokerOperation> = new Set(['placeOrder', 'modifyOrder', 'cancelOrder']);

type Handler = (...args: never[]) => unknown;

export class MockBroker implements BrokerAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly family = 'other' as const;
  readonly displayName: string;
  readonly brokerType = 'IN_stock' as const;
  readonly exchanges = ['NSE', 'NFO', 'NSE_INDEX'] as const;
  readonly capabilities: BrokerCapabilities;
  readonly limits = MOCK_LIMITS;
  /** Every call made to the adapter, in order. */
  readonly calls: RecordedCall[] = [];
  readonly auth: BrokerAuth;
  readonly orders: BrokerOrders;
  readonly portfolio: BrokerPortfolio;
  readonly marketData: BrokerMarketData;
  readonly instruments: BrokerInstruments;
  readonly streams: BrokerStreams;
  readonly gtt: BrokerGtt;
  readonly margin: BrokerMargin;
  /** The switches the conformance suite (and any test) drives. */
  readonly control: FakeServerControl;

  readonly #now: () => number;
  readonly #rows: readonly InstrumentRow[];
  readonly #prices = new Map<string, Dec>();
  readonly #orders = new Map<string, MockOrder>();
  readonly #trades: Trade[] = [];
  readonly #holdings: Holding[] = [];
  readonly #gtts = new Map<string, Gtt>();
  readonly #overrides = new Map<MockMethod, Handler>();
  readonly #failures: Array<{ match: MockMethod | BrokerOperation; error: () => Error; remaining: number }> =
    [];
  readonly #marketStreams = new Set<MockMarketDataStream>();
  readonly #orderStreams = new Set<MockOrderUpdateStream>();
  #cash: Dec;
  #generation = 0;
  #sequence = 0;

  constructor(options: MockBrokerOptions = {}) {
    this.id = options.id ?? 'mock';
    this.displayName = options.displayName ?? 'Mock broker';
    this.capabilities = { ...MOCK_CAPABILITIES, ...options.capabilities };
    this.#now = options.now ?? Date.now;
    this.#rows = options.instruments ?? defaultRows();
    this.#cash = toDecimal(options.cash ?? '1000000');
    for (const row of this.#rows) {
      this.#prices.set(
        `${row.exchange}:${row.symbol}`,
        toDecimal(DEFAULT_PRICES[`${row.exchange}:${row.symbol}`] ?? '100'),
      );
    }
    this.auth = this.#createAuth();
    this.orders = this.#createOrders();
    this.portfolio = this.#createPortfolio();
    this.marketData = this.#createMarketData();
    this.instruments = this.#createInstruments();
    this.streams = this.#createStreams();
    this.gtt = this.#createGtt();
    this.margin = this.#createMargin();
    this.control = this.#createControl();
  }

  // ------------------------------------------------------------ test surface

  /** The recorded calls of one method. */
  callsOf(method: MockMethod): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Replaces a method's behaviour (arguments as the contract passes them). */
  respond(method: MockMethod, handler: Handler): this {
    this.#overrides.set(method, handler);
    return this;
  }

  /** The next `times` calls of a method (or of a metered operation) throw `error`. */
  failNext(match: MockMethod | BrokerOperation, error: Error | (() => Error), times = 1): this {
    this.#failures.push({
      match,
      error: typeof error === 'function' ? error : () => error,
      remaining: times,
    });
    return this;
  }

  /** A session the mock accepts. */
  createSession(): BrokerSession {
    this.#sequence += 1;
    return {
      brokerId: this.id,
      accessToken: `mock-${this.#generation}-${this.#sequence}`,
      issuedAt: this.#now(),
      data: {},
    };
  }

  setPrice(exchange: string, symbol: string, price: string): void {
    this.#prices.set(`${exchange}:${symbol}`, toDecimal(price));
    const instrument = this.#instrumentOf(exchange, symbol);
    for (const order of this.#orders.values()) {
      if (order.exchange === exchange && order.symbol === symbol) {
        this.#match(order);
      }
    }
    this.#pushTicks(instrument);
  }

  /** Delivers a tick to every market-data stream subscribed to its instrument. */
  emitTick(tick: Tick): void {
    for (const stream of this.#marketStreams) {
      stream.deliver(tick);
    }
  }

  /** Delivers an order update to every connected order-update stream. */
  emitOrderUpdate(update: OrderUpdate): void {
    for (const stream of this.#orderStreams) {
      stream.deliver(update);
    }
  }

  /** Forgets recorded calls, overrides and pending failures (the book stays). */
  resetCalls(): void {
    this.calls.length = 0;
    this.#overrides.clear();
    this.#failures.length = 0;
  }

  // ------------------------------------------------------------ plumbing

  async #invoke<T>(
    method: MockMethod,
    operation: BrokerOperation,
    capability: CapabilityName | undefined,
    args: readonly unknown[],
    context: Pick<BrokerContext, 'session'> | undefined,
    run: () => T | Promise<T>,
  ): Promise<T> {
    this.calls.push({ method, args, at: this.#now() });
    if (capability && this.capabilities[capability] === false) {
      throw new NotSupportedError(`${this.displayName} does not support ${capability}`, {
        context: { broker: this.id, capability },
      });
    }
    if (context) {
      this.#checkSession(context.session);
    }
    const failure = this.#failures.find((entry) => entry.match === method || entry.match === operation);
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) {
        this.#failures.splice(this.#failures.indexOf(failure), 1);
      }
      throw failure.error();
    }
    const override = this.#overrides.get(method);
    if (override) {
      return (await (override as (...values: readonly unknown[]) => unknown)(...args)) as T;
    }
    return run();
  }

  #checkSession(session: BrokerSession): void {
    const match = /^mock-(\d+)-\d+$/.exec(session.accessToken);
    if (!match || Number(match[1]) !== this.#generation) {
      throw new TokenExpiredError('Mock session expired: log in again', { context: { broker: this.id } });
    }
  }

  #instrumentOf(exchange: string, symbol: string): ResolvedInstrument {
    const row = this.#rows.find(
      (candidate) => candidate.exchange === exchange && candidate.symbol === symbol,
    );
    if (!row) {
      throw new BadSymbolError(`Unknown symbol ${exchange}:${symbol}`, { context: { exchange, symbol } });
    }
    return {
      symbol: row.symbol,
      exchange: row.exchange,
      brSymbol: row.brsymbol,
      brExchange: row.brexchange,
      token: row.token,
      name: row.name,
      lotSize: row.lotsize,
      tickSize: row.tick_size,
      instrumentType: row.instrumenttype,
      ...(row.expiry ? { expiry: row.expiry } : {}),
      ...(row.instrumenttype === 'CE' || row.instrumenttype === 'PE'
        ? { strike: row.strike, optionType: row.instrumenttype }
        : {}),
    };
  }

  /** The mock's own instrument behind a resolved one (by token, then by symbol). */
  #known(instrument: ResolvedInstrument): ResolvedInstrument {
    const row =
      this.#rows.find(
        (candidate) => candidate.brexchange === instrument.brExchange && candidate.token === instrument.token,
      ) ??
      this.#rows.find(
        (candidate) => candidate.exchange === instrument.exchange && candidate.symbol === instrument.symbol,
      );
    if (!row) {
      throw new BadSymbolError(`Unknown symbol ${instrument.exchange}:${instrument.symbol}`, {
        context: { exchange: instrument.exchange, symbol: instrument.symbol },
      });
    }
    return this.#instrumentOf(row.exchange, row.symbol);
  }

  #ltp(instrument: ResolvedInstrument): Dec {
    return this.#prices.get(`${instrument.exchange}:${instrument.symbol}`) ?? toDecimal('100');
  }

  #nextId(prefix: string): string {
    this.#sequence += 1;
    return `${prefix}${String(this.#sequence).padStart(8, '0')}`;
  }

  #touch(order: MockOrder): void {
    order.updatedAt = this.#now();
    const live = order.status === 'open' || order.status === 'trigger pending';
    order.pendingQuantity = live ? order.quantity - order.filledQuantity : 0;
    const update: OrderUpdate = {
      orderid: order.orderId,
      symbol: order.symbol,
      exchange: order.exchange,
      action: order.action,
      quantity: order.quantity,
      price: Number(order.price),
      trigger_price: Number(order.triggerPrice),
      pricetype: order.priceType,
      product: order.product,
      order_status: order.status,
      filled_quantity: order.filledQuantity,
      pending_quantity: order.pendingQuantity,
      average_price: Number(order.averagePrice),
      rejection_reason: order.rejectionReason ?? '',
      timestamp: order.updatedAt,
    };
    this.emitOrderUpdate(update);
  }

  #fill(order: MockOrder, quantity: number, price: Dec): void {
    const filledBefore = toDecimal(order.averagePrice).mul(order.filledQuantity);
    order.filledQuantity += quantity;
    order.averagePrice = roundTo(
      filledBefore.add(price.mul(quantity)).div(order.filledQuantity),
      4,
      'nearest',
    ).toString();
    const value = price.mul(quantity);
    this.#cash = order.action === 'BUY' ? this.#cash.sub(value) : this.#cash.add(value);
    this.#trades.push({
      tradeId: this.#nextId('T'),
      orderId: order.orderId,
      symbol: order.symbol,
      exchange: order.exchange,
      action: order.action,
      quantity,
      price: price.toString(),
      product: order.product,
      tradedAt: this.#now(),
      raw: { mock: true },
    });
    if (order.filledQuantity === order.quantity) {
      order.status = 'complete';
    }
  }

  /** Fills, triggers or (IOC) cancels an order against the current price. */
  #match(order: MockOrder): void {
    const ltp = this.#ltp(order.instrument);
    if (order.status === 'trigger pending') {
      const trigger = toDecimal(order.triggerPrice);
      const isTriggered = order.action === 'BUY' ? ltp.gte(trigger) : ltp.lte(trigger);
      if (!isTriggered) {
        return;
      }
      order.status = 'open';
    }
    if (order.status !== 'open' || order.variety === 'amo') {
      return;
    }
    const isMarket = order.priceType === 'MARKET' || order.priceType === 'SL-M';
    const limit = toDecimal(order.price);
    const isMarketable = isMarket || (order.action === 'BUY' ? limit.gte(ltp) : limit.lte(ltp));
    if (isMarketable) {
      this.#fill(order, order.quantity - order.filledQuantity, isMarket ? ltp : limit);
    } else if (order.validity === 'IOC') {
      order.status = 'cancelled';
    }
    this.#touch(order);
  }

  #order(orderId: string): MockOrder {
    const order = this.#orders.get(orderId);
    if (!order) {
      throw new OrderNotFoundError(`Order ${orderId} not found`, { context: { orderId } });
    }
    return order;
  }

  #public(order: MockOrder): Order {
    const { instrument: _instrument, validity: _validity, ...rest } = order;
    return { ...rest };
  }

  #positions(): Position[] {
    const byKey = new Map<
      string,
      {
        exchange: string;
        symbol: string;
        product: Trade['product'];
        buy: number;
        sell: number;
        buyValue: Dec;
        sellValue: Dec;
      }
    >();
    for (const trade of this.#trades) {
      const key = `${trade.exchange}:${trade.symbol}:${trade.product}`;
      const entry = byKey.get(key) ?? {
        exchange: trade.exchange,
        symbol: trade.symbol,
        product: trade.product,
        buy: 0,
        sell: 0,
        buyValue: toDecimal(0),
        sellValue: toDecimal(0),
      };
      const value = toDecimal(trade.price).mul(trade.quantity);
      if (trade.action === 'BUY') {
        entry.buy += trade.quantity;
        entry.buyValue = entry.buyValue.add(value);
      } else {
        entry.sell += trade.quantity;
        entry.sellValue = entry.sellValue.add(value);
      }
      byKey.set(key, entry);
    }
    return [...byKey.values()].map((entry): Position => {
      const instrument = this.#instrumentOf(entry.exchange, entry.symbol);
      const ltp = this.#ltp(instrument);
      const quantity = entry.buy - entry.sell;
      const average =
        quantity > 0
          ? entry.buyValue.div(entry.buy)
          : quantity < 0
            ? entry.sellValue.div(entry.sell)
            : toDecimal(0);
      const matched = Math.min(entry.buy, entry.sell);
      const realized =
        matched === 0
          ? toDecimal(0)
          : entry.sellValue.div(entry.sell).sub(entry.buyValue.div(entry.buy)).mul(matched);
      const unrealized = ltp.sub(average).mul(quantity);
      const realizedText = roundTo(realized, 2, 'nearest');
      const unrealizedText = roundTo(unrealized, 2, 'nearest');
      return {
        symbol: entry.symbol,
        exchange: instrument.exchange,
        product: entry.product,
        quantity,
        averagePrice: roundTo(average, 4, 'nearest').toString(),
        ltp: ltp.toString(),
        realizedPnl: realizedText.toString(),
        unrealizedPnl: unrealizedText.toString(),
        pnl: realizedText.add(unrealizedText).toString(),
        buyQuantity: entry.buy,
        sellQuantity: entry.sell,
        buyValue: entry.buyValue.toString(),
        sellValue: entry.sellValue.toString(),
        raw: { mock: true },
      };
    });
  }

  #pushTicks(only?: ResolvedInstrument): void {
    for (const stream of this.#marketStreams) {
      for (const [key, mode] of stream.wanted()) {
        const [exchange, symbol] = key.split(':') as [string, string];
        if (only && (only.exchange !== exchange || only.symbol !== symbol)) {
          continue;
        }
        stream.deliver(this.#tick(this.#instrumentOf(exchange, symbol), mode));
      }
    }
  }

  #tick(instrument: ResolvedInstrument, mode: StreamMode): Tick {
    const ltp = Number(this.#ltp(instrument).toString());
    const tick: Tick = {
      symbol: instrument.symbol,
      exchange: instrument.exchange,
      mode,
      ltp,
      timestamp: this.#now(),
    };
    if (mode === 'ltp') {
      return tick;
    }
    Object.assign(tick, { open: ltp, high: ltp, low: ltp, close: ltp, volume: 1_000, last_quantity: 1 });
    if (mode === 'depth') {
      const depth = this.#depthOf(instrument, 5);
      tick.depth = {
        buy: depth.bids.map((level) => ({
          price: Number(level.price),
          quantity: level.quantity,
          orders: level.orders,
        })),
        sell: depth.asks.map((level) => ({
          price: Number(level.price),
          quantity: level.quantity,
          orders: level.orders,
        })),
      };
    }
    return tick;
  }

  #depthOf(instrument: ResolvedInstrument, levels: number): Depth {
    const ltp = this.#ltp(instrument);
    const tick = toDecimal(instrument.tickSize);
    const isIndex = instrument.instrumentType === 'INDEX';
    const side = (sign: 1 | -1) =>
      Array.from({ length: levels }, (_, index) =>
        isIndex
          ? { price: '0', quantity: 0, orders: 0 }
          : {
              price: roundToTick(ltp.add(tick.mul(sign * (index + 1))), tick, 'nearest').toString(),
              quantity: 100 * (index + 1),
              orders: index + 1,
            },
      );
    const bids = side(-1);
    const asks = side(1);
    const total = (rows: typeof bids) => rows.reduce((sum, level) => sum + level.quantity, 0);
    const price = ltp.toString();
    return {
      bids,
      asks,
      ltp: price,
      ltq: isIndex ? 0 : 1,
      open: price,
      high: price,
      low: price,
      prevClose: price,
      volume: isIndex ? 0 : 1_000,
      oi: 0,
      totalBuyQuantity: total(bids),
      totalSellQuantity: total(asks),
    };
  }

  // ------------------------------------------------------------ the contract's modules

  #createAuth(): BrokerAuth {
    return {
      loginFlow: { kind: 'key-only' },
      startLogin: (context) =>
        this.#invoke('auth.startLogin', 'auth', undefined, [context], undefined, () => ({
          kind: 'done' as const,
          session: this.createSession(),
        })),
      completeLogin: (input, context) =>
        this.#invoke('auth.completeLogin', 'auth', undefined, [input, context], undefined, () =>
          this.createSession(),
        ),
      validateSession: (context) =>
        this.#invoke('auth.validateSession', 'auth', undefined, [context], context, () => undefined),
      refreshSession: (context) =>
        this.#invoke('auth.refreshSession', 'auth', undefined, [context], undefined, () =>
          this.createSession(),
        ),
      logout: (context) =>
        this.#invoke('auth.logout', 'auth', undefined, [context], context, () => undefined),
    };
  }

  #createOrders(): BrokerOrders {
    const orders: BrokerOrders = {
      placeOrder: (request, context) => {
        const capability: CapabilityName =
          request.priceType === 'MARKET'
            ? 'marketOrder'
            : request.priceType === 'SL-M'
              ? 'stopLossMarketOrder'
              : request.amo
                ? 'afterMarketOrder'
                : request.validity === 'IOC'
                  ? 'iocValidity'
                  : 'placeOrder';
        return this.#invoke(
          'orders.placeOrder',
          'placeOrder',
          capability,
          [request, context],
          context,
          () => {
            if (this.capabilities.placeOrder === false) {
              throw new NotSupportedError(`${this.displayName} does not support placeOrder`);
            }
            const instrument = this.#known(request.instrument);
            if (instrument.instrumentType === 'INDEX') {
              throw new InvalidOrderError(`${instrument.symbol} is an index and cannot be traded`);
            }
            if (request.quantity % instrument.lotSize !== 0) {
              throw new InvalidOrderError(
                `Quantity ${request.quantity} is not a multiple of the lot size ${instrument.lotSize}`,
              );
            }
            const reference =
              request.priceType === 'LIMIT' || request.priceType === 'SL'
                ? toDecimal(request.price)
                : this.#ltp(instrument);
            if (request.action === 'BUY' && reference.mul(request.quantity).gt(this.#cash)) {
              throw new InsufficientFundsError(
                `Insufficient funds: ${reference.mul(request.quantity).toString()} needed, ${this.#cash.toString()} available`,
              );
            }
            const now = this.#now();
            const isStop = request.priceType === 'SL' || request.priceType === 'SL-M';
            const order: MockOrder = {
              orderId: this.#nextId('M'),
              symbol: instrument.symbol,
              exchange: instrument.exchange,
              action: request.action,
              quantity: request.quantity,
              filledQuantity: 0,
              pendingQuantity: request.quantity,
              price:
                request.priceType === 'MARKET' || request.priceType === 'SL-M'
                  ? '0'
                  : toDecimal(request.price).toString(),
              triggerPrice: isStop ? toDecimal(request.triggerPrice).toString() : '0',
              averagePrice: '0',
              priceType: request.priceType,
              product: request.product,
              status: isStop ? 'trigger pending' : 'open',
              variety: request.amo ? 'amo' : 'regular',
              clientOrderId: request.clientOrderId,
              placedAt: now,
              updatedAt: now,
              raw: { mock: true },
              instrument,
              validity: request.validity,
            };
            this.#orders.set(order.orderId, order);
            this.#touch(order);
            this.#match(order);
            return { orderId: order.orderId, raw: { status: 'success', orderid: order.orderId } };
          },
        );
      },
      modifyOrder: (ref, change, context) =>
        this.#invoke(
          'orders.modifyOrder',
          'modifyOrder',
          'modifyOrder',
          [ref, change, context],
          context,
          () => {
            const order = this.#order(ref.orderId);
            if (order.status !== 'open' && order.status !== 'trigger pending') {
              throw new InvalidOrderError(`Order ${order.orderId} is ${order.status} and cannot be modified`);
            }
            if (change.quantity < order.filledQuantity) {
              throw new InvalidOrderError('The new quantity is below what is already filled');
            }
            order.quantity = change.quantity;
            order.priceType = change.priceType;
            order.price =
              change.priceType === 'MARKET' || change.priceType === 'SL-M'
                ? '0'
                : toDecimal(change.price).toString();
            order.triggerPrice =
              change.priceType === 'SL' || change.priceType === 'SL-M'
                ? toDecimal(change.triggerPrice).toString()
                : '0';
            this.#touch(order);
            this.#match(order);
            return { orderId: order.orderId, raw: { status: 'success' } };
          },
        ),
      cancelOrder: (ref, context) =>
        this.#invoke('orders.cancelOrder', 'cancelOrder', 'cancelOrder', [ref, context], context, () => {
          const order = this.#order(ref.orderId);
          if (order.status !== 'open' && order.status !== 'trigger pending') {
            throw new InvalidOrderError(`Order ${order.orderId} is ${order.status} and cannot be cancelled`);
          }
          order.status = 'cancelled';
          this.#touch(order);
          return { orderId: order.orderId, raw: { status: 'success' } };
        }),
      fetchOrders: (context) =>
        this.#invoke('orders.fetchOrders', 'fetchOrders', 'fetchOrders', [context], context, () =>
          [...this.#orders.values()].map((order) => this.#public(order)),
        ),
      fetchOrder: (ref, context) =>
        this.#invoke('orders.fetchOrder', 'fetchOrder', 'fetchOrder', [ref, context], context, () =>
          this.#public(this.#order(ref.orderId)),
        ),
      fetchTrades: (context) =>
        this.#invoke('orders.fetchTrades', 'fetchTrades', 'fetchTrades', [context], context, () => [
          ...this.#trades,
        ]),
    };
    if (this.capabilities.cancelAllOrders !== 'emulated') {
      orders.cancelAllOrders = (context) =>
        this.#invoke('orders.cancelAllOrders', 'cancelOrder', 'cancelAllOrders', [context], context, () => {
          const acks: OrderAck[] = [];
          for (const order of this.#orders.values()) {
            if (order.status === 'open' || order.status === 'trigger pending') {
              order.status = 'cancelled';
              this.#touch(order);
              acks.push({ orderId: order.orderId, raw: { status: 'success' } });
            }
          }
          return acks;
        });
    }
    return orders;
  }

  #createPortfolio(): BrokerPortfolio {
    const portfolio: BrokerPortfolio = {
      fetchPositions: (context) =>
        this.#invoke('portfolio.fetchPositions', 'fetchPositions', 'fetchPositions', [context], context, () =>
          this.#positions(),
        ),
      fetchHoldings: (context) =>
        this.#invoke('portfolio.fetchHoldings', 'fetchHoldings', 'fetchHoldings', [context], context, () =>
          this.#holdings.map((holding) => {
            const ltp = this.#ltp(this.#instrumentOf(holding.exchange, holding.symbol));
            const pnl = ltp.sub(toDecimal(holding.averagePrice)).mul(holding.quantity);
            return { ...holding, ltp: ltp.toString(), pnl: roundTo(pnl, 2, 'nearest').toString() };
          }),
        ),
      fetchFunds: (context) =>
        this.#invoke('portfolio.fetchFunds', 'fetchFunds', 'fetchFunds', [context], context, (): Funds => {
          const positions = this.#positions();
          const sum = (field: 'realizedPnl' | 'unrealizedPnl') =>
            positions.reduce((total, position) => total.add(toDecimal(position[field] ?? '0')), toDecimal(0));
          return {
            availableCash: this.#cash.toString(),
            collateral: '0',
            utilisedDebits: '0',
            m2mRealized: sum('realizedPnl').toString(),
            m2mUnrealized: sum('unrealizedPnl').toString(),
            raw: { mock: true },
          };
        }),
    };
    if (this.capabilities.closeAllPositions !== 'emulated') {
      portfolio.closeAllPositions = (context) =>
        this.#invoke(
          'portfolio.closeAllPositions',
          'placeOrder',
          'closeAllPositions',
          [context],
          context,
          async () => {
            const acks: OrderAck[] = [];
            for (const position of this.#positions()) {
              if (position.quantity === 0) {
                continue;
              }
              acks.push(
                await this.orders.placeOrder(
                  {
                    instrument: this.#instrumentOf(position.exchange, position.symbol),
                    action: position.quantity > 0 ? 'SELL' : 'BUY',
                    quantity: Math.abs(position.quantity),
                    product: position.product,
                    priceType: 'MARKET',
                    price: '0',
                    triggerPrice: '0',
                    disclosedQuantity: 0,
                    validity: 'DAY',
                    clientOrderId: 'closeall',
                  },
                  context,
                ),
              );
            }
            return acks;
          },
        );
    }
    return portfolio;
  }

  #createMarketData(): BrokerMarketData {
    return {
      intervals: ['1m', '5m', '15m', '1h', 'D'] as readonly Interval[],
      fetchQuotes: (instruments, context) =>
        this.#invoke(
          'marketData.fetchQuotes',
          'fetchQuotes',
          'fetchQuotes',
          [instruments, context],
          context,
          () =>
            instruments.map((requested): QuoteResult => {
              try {
                const instrument = this.#known(requested);
                const depth = this.#depthOf(instrument, 1);
                return {
                  ok: true,
                  instrument: requested,
                  quote: {
                    ltp: depth.ltp,
                    open: depth.open,
                    high: depth.high,
                    low: depth.low,
                    prevClose: depth.prevClose,
                    bid: depth.bids[0]?.price ?? '0',
                    ask: depth.asks[0]?.price ?? '0',
                    volume: depth.volume,
                    oi: 0,
                  },
                };
              } catch (error) {
                return { ok: false, instrument: requested, error: error as BadSymbolError };
              }
            }),
        ),
      fetchDepth: (instrument, levels, context) =>
        this.#invoke(
          'marketData.fetchDepth',
          'fetchDepth',
          'fetchDepth',
          [instrument, levels, context],
          context,
          () => this.#depthOf(this.#known(instrument), levels),
        ),
      fetchHistory: (request, context) =>
        this.#invoke(
          'marketData.fetchHistory',
          'fetchHistory',
          request.includeOi ? 'historyOpenInterest' : 'fetchHistory',
          [request, context],
          context,
          (): Candle[] => {
            const instrument = this.#known(request.instrument);
            const price = this.#ltp(instrument).toString();
            const isDerivative =
              instrument.instrumentType === 'FUT' ||
              instrument.instrumentType === 'CE' ||
              instrument.instrumentType === 'PE';
            const step = INTERVAL_SECONDS[request.interval];
            const candles: Candle[] = [];
            const end = Math.min(request.to, this.#now());
            if (step === undefined) {
              // One bar per weekday at 00:00 UTC (the IST trading date's convention).
              for (
                let day = Math.ceil(request.from / 86_400_000) * 86_400_000;
                day <= end;
                day += 86_400_000
              ) {
                const weekday = new Date(day).getUTCDay();
                if (weekday !== 0 && weekday !== 6) {
                  candles.push({
                    time: day / 1_000,
                    open: price,
                    high: price,
                    low: price,
                    close: price,
                    volume: 10_000,
                    oi: isDerivative ? 1_000 : 0,
                  });
                }
              }
              return candles;
            }
            const last = Math.floor(end / 1_000 / step) * step;
            for (
              let time = Math.ceil(request.from / 1_000 / step) * step, count = 0;
              time <= last && count < 500;
              time += step, count += 1
            ) {
              candles.push({
                time,
                open: price,
                high: price,
                low: price,
                close: price,
                volume: 100,
                oi: isDerivative ? 1_000 : 0,
              });
            }
            return candles;
          },
        ),
    };
  }

  #createInstruments(): BrokerInstruments {
    const rows = this.#rows;
    const record = (context: unknown) =>
      this.calls.push({ method: 'instruments.download', args: [context], at: this.#now() });
    return {
      requiresSession: false,
      async *download(context) {
        record(context);
        yield [...rows];
      },
    };
  }

  #createStreams(): BrokerStreams {
    const streams: BrokerStreams = {};
    if (this.capabilities.streamMarketData !== false) {
      streams.marketData = {
        limits: { maxInstrumentsPerConnection: 1_000, maxConnections: 1, depthLevels: [5] },
        create: (context) => {
          const made: MockMarketDataStream = new MockMarketDataStream({
            connect: () =>
              this.#invoke(
                'streams.marketData.connect',
                'other',
                'streamMarketData',
                [context.session],
                context,
                () => {
                  this.#marketStreams.add(made);
                },
              ),
            record: (method, args) => this.calls.push({ method, args, at: this.#now() }),
            detach: () => this.#marketStreams.delete(made),
          });
          return made;
        },
      };
    }
    if (this.capabilities.streamOrderUpdates !== false) {
      streams.orderUpdates = {
        create: (context) => {
          const made: MockOrderUpdateStream = new MockOrderUpdateStream({
            connect: () =>
              this.#invoke(
                'streams.orderUpdates.connect',
                'other',
                'streamOrderUpdates',
                [context.session],
                context,
                () => {
                  this.#orderStreams.add(made);
                },
              ),
            detach: () => this.#orderStreams.delete(made),
          });
          return made;
        },
      };
    }
    return streams;
  }

  #createGtt(): BrokerGtt {
    const toGtt = (triggerId: string, request: GttRequest, createdAt: number): Gtt => ({
      triggerId,
      symbol: request.instrument.symbol,
      exchange: request.instrument.exchange,
      triggerType: request.triggerType,
      status: 'active',
      lastPrice: request.lastPrice,
      legs: request.legs.map((leg) => ({ ...leg })),
      createdAt,
      ...(request.expiresAt === undefined ? {} : { expiresAt: request.expiresAt }),
      raw: { mock: true },
    });
    const existing = (triggerId: string) => {
      const gtt = this.#gtts.get(triggerId);
      if (gtt?.status === 'active') {
        return gtt;
      }
      throw new OrderNotFoundError(`GTT ${triggerId} not found`);
    };
    return {
      placeGtt: (request, context) =>
        this.#invoke('gtt.placeGtt', 'gtt', 'gtt', [request, context], context, () => {
          this.#known(request.instrument);
          const triggerId = this.#nextId('G');
          this.#gtts.set(triggerId, toGtt(triggerId, request, this.#now()));
          return { triggerId };
        }),
      modifyGtt: (triggerId, request, context) =>
        this.#invoke('gtt.modifyGtt', 'gtt', 'gtt', [triggerId, request, context], context, () => {
          const gtt = existing(triggerId);
          this.#gtts.set(triggerId, toGtt(triggerId, request, gtt.createdAt));
          return { triggerId };
        }),
      cancelGtt: (triggerId, context) =>
        this.#invoke('gtt.cancelGtt', 'gtt', 'gtt', [triggerId, context], context, () => {
          existing(triggerId).status = 'cancelled';
          return { triggerId };
        }),
      fetchGtts: (context) =>
        this.#invoke('gtt.fetchGtts', 'gtt', 'gtt', [context], context, () => [...this.#gtts.values()]),
    };
  }

  #createMargin(): BrokerMargin {
    return {
      calculateMargin: (legs, context) =>
        this.#invoke(
          'margin.calculateMargin',
          'margin',
          legs.length > 1 ? 'basketMargin' : 'marginCalculator',
          [legs, context],
          context,
          () => {
            if (legs.length > 1 && this.capabilities.marginCalculator === false) {
              throw new NotSupportedError(`${this.displayName} does not support marginCalculator`);
            }
            // A flat 20 % of the notional, split 70/30 into SPAN and exposure.
            let total = toDecimal(0);
            for (const leg of legs) {
              const price = toDecimal(leg.price).gt(0)
                ? toDecimal(leg.price)
                : this.#ltp(this.#known(leg.instrument));
              total = total.add(price.mul(leg.quantity).mul('0.2'));
            }
            const span = roundTo(total.mul('0.7'), 2, 'nearest');
            const rounded = roundTo(total, 2, 'nearest');
            return {
              totalMargin: rounded.toString(),
              spanMargin: span.toString(),
              exposureMargin: rounded.sub(span).toString(),
              raw: { legs: legs.length },
            };
          },
        ),
    };
  }

  #createControl(): FakeServerControl {
    const faultError =
      (fault: 'server-error' | 'timeout' | 'rate-limit', operation: BrokerOperation) => () => {
        switch (fault) {
          case 'server-error':
            return new BrokerUnavailableError('Mock broker unavailable (injected 503)', {
              brokerStatus: 503,
            });
          case 'rate-limit':
            return new RateLimitError('Too many requests (injected 429)', { brokerStatus: 429 });
          case 'timeout':
            return new RequestTimeoutError('Mock broker did not answer (injected)', {
              retryable: !WRITES.has(operation),
              context: { operation, mayHaveReachedBroker: WRITES.has(operation) },
            });
        }
      };
    return {
      instruments: {
        equity: { symbol: 'SBIN', exchange: 'NSE' },
        index: { symbol: 'NIFTY', exchange: 'NSE_INDEX' },
        future: { symbol: 'NIFTY30DEC99FUT', exchange: 'NFO' },
        option: { symbol: 'NIFTY30DEC9924000CE', exchange: 'NFO' },
      },
      createSession: () => this.createSession(),
      lastPrice: (instrument) => this.#ltp(this.#known(instrument)).toString(),
      setAvailableCash: (amount) => {
        this.#cash = toDecimal(amount);
      },
      expireSessions: () => {
        this.#generation += 1;
      },
      injectFault: ({ fault, operation, times }) => {
        this.#failures.push({
          match: operation,
          error: faultError(fault, operation),
          remaining: times ?? Number.POSITIVE_INFINITY,
        });
      },
      clearFaults: () => {
        this.#failures.length = 0;
      },
      pushTicks: () => this.#pushTicks(),
      dropStreams: () => {
        for (const stream of this.#marketStreams) {
          stream.drop();
        }
      },
      fillOrder: (orderId, quantity) => {
        const order = this.#order(orderId);
        this.#fill(order, quantity, this.#ltp(order.instrument));
        this.#touch(order);
      },
      addHolding: (instrument, quantity, averagePrice) => {
        const known = this.#known(instrument);
        this.#holdings.push({
          symbol: known.symbol,
          exchange: known.exchange,
          product: 'CNC',
          quantity,
          averagePrice,
          raw: { mock: true },
        });
      },
      close: async () => {
        for (const stream of [...this.#marketStreams]) {
          await stream.close();
        }
      },
    };
  }
}

interface MarketStreamHooks {
  connect(): Promise<void>;
  record(method: MockMethod, args: readonly unknown[]): void;
  detach(): void;
}

/** A market-data stream of the mock: delivers ticks for what it subscribes, in the richest mode asked. */
class MockMarketDataStream implements MarketDataStream {
  readonly #ticks = new Set<(tick: Tick) => void>();
  readonly #states = new Set<(state: StreamState) => void>();
  readonly #wanted = new Map<string, Map<StreamMode, number>>();
  readonly #hooks: MarketStreamHooks;
  #isConnected = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(hooks: MarketStreamHooks) {
    this.#hooks = hooks;
  }

  async connect(): Promise<void> {
    this.#emit({ state: 'connecting' });
    await this.#hooks.connect();
    this.#isConnected = true;
    this.#emit({ state: 'connected' });
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#isConnected = false;
    this.#hooks.detach();
    this.#emit({ state: 'closed', reason: 'closed by client' });
  }

  subscribe(subscriptions: readonly StreamSubscription[]): void {
    this.#hooks.record('streams.marketData.subscribe', [subscriptions]);
    for (const { instrument, mode } of subscriptions) {
      const key = `${instrument.exchange}:${instrument.symbol}`;
      const modes = this.#wanted.get(key) ?? new Map<StreamMode, number>();
      modes.set(mode, (modes.get(mode) ?? 0) + 1);
      this.#wanted.set(key, modes);
    }
  }

  unsubscribe(subscriptions: readonly StreamSubscription[]): void {
    this.#hooks.record('streams.marketData.unsubscribe', [subscriptions]);
    for (const { instrument, mode } of subscriptions) {
      const key = `${instrument.exchange}:${instrument.symbol}`;
      const modes = this.#wanted.get(key);
      const count = modes?.get(mode);
      if (!modes || count === undefined) {
        continue;
      }
      if (count <= 1) {
        modes.delete(mode);
      } else {
        modes.set(mode, count - 1);
      }
      if (modes.size === 0) {
        this.#wanted.delete(key);
      }
    }
  }

  /** `exchange:symbol` → the richest subscribed mode. */
  wanted(): Array<[string, StreamMode]> {
    const rank: Record<StreamMode, number> = { ltp: 1, quote: 2, depth: 3 };
    return [...this.#wanted].map(([key, modes]) => {
      let best: StreamMode = 'ltp';
      for (const mode of modes.keys()) {
        if (rank[mode] > rank[best]) {
          best = mode;
        }
      }
      return [key, best];
    });
  }

  deliver(tick: Tick): void {
    if (!this.#isConnected || !this.#wanted.has(`${tick.exchange}:${tick.symbol}`)) {
      return;
    }
    for (const listener of this.#ticks) {
      listener(tick);
    }
  }

  /** A dropped connection: reconnecting, then connected again 20 ms later, subscriptions kept. */
  drop(): void {
    if (!this.#isConnected) {
      return;
    }
    this.#isConnected = false;
    this.#emit({ state: 'reconnecting', attempt: 1, delayMs: 20, reason: 'connection dropped' });
    this.#timer = setTimeout(() => {
      this.#isConnected = true;
      this.#emit({ state: 'connected' });
    }, 20);
  }

  onTick(listener: (tick: Tick) => void): Unsubscribe {
    this.#ticks.add(listener);
    return () => this.#ticks.delete(listener);
  }

  onState(listener: (state: StreamState) => void): Unsubscribe {
    this.#states.add(listener);
    return () => this.#states.delete(listener);
  }

  #emit(state: StreamState): void {
    for (const listener of this.#states) {
      listener(state);
    }
  }
}

class MockOrderUpdateStream implements OrderUpdateStream {
  readonly #updates = new Set<(update: OrderUpdate) => void>();
  readonly #states = new Set<(state: StreamState) => void>();
  readonly #hooks: { connect(): Promise<void>; detach(): void };

  constructor(hooks: { connect(): Promise<void>; detach(): void }) {
    this.#hooks = hooks;
  }

  async connect(): Promise<void> {
    await this.#hooks.connect();
    this.#emit({ state: 'connected' });
  }

  async close(): Promise<void> {
    this.#hooks.detach();
    this.#emit({ state: 'closed', reason: 'closed by client' });
  }

  deliver(update: OrderUpdate): void {
    for (const listener of this.#updates) {
      listener(update);
    }
  }

  onUpdate(listener: (update: OrderUpdate) => void): Unsubscribe {
    this.#updates.add(listener);
    return () => this.#updates.delete(listener);
  }

  onState(listener: (state: StreamState) => void): Unsubscribe {
    this.#states.add(listener);
    return () => this.#states.delete(listener);
  }

  #emit(state: StreamState): void {
    for (const listener of this.#states) {
      listener(state);
    }
  }
}
