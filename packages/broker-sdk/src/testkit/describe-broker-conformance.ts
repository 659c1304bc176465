import {
  EXCHANGES,
  INTERVALS,
  type InstrumentRow,
  type Interval,
  type MarginLeg,
  type Order,
  type OrderRequest,
  type OrderUpdate,
  type ResolvedInstrument,
  type StreamMode,
  type Tick,
} from '@openalgo/shared-types';
import { type Dec, roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { BrokerCapabilities, CapabilityName } from '../capabilities.js';
import {
  BadSymbolError,
  BrokerUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  OpenAlgoError,
  OrderNotFoundError,
  RateLimitError,
  RequestTimeoutError,
  TokenExpiredError,
} from '../errors.js';
import type { BrokerOperation } from '../limits.js';
import type {
  BrokerAdapterV1,
  BrokerContext,
  Logger,
  MarketDataStream,
  StreamContext,
  StreamState,
} from '../v1/adapter.js';
import {
  assertNoProblems,
  assertThat,
  ConformanceViolation,
  eventually,
  expectTypedError,
} from './assertions.js';
import type { ConformanceInstrument, FakeServerControl } from './fake-server-control.js';
import {
  validateCandles,
  validateDepth,
  validateFunds,
  validateGtt,
  validateHolding,
  validateInstrumentRows,
  validateMarginResult,
  validateOrder,
  validateOrderAck,
  validateOrderUpdate,
  validatePosition,
  validateQuote,
  validateTick,
  validateTrade,
} from './validators.js';

/**
 * The broker conformance suite (house rule 22). A broker package calls it from its
 * `src/conformance.test.ts` with a factory for its fake server and one for its adapter:
 *
 * ```ts
 * describeBrokerConformance({
 *   startFakeServer: async () => adaptMyFake(await startMyFakeServer()),
 *   createBroker: (server) => createAcmeBroker({ baseUrl: server.baseUrl, … }),
 * });
 * ```
 *
 * It reads the adapter's `capabilities` and registers one check per applicable rule: every
 * structure the adapter returns is run through the shared validators, quantities and prices
 * must add up, typed errors must come out of the faults the fake injects, streams must
 * subscribe, unsubscribe and reconnect by themselves, and every capability declared `false`
 * must throw `NotSupportedError`. The suite drives the fake only through `FakeServerControl`.
 */

export interface BrokerConformanceOptions<TServer extends FakeServerControl = FakeServerControl> {
  /** Shown in the suite's name. Default: the adapter's `displayName`. */
  name?: string;
  /** Starts the broker's fake (on a loopback port) and returns its control surface. */
  startFakeServer: () => Promise<TServer>;
  /**
   * Builds the adapter pointed at the fake. Give it short timeouts (well under a second) and
   * fast retries: the suite injects timeouts and 5xx answers.
   */
  createBroker: (server: TServer) => BrokerAdapterV1 | Promise<BrokerAdapterV1>;
  /** The clock handed to the adapter's calls (the fake's clock, if it has one). Default `Date.now`. */
  now?: () => number;
  /** Logger handed to the adapter's calls. Default: silent. */
  logger?: Logger;
  /** Per-check timeout, ms. Default 30 s. */
  timeoutMs?: number;
  /** How long to wait for asynchronous effects (fills, ticks, updates), ms. Default 5 s. */
  waitMs?: number;
}

const SILENT: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => SILENT,
};

const CAPABILITY_NAMES: readonly CapabilityName[] = [
  'placeOrder',
  'modifyOrder',
  'cancelOrder',
  'fetchOrders',
  'fetchOrder',
  'fetchTrades',
  'fetchPositions',
  'fetchHoldings',
  'fetchFunds',
  'cancelAllOrders',
  'closeAllPositions',
  'marketOrder',
  'stopLossMarketOrder',
  'afterMarketOrder',
  'iocValidity',
  'fetchQuotes',
  'fetchDepth',
  'fetchHistory',
  'historyOpenInterest',
  'streamMarketData',
  'streamOrderUpdates',
  'gtt',
  'marginCalculator',
  'basketMargin',
  'positionsIncludeLtp',
];

const KNOWN_OPERATIONS: ReadonlySet<BrokerOperation> = new Set<BrokerOperation>([
  'placeOrder',
  'modifyOrder',
  'cancelOrder',
  'fetchOrders',
  'fetchOrder',
  'fetchTrades',
  'fetchPositions',
  'fetchHoldings',
  'fetchFunds',
  'fetchQuotes',
  'fetchDepth',
  'fetchHistory',
  'instruments',
  'gtt',
  'margin',
  'auth',
  'other',
]);

const DAY_MS = 86_400_000;

/** The state the checks share; filled by `beforeAll`. */
interface Run {
  broker: BrokerAdapterV1;
  server: FakeServerControl;
  context: BrokerContext;
  rows: InstrumentRow[];
  equity: ResolvedInstrument;
  index: ResolvedInstrument | undefined;
  future: ResolvedInstrument | undefined;
  option: ResolvedInstrument | undefined;
  placed: Set<string>;
}

function toResolved(row: InstrumentRow): ResolvedInstrument {
  const resolved: ResolvedInstrument = {
    symbol: row.symbol,
    exchange: row.exchange,
    brSymbol: row.brsymbol,
    brExchange: row.brexchange,
    token: row.token,
    name: row.name,
    lotSize: row.lotsize,
    tickSize: row.tick_size,
    instrumentType: row.instrumenttype,
  };
  if (row.expiry) {
    resolved.expiry = row.expiry;
  }
  if (row.instrumenttype === 'CE' || row.instrumenttype === 'PE') {
    resolved.strike = row.strike;
    resolved.optionType = row.instrumenttype;
  }
  return resolved;
}

function isOn(capabilities: BrokerCapabilities, name: CapabilityName): boolean {
  return capabilities[name] === true;
}

let clientOrderSequence = 0;
function nextClientOrderId(): string {
  clientOrderSequence += 1;
  return `conf${String(clientOrderSequence).padStart(6, '0')}`;
}

export function describeBrokerConformance<TServer extends FakeServerControl>(
  options: BrokerConformanceOptions<TServer>,
): void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const waitMs = options.waitMs ?? 5_000;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? SILENT;

  describe(`broker conformance (contract v1)${options.name ? `: ${options.name}` : ''}`, async () => {
    // Collected here, before the checks are registered: the capability map decides which apply.
    const server = await options.startFakeServer();
    let broker: BrokerAdapterV1;
    try {
      broker = await options.createBroker(server);
    } catch (error) {
      await server.close();
      throw error;
    }
    const capabilities = broker.capabilities;
    // Filled in by beforeAll: the checks only run after it.
    const run = { broker, server, placed: new Set<string>() } as unknown as Run;
    const streamsToClose: Array<{ close(): Promise<void> }> = [];

    beforeAll(async () => {
      const session = await server.createSession();
      const rows: InstrumentRow[] = [];
      for await (const batch of broker.instruments.download({ session, logger, now })) {
        rows.push(...batch);
      }
      run.rows = rows;
      const bySymbol = new Map<string, ResolvedInstrument>();
      const byBroker = new Map<string, ResolvedInstrument>();
      const byToken = new Map<string, ResolvedInstrument>();
      for (const row of rows) {
        const resolved = toResolved(row);
        bySymbol.set(`${row.exchange}:${row.symbol}`, resolved);
        byBroker.set(`${row.brexchange}:${row.brsymbol}`, resolved);
        byToken.set(`${row.brexchange}:${row.token}`, resolved);
      }
      const find = (
        spec: ConformanceInstrument | undefined,
        role: string,
      ): ResolvedInstrument | undefined => {
        if (!spec) {
          return undefined;
        }
        const found = bySymbol.get(`${spec.exchange}:${spec.symbol}`);
        if (!found) {
          throw new ConformanceViolation(
            `the fake names ${spec.exchange}:${spec.symbol} as its ${role} instrument, but the adapter's instrument download has no such row`,
          );
        }
        return found;
      };
      run.equity = find(server.instruments.equity, 'equity') as ResolvedInstrument;
      run.index = find(server.instruments.index, 'index');
      run.future = find(server.instruments.future, 'future');
      run.option = find(server.instruments.option, 'option');
      run.context = {
        session,
        logger,
        now,
        resolveBrokerInstrument: ({ brSymbol, token, brExchange }) =>
          (brSymbol === undefined ? undefined : byBroker.get(`${brExchange}:${brSymbol}`)) ??
          (token === undefined ? undefined : byToken.get(`${brExchange}:${token}`)),
      };
    }, timeoutMs);

    afterAll(async () => {
      for (const stream of streamsToClose.splice(0)) {
        await stream.close().catch(() => undefined);
      }
      await server.close();
    });

    // Checks are collected per section and a section is only declared when one applies
    // (vitest refuses empty suites, e.g. "streaming" for a broker that does not stream).
    let sink: Array<[string, () => Promise<void>]> = [];
    const check = (name: string, body: () => Promise<void>) => {
      sink.push([name, body]);
    };
    const section = (name: string, register: () => void) => {
      const previous = sink;
      const checks: Array<[string, () => Promise<void>]> = [];
      sink = checks;
      try {
        register();
      } finally {
        sink = previous;
      }
      if (checks.length > 0) {
        describe(name, () => {
          for (const [title, body] of checks) {
            it(title, body, timeoutMs);
          }
        });
      }
    };

    // ------------------------------------------------------------ helpers over the run

    const ltpOf = async (instrument: ResolvedInstrument): Promise<Dec> => {
      const text = await server.lastPrice(instrument);
      const price = toDecimal(text);
      assertThat(price.gt(0), `the fake's last price of ${instrument.symbol} must be positive, got ${text}`);
      return price;
    };
    const priceAway = async (instrument: ResolvedInstrument, factor: string, mode: 'up' | 'down') =>
      roundToTick((await ltpOf(instrument)).mul(factor), instrument.tickSize, mode).toString();

    const orderRequest = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
      instrument: run.equity,
      action: 'BUY',
      quantity: run.equity.lotSize,
      product: 'MIS',
      priceType: 'LIMIT',
      price: '0',
      triggerPrice: '0',
      disclosedQuantity: 0,
      validity: 'DAY',
      clientOrderId: nextClientOrderId(),
      ...overrides,
    });

    /** A BUY LIMIT 3 % under the market: it rests. */
    const restingRequest = async (overrides: Partial<OrderRequest> = {}): Promise<OrderRequest> =>
      orderRequest({ price: await priceAway(run.equity, '0.97', 'down'), ...overrides });

    const place = async (request: OrderRequest): Promise<string> => {
      const ack = await broker.orders.placeOrder(request, run.context);
      assertNoProblems(validateOrderAck(ack), 'placeOrder must acknowledge with an order id');
      run.placed.add(ack.orderId);
      return ack.orderId;
    };

    const readOrder = async (orderId: string): Promise<Order> => {
      if (isOn(capabilities, 'fetchOrder')) {
        return broker.orders.fetchOrder({ orderId }, run.context);
      }
      const found = (await broker.orders.fetchOrders(run.context)).find((order) => order.orderId === orderId);
      if (!found) {
        throw new ConformanceViolation(`order ${orderId} is missing from the order book`);
      }
      return found;
    };

    const awaitOrder = async (orderId: string, predicate: (order: Order) => boolean, what: string) =>
      eventually(
        async () => {
          const order = await readOrder(orderId);
          return predicate(order) ? order : undefined;
        },
        `order ${orderId} ${what}`,
        waitMs,
      );

    const refOf = (order: Order) => ({
      orderId: order.orderId,
      instrument: run.equity,
      ...(order.variety === undefined ? {} : { variety: order.variety }),
    });

    const cancelQuietly = async (orderId: string) => {
      try {
        const order = await readOrder(orderId);
        if (order.status === 'open' || order.status === 'trigger pending') {
          await broker.orders.cancelOrder(refOf(order), run.context);
        }
      } catch {
        // Best effort: the check that placed it reports its own failure.
      }
    };

    const streamContext = (): StreamContext => ({ ...run.context });

    // ------------------------------------------------------------ the contract itself

    section('contract', () => {
      check('declares contract v1, an identity and a complete capability map', async () => {
        const problems: string[] = [];
        if (broker.specificationVersion !== 'v1') {
          problems.push(
            `specificationVersion must be 'v1', got ${JSON.stringify(broker.specificationVersion)}`,
          );
        }
        for (const field of ['id', 'displayName'] as const) {
          if (typeof broker[field] !== 'string' || broker[field].trim() === '') {
            problems.push(`${field} must be a non-empty string`);
          }
        }
        if (broker.brokerType !== 'IN_stock' && broker.brokerType !== 'crypto') {
          problems.push(`brokerType must be IN_stock or crypto, got ${JSON.stringify(broker.brokerType)}`);
        }
        if (broker.exchanges.length === 0) {
          problems.push('exchanges must list at least one exchange');
        }
        for (const exchange of broker.exchanges) {
          if (!(EXCHANGES as readonly string[]).includes(exchange)) {
            problems.push(`exchanges lists ${exchange}, which is not an OpenAlgo exchange`);
          }
        }
        for (const name of CAPABILITY_NAMES) {
          const value: unknown = capabilities[name];
          if (value !== true && value !== false && value !== 'emulated') {
            problems.push(
              `capabilities.${name} must be true, false or 'emulated', got ${JSON.stringify(value)}`,
            );
          }
        }
        const levels: unknown = capabilities.streamDepthLevels;
        if (!Array.isArray(levels) || levels.some((level) => !Number.isInteger(level) || level <= 0)) {
          problems.push('capabilities.streamDepthLevels must be a list of positive integers');
        }
        for (const name of ['placeOrder', 'fetchOrders', 'fetchPositions', 'fetchFunds'] as const) {
          if (capabilities[name] === 'emulated') {
            problems.push(`capabilities.${name} cannot be 'emulated': it is a core duty of every broker`);
          }
        }
        assertNoProblems(problems, 'the adapter does not describe itself correctly');
      });

      check('declares limits the SDK can enforce', async () => {
        const problems: string[] = [];
        const { limits } = broker;
        if (!Number.isInteger(limits.quoteBatch) || limits.quoteBatch < 1) {
          problems.push(`limits.quoteBatch must be a positive integer, got ${limits.quoteBatch}`);
        }
        for (const field of ['instrumentsPerStream', 'maxStreamConnections'] as const) {
          if (!Number.isInteger(limits[field]) || limits[field] < 1) {
            problems.push(`limits.${field} must be a positive integer, got ${limits[field]}`);
          }
        }
        for (const [interval, days] of Object.entries(limits.historyMaxDays)) {
          if (
            !(INTERVALS as readonly string[]).includes(interval) ||
            !(typeof days === 'number' && days > 0)
          ) {
            problems.push(
              `limits.historyMaxDays.${interval} must be a positive number of days for a known interval`,
            );
          }
        }
        const ids = new Set<string>();
        for (const bucket of limits.rate.buckets) {
          if (ids.has(bucket.id)) {
            problems.push(`rate bucket id ${bucket.id} is used twice`);
          }
          ids.add(bucket.id);
          const windows = [bucket.perSecond, bucket.perMinute, bucket.perHour, bucket.perDay].filter(
            (value) => value !== undefined,
          );
          if (windows.length === 0 || windows.some((value) => !(typeof value === 'number' && value > 0))) {
            problems.push(`rate bucket ${bucket.id} needs at least one positive window`);
          }
          for (const operation of bucket.operations) {
            if (!KNOWN_OPERATIONS.has(operation)) {
              problems.push(`rate bucket ${bucket.id} names the unknown operation ${operation}`);
            }
          }
        }
        if (capabilities.fetchHistory !== false) {
          const intervals = broker.marketData.intervals;
          if (intervals.length === 0) {
            problems.push('marketData.intervals must list the supported history intervals');
          }
          for (const interval of intervals) {
            if (!(INTERVALS as readonly string[]).includes(interval)) {
              problems.push(`marketData.intervals lists ${interval}, which is not an OpenAlgo interval`);
            } else if (limits.historyMaxDays[interval] === undefined) {
              problems.push(`limits.historyMaxDays has no range cap for the supported interval ${interval}`);
            }
          }
        }
        assertNoProblems(problems, 'the adapter declares unusable limits');
      });

      check('describes its login flow and starts a login', async () => {
        const { auth } = broker;
        const kinds = ['none', 'oauth-redirect', 'credential-form', 'key-only'];
        assertThat(
          kinds.includes(auth.loginFlow.kind),
          `auth.loginFlow.kind ${auth.loginFlow.kind} is unknown`,
        );
        const step = await auth.startLogin({
          redirectUrl: 'http://127.0.0.1:5000/broker/callback',
          state: 'conformance-state',
          logger,
          now,
        });
        if (auth.loginFlow.kind === 'oauth-redirect') {
          assertThat(
            step.kind === 'redirect',
            `an oauth-redirect login must start with a redirect, got ${step.kind}`,
          );
          assertThat(
            /^https?:\/\//.test(step.url),
            `the login redirect must be an http(s) URL, got ${step.url}`,
          );
        } else if (auth.loginFlow.kind === 'credential-form') {
          assertThat(
            step.kind === 'form' && step.fields.length > 0,
            'a credential-form login must ask for fields',
          );
        } else {
          assertThat(['done', 'form', 'redirect'].includes(step.kind), `unknown login step ${step.kind}`);
        }
      });

      if (broker.auth.validateSession) {
        check('accepts a live session in validateSession', async () => {
          await broker.auth.validateSession?.(run.context);
        });
      }
    });

    // ------------------------------------------------------------ instruments

    section('instruments', () => {
      check('streams symbol-master rows in OpenAlgo format without duplicates', async () => {
        assertThat(run.rows.length > 0, 'the instrument download yielded no rows');
        assertNoProblems(validateInstrumentRows(run.rows), 'the instrument download has invalid rows');
        const kinds = new Set(run.rows.map((row) => row.instrumenttype));
        assertThat(kinds.has('EQ'), 'the instrument download has no equity (EQ) rows');
      });
    });

    // ------------------------------------------------------------ market data

    section('market data', () => {
      if (isOn(capabilities, 'fetchQuotes') || capabilities.fetchQuotes === 'emulated') {
        check('quotes each instrument at the fake’s price, per item, in request order', async () => {
          const instruments = [run.equity, run.index, run.future, run.option].filter(
            (instrument): instrument is ResolvedInstrument => instrument !== undefined,
          );
          const unknown: ResolvedInstrument = {
            ...run.equity,
            symbol: 'NOSUCHSYMBOL',
            brSymbol: 'NOSUCHSYMBOL',
            token: '987654321',
          };
          const asked = [...instruments, unknown].slice(0, Math.max(2, broker.limits.quoteBatch));
          const results = await broker.marketData.fetchQuotes(asked, run.context);
          assertThat(
            results.length === asked.length,
            `fetchQuotes must answer once per instrument: asked ${asked.length}, got ${results.length}`,
          );
          const problems: string[] = [];
          for (const [index, result] of results.entries()) {
            const wanted = asked[index] as ResolvedInstrument;
            if (result.instrument.symbol !== wanted.symbol) {
              problems.push(`result ${index} is for ${result.instrument.symbol}, expected ${wanted.symbol}`);
              continue;
            }
            if (wanted === unknown) {
              if (result.ok || !OpenAlgoError.isInstance(result.error)) {
                problems.push('an unknown instrument must come back as { ok: false, error: <typed error> }');
              }
              continue;
            }
            if (!result.ok) {
              problems.push(
                `${wanted.symbol}: quote failed with ${result.error.code}: ${result.error.message}`,
              );
              continue;
            }
            problems.push(...validateQuote(result.quote, `quote ${wanted.symbol}`));
            const truth = await ltpOf(wanted);
            if (!toDecimal(result.quote.ltp).eq(truth)) {
              problems.push(
                `quote ${wanted.symbol}: ltp ${result.quote.ltp} differs from the fake's ${truth.toString()}`,
              );
            }
          }
          assertNoProblems(problems, 'fetchQuotes answered wrongly');
        });
      }

      if (isOn(capabilities, 'fetchDepth')) {
        check('answers market depth padded to the requested levels, sorted and uncrossed', async () => {
          const levels = 5;
          const depth = await broker.marketData.fetchDepth(run.equity, levels, run.context);
          const problems = validateDepth(depth, levels);
          const truth = await ltpOf(run.equity);
          if (!toDecimal(depth.ltp).eq(truth)) {
            problems.push(`depth: ltp ${depth.ltp} differs from the fake's ${truth.toString()}`);
          }
          if (!depth.bids.some((level) => toDecimal(level.price).gt(0))) {
            problems.push('depth: a liquid equity must show at least one bid');
          }
          assertNoProblems(problems, 'fetchDepth answered wrongly');
        });
      }

      if (isOn(capabilities, 'fetchHistory')) {
        check('answers valid, ordered candles for every supported interval', async () => {
          const end = now();
          const problems: string[] = [];
          const empty: string[] = [];
          for (const interval of broker.marketData.intervals) {
            const isIntraday = !['D', 'W', 'M', 'Q', 'Y'].includes(interval);
            const cap = broker.limits.historyMaxDays[interval] ?? 1;
            const days = Math.max(1, Math.min(isIntraday ? 7 : 60, Math.floor(cap)));
            const request = { instrument: run.equity, interval, from: end - days * DAY_MS, to: end };
            const candles = await broker.marketData.fetchHistory(request, run.context);
            problems.push(...validateCandles(candles, request).map((problem) => `${interval}: ${problem}`));
            if (candles.length === 0 && days >= 5) {
              empty.push(`${interval} (${days} days)`);
            }
          }
          if (empty.length > 0) {
            problems.push(`no candles at all over ranges with trading days: ${empty.join(', ')}`);
          }
          assertNoProblems(problems, 'fetchHistory answered wrongly');
        });

        if (isOn(capabilities, 'historyOpenInterest')) {
          check('carries open interest in derivative candles when asked', async () => {
            assertThat(
              run.future !== undefined,
              'historyOpenInterest is true, so the FakeServerControl must name a future instrument',
            );
            const instrument = run.future;
            const interval: Interval = broker.marketData.intervals.includes('D')
              ? 'D'
              : (broker.marketData.intervals[0] as Interval);
            const end = now();
            const request = { instrument, interval, from: end - 10 * DAY_MS, to: end, includeOi: true };
            const candles = await broker.marketData.fetchHistory(request, run.context);
            assertNoProblems(
              validateCandles(candles, request),
              'fetchHistory with open interest answered wrongly',
            );
            assertThat(
              candles.some((candle) => candle.oi > 0),
              `no candle of the future ${instrument.symbol} carries open interest although historyOpenInterest is true`,
            );
          });
        }
      }
    });

    // ------------------------------------------------------------ orders

    section('orders', () => {
      if (!isOn(capabilities, 'placeOrder')) {
        return;
      }
      if (isOn(capabilities, 'marketOrder')) {
        check('fills a MARKET order: complete, filled in full, trades add up', async () => {
          const request = orderRequest({ priceType: 'MARKET' });
          const orderId = await place(request);
          const order = await awaitOrder(orderId, (row) => row.status === 'complete', 'to complete');
          assertNoProblems(validateOrder(order, { request, orderId }), 'the filled MARKET order is wrong');
          if (isOn(capabilities, 'fetchTrades')) {
            const trades = (await broker.orders.fetchTrades(run.context)).filter(
              (trade) => trade.orderId === orderId,
            );
            assertNoProblems(trades.flatMap(validateTrade), 'the trades of the filled order are wrong');
            const traded = trades.reduce((total, trade) => total + trade.quantity, 0);
            assertThat(
              traded === order.filledQuantity,
              `the trade book shows ${traded} traded for order ${orderId}, the order says ${order.filledQuantity} filled`,
            );
          }
        });
      }

      check('rests a LIMIT order away from the market, modifies it and cancels it', async () => {
        const request = await restingRequest();
        const orderId = await place(request);
        try {
          let order = await awaitOrder(orderId, (row) => row.status === 'open', 'to be open');
          assertNoProblems(validateOrder(order, { request, orderId }), 'the resting LIMIT order is wrong');
          assertThat(
            order.filledQuantity === 0 && order.pendingQuantity === request.quantity,
            `a resting order must show 0 filled and ${request.quantity} pending, got ${order.filledQuantity}/${order.pendingQuantity}`,
          );
          if (isOn(capabilities, 'fetchOrders')) {
            // The book's view of the live order must be as valid as the single-order view.
            const inBook = (await broker.orders.fetchOrders(run.context)).find(
              (row) => row.orderId === orderId,
            );
            assertThat(inBook !== undefined, `the resting order ${orderId} is missing from fetchOrders`);
            assertNoProblems(
              validateOrder(inBook, { request, orderId }),
              'the resting order as the order book shows it is wrong',
            );
          }
          if (isOn(capabilities, 'modifyOrder')) {
            const price = await priceAway(run.equity, '0.96', 'down');
            const quantity = request.quantity * 2;
            await broker.orders.modifyOrder(
              refOf(order),
              {
                instrument: run.equity,
                action: request.action,
                product: request.product,
                priceType: 'LIMIT',
                quantity,
                price,
                triggerPrice: '0',
                disclosedQuantity: 0,
                validity: 'DAY',
              },
              run.context,
            );
            order = await awaitOrder(
              orderId,
              (row) => row.quantity === quantity && toDecimal(row.price).eq(toDecimal(price)),
              `to show the modified quantity ${quantity} and price ${price}`,
            );
            assertNoProblems(
              validateOrder(order, { request: { ...request, quantity, price }, orderId }),
              'the modified order is wrong',
            );
          }
          if (isOn(capabilities, 'cancelOrder')) {
            const ack = await broker.orders.cancelOrder(refOf(order), run.context);
            assertNoProblems(validateOrderAck(ack), 'cancelOrder must acknowledge');
            const cancelled = await awaitOrder(
              orderId,
              (row) => row.status === 'cancelled',
              'to be cancelled',
            );
            assertNoProblems(validateOrder(cancelled), 'the cancelled order is wrong');
          }
        } finally {
          await cancelQuietly(orderId);
        }
      });

      if (server.fillOrder && isOn(capabilities, 'cancelOrder')) {
        check('keeps filled + pending = quantity through a partial fill and a cancel', async () => {
          const lot = run.equity.lotSize;
          const request = await restingRequest({ quantity: lot * 4 });
          const orderId = await place(request);
          try {
            await awaitOrder(orderId, (row) => row.status === 'open', 'to be open');
            await server.fillOrder?.(orderId, lot);
            const partial = await awaitOrder(
              orderId,
              (row) => row.filledQuantity === lot,
              `to show ${lot} filled`,
            );
            assertNoProblems(
              validateOrder(partial, { request, orderId }),
              'the partly filled order is wrong',
            );
            assertThat(
              partial.status === 'open' && partial.pendingQuantity === lot * 3,
              `after filling ${lot} of ${lot * 4} the order must be open with ${lot * 3} pending, got ${partial.status} with ${partial.pendingQuantity}`,
            );
            await broker.orders.cancelOrder(refOf(partial), run.context);
            const cancelled = await awaitOrder(
              orderId,
              (row) => row.status === 'cancelled',
              'to be cancelled',
            );
            assertNoProblems(validateOrder(cancelled), 'the cancelled partly filled order is wrong');
            assertThat(
              cancelled.filledQuantity === lot,
              `a cancel must keep what was filled (${lot}), got ${cancelled.filledQuantity}`,
            );
          } finally {
            await cancelQuietly(orderId);
          }
        });
      }

      check('places a stop-loss limit (SL) order that waits for its trigger', async () => {
        const triggerPrice = await priceAway(run.equity, '1.03', 'up');
        const price = roundToTick(toDecimal(triggerPrice).mul('1.01'), run.equity.tickSize, 'up').toString();
        const request = orderRequest({ priceType: 'SL', triggerPrice, price });
        const orderId = await place(request);
        try {
          const order = await awaitOrder(
            orderId,
            (row) => row.status === 'trigger pending',
            'to wait for its trigger',
          );
          assertNoProblems(validateOrder(order, { request, orderId }), 'the SL order is wrong');
        } finally {
          await cancelQuietly(orderId);
        }
      });

      if (isOn(capabilities, 'stopLossMarketOrder')) {
        check('places a stop-loss market (SL-M) order that waits for its trigger', async () => {
          const triggerPrice = await priceAway(run.equity, '1.03', 'up');
          const request = orderRequest({ priceType: 'SL-M', triggerPrice, price: '0' });
          const orderId = await place(request);
          try {
            const order = await awaitOrder(
              orderId,
              (row) => row.status === 'trigger pending',
              'to wait for its trigger',
            );
            assertNoProblems(validateOrder(order, { request, orderId }), 'the SL-M order is wrong');
          } finally {
            await cancelQuietly(orderId);
          }
        });
      }

      if (isOn(capabilities, 'afterMarketOrder')) {
        check('accepts an after-market order (AMO)', async () => {
          const request = await restingRequest({ amo: true });
          const orderId = await place(request);
          try {
            const order = await readOrder(orderId);
            assertNoProblems(validateOrder(order, { request, orderId }), 'the AMO is wrong');
            assertThat(order.status !== 'rejected', `the AMO was rejected: ${order.rejectionReason ?? ''}`);
          } finally {
            await cancelQuietly(orderId);
          }
        });
      }

      if (isOn(capabilities, 'iocValidity')) {
        check('cancels what an IOC order cannot fill at once', async () => {
          const request = await restingRequest({ validity: 'IOC' });
          const orderId = await place(request);
          const order = await awaitOrder(orderId, (row) => row.status !== 'open', 'to leave the book');
          assertNoProblems(validateOrder(order, { request, orderId }), 'the IOC order is wrong');
          assertThat(
            order.status === 'cancelled' && order.filledQuantity === 0,
            `an IOC order 3 % under the market must end cancelled with nothing filled, got ${order.status} with ${order.filledQuantity} filled`,
          );
        });
      }

      check('refuses an order for an unknown instrument with a typed error', async () => {
        const request = await restingRequest({
          instrument: { ...run.equity, symbol: 'NOSUCHSYMBOL', brSymbol: 'NOSUCHSYMBOL', token: '987654321' },
        });
        let orderId: string | undefined;
        try {
          const ack = await broker.orders.placeOrder(request, run.context);
          orderId = ack.orderId;
        } catch (error) {
          if (BadSymbolError.isInstance(error) || InvalidOrderError.isInstance(error)) {
            return;
          }
          throw new ConformanceViolation(
            `an unknown instrument must give BadSymbolError or InvalidOrderError (or a rejected order), got ${String(error)}`,
          );
        }
        // Some brokers accept first and reject asynchronously: the book must then say so.
        const order = await awaitOrder(orderId, (row) => row.status === 'rejected', 'to be rejected');
        assertNoProblems(validateOrder(order), 'the rejected order is wrong');
      });

      if (isOn(capabilities, 'fetchOrder')) {
        check('answers OrderNotFoundError for an order id it does not know', async () => {
          await expectTypedError(
            () => broker.orders.fetchOrder({ orderId: '999999999999999' }, run.context),
            OrderNotFoundError,
            'fetchOrder of an unknown id',
          );
        });
      }

      if (isOn(capabilities, 'fetchOrders')) {
        check('keeps the order book and the trade book consistent', async () => {
          const orders = await broker.orders.fetchOrders(run.context);
          assertNoProblems(
            orders.flatMap((order) => validateOrder(order)),
            'the order book has invalid orders',
          );
          const ids = new Set(orders.map((order) => order.orderId));
          const missing = [...run.placed].filter((orderId) => !ids.has(orderId));
          assertThat(
            missing.length === 0,
            `orders placed in this run are missing from the book: ${missing.join(', ')}`,
          );
          if (isOn(capabilities, 'fetchTrades')) {
            const trades = await broker.orders.fetchTrades(run.context);
            assertNoProblems(trades.flatMap(validateTrade), 'the trade book has invalid trades');
            const traded = new Map<string, number>();
            for (const trade of trades) {
              traded.set(trade.orderId, (traded.get(trade.orderId) ?? 0) + trade.quantity);
            }
            const problems: string[] = [];
            for (const order of orders) {
              if (!run.placed.has(order.orderId)) {
                continue;
              }
              const sum = traded.get(order.orderId) ?? 0;
              if (sum !== order.filledQuantity) {
                problems.push(
                  `order ${order.orderId}: ${order.filledQuantity} filled but ${sum} in the trade book`,
                );
              }
            }
            for (const orderId of traded.keys()) {
              if (!ids.has(orderId)) {
                problems.push(
                  `trade book has trades of order ${orderId}, which the order book does not have`,
                );
              }
            }
            assertNoProblems(problems, 'the order book and the trade book disagree');
          }
        });
      }

      if (isOn(capabilities, 'cancelAllOrders')) {
        check('cancels every open order natively (cancelAllOrders: true)', async () => {
          assertThat(
            typeof broker.orders.cancelAllOrders === 'function',
            'capabilities.cancelAllOrders is true but orders.cancelAllOrders is missing',
          );
          const first = await place(await restingRequest());
          const second = await place(await restingRequest());
          const acks = (await broker.orders.cancelAllOrders?.(run.context)) ?? [];
          assertNoProblems(acks.flatMap(validateOrderAck), 'cancelAllOrders acknowledgements are wrong');
          const acked = new Set(acks.map((ack) => ack.orderId));
          assertThat(
            acked.has(first) && acked.has(second),
            'cancelAllOrders must acknowledge every order it cancelled',
          );
          const live = (await broker.orders.fetchOrders(run.context)).filter(
            (order) => order.status === 'open' || order.status === 'trigger pending',
          );
          assertThat(
            live.length === 0,
            `open orders remain after cancelAllOrders: ${live.map((order) => order.orderId).join(', ')}`,
          );
        });
      }
    });

    // ------------------------------------------------------------ portfolio

    section('portfolio', () => {
      if (isOn(capabilities, 'fetchPositions')) {
        check('reports positions that agree with the trade book', async () => {
          const positions = await broker.portfolio.fetchPositions(run.context);
          const requireLtp = isOn(capabilities, 'positionsIncludeLtp');
          assertNoProblems(
            positions.flatMap((position) => validatePosition(position, { requireLtp })),
            'the positions are wrong',
          );
          if (isOn(capabilities, 'fetchTrades')) {
            const trades = await broker.orders.fetchTrades(run.context);
            const net = new Map<string, number>();
            for (const trade of trades) {
              const key = `${trade.exchange}:${trade.symbol}:${trade.product}`;
              net.set(key, (net.get(key) ?? 0) + (trade.action === 'BUY' ? trade.quantity : -trade.quantity));
            }
            const problems: string[] = [];
            for (const [key, quantity] of net) {
              const position = positions.find(
                (row) => `${row.exchange}:${row.symbol}:${row.product}` === key,
              );
              if (!position) {
                problems.push(`${key}: traded today (net ${quantity}) but no position is reported`);
              } else if (position.quantity !== quantity) {
                problems.push(
                  `${key}: position quantity ${position.quantity}, the trade book nets ${quantity}`,
                );
              }
            }
            assertNoProblems(problems, 'positions disagree with the trade book');
            if (isOn(capabilities, 'marketOrder')) {
              assertThat(net.size > 0, 'a MARKET order filled in this run, yet the trade book is empty');
            }
          }
        });
      }

      if (isOn(capabilities, 'fetchHoldings')) {
        check('reports valid holdings', async () => {
          const ltp = await ltpOf(run.equity);
          await server.addHolding?.(
            run.equity,
            3,
            roundToTick(ltp.mul('0.9'), run.equity.tickSize, 'down').toString(),
          );
          const holdings = await broker.portfolio.fetchHoldings(run.context);
          assertThat(holdings.length > 0, 'no holdings: the fake must seed one or implement addHolding');
          assertNoProblems(holdings.flatMap(validateHolding), 'the holdings are wrong');
        });
      }

      if (isOn(capabilities, 'fetchFunds')) {
        check('reports funds as decimal amounts', async () => {
          assertNoProblems(
            validateFunds(await broker.portfolio.fetchFunds(run.context)),
            'the funds are wrong',
          );
        });
      }

      if (isOn(capabilities, 'closeAllPositions')) {
        check('squares off every position natively (closeAllPositions: true)', async () => {
          assertThat(
            typeof broker.portfolio.closeAllPositions === 'function',
            'capabilities.closeAllPositions is true but portfolio.closeAllPositions is missing',
          );
          const acks = (await broker.portfolio.closeAllPositions?.(run.context)) ?? [];
          assertNoProblems(acks.flatMap(validateOrderAck), 'closeAllPositions acknowledgements are wrong');
          for (const ack of acks) {
            run.placed.add(ack.orderId);
          }
          await eventually(
            async () =>
              (await broker.portfolio.fetchPositions(run.context)).every(
                (position) => position.quantity === 0,
              ),
            'every position to be flat after closeAllPositions',
            waitMs,
          );
        });
      }
    });

    // ------------------------------------------------------------ optional duties

    section('optional duties', () => {
      if (isOn(capabilities, 'gtt')) {
        check('places, lists, modifies and cancels single and two-leg GTTs', async () => {
          const ltp = await ltpOf(run.equity);
          const tick = run.equity.tickSize;
          const at = (factor: string, mode: 'up' | 'down') =>
            roundToTick(ltp.mul(factor), tick, mode).toString();
          const leg = (action: 'BUY' | 'SELL', factor: string, mode: 'up' | 'down') => ({
            triggerPrice: at(factor, mode),
            price: at(factor, mode),
            quantity: run.equity.lotSize,
            action,
            priceType: 'LIMIT' as const,
            product: 'CNC' as const,
          });
          const single = {
            instrument: run.equity,
            triggerType: 'single' as const,
            lastPrice: ltp.toString(),
            legs: [leg('BUY', '0.95', 'down')],
          };
          const { triggerId } = await broker.gtt.placeGtt(single, run.context);
          const twoLeg = {
            instrument: run.equity,
            triggerType: 'two-leg' as const,
            lastPrice: ltp.toString(),
            legs: [leg('SELL', '0.95', 'down'), leg('SELL', '1.05', 'up')],
          };
          const { triggerId: ocoId } = await broker.gtt.placeGtt(twoLeg, run.context);
          const listed = await broker.gtt.fetchGtts(run.context);
          assertNoProblems(listed.flatMap(validateGtt), 'the GTT list is wrong');
          const placedSingle = listed.find((gtt) => gtt.triggerId === triggerId);
          const placedOco = listed.find((gtt) => gtt.triggerId === ocoId);
          assertThat(placedSingle?.triggerType === 'single', `GTT ${triggerId} is missing or not single`);
          assertThat(placedOco?.triggerType === 'two-leg', `GTT ${ocoId} is missing or not two-leg`);
          const changed = { ...single, legs: [leg('BUY', '0.94', 'down')] };
          await broker.gtt.modifyGtt(triggerId, changed, run.context);
          const modified = (await broker.gtt.fetchGtts(run.context)).find(
            (gtt) => gtt.triggerId === triggerId,
          );
          const wantedTrigger = changed.legs[0]?.triggerPrice ?? '';
          assertThat(
            modified !== undefined &&
              toDecimal(modified.legs[0]?.triggerPrice ?? '0').eq(toDecimal(wantedTrigger)),
            `GTT ${triggerId} must show the modified trigger ${wantedTrigger}`,
          );
          for (const id of [triggerId, ocoId]) {
            await broker.gtt.cancelGtt(id, run.context);
          }
          const after = await broker.gtt.fetchGtts(run.context);
          const stillActive = after.filter(
            (gtt) => (gtt.triggerId === triggerId || gtt.triggerId === ocoId) && gtt.status === 'active',
          );
          assertThat(stillActive.length === 0, 'cancelled GTTs are still active');
        });
      }

      if (isOn(capabilities, 'marginCalculator')) {
        check('calculates the margin of an order', async () => {
          const price = (await ltpOf(run.equity)).toString();
          const leg: MarginLeg = {
            instrument: run.equity,
            action: 'BUY',
            quantity: run.equity.lotSize,
            product: 'MIS',
            priceType: 'LIMIT',
            price,
            triggerPrice: '0',
          };
          assertNoProblems(
            validateMarginResult(await broker.margin.calculateMargin([leg], run.context)),
            'the single-order margin is wrong',
          );
          if (isOn(capabilities, 'basketMargin')) {
            const second: MarginLeg = { ...leg, action: 'SELL', quantity: run.equity.lotSize * 2 };
            const legs = run.future
              ? [
                  leg,
                  {
                    ...leg,
                    instrument: run.future,
                    product: 'NRML' as const,
                    quantity: run.future.lotSize,
                    price: (await ltpOf(run.future)).toString(),
                  },
                ]
              : [leg, second];
            assertNoProblems(
              validateMarginResult(await broker.margin.calculateMargin(legs, run.context)),
              'the basket margin is wrong',
            );
          }
        });
      }
    });

    // ------------------------------------------------------------ streaming

    section('streaming', () => {
      const hasMarketData = isOn(capabilities, 'streamMarketData');
      if (hasMarketData) {
        const requireControls = () => {
          if (!server.pushTicks || !server.dropStreams) {
            throw new ConformanceViolation(
              'the broker streams market data, so its FakeServerControl must implement pushTicks() and dropStreams()',
            );
          }
        };
        const openStream = async () => {
          requireControls();
          const factory = broker.streams.marketData;
          assertThat(
            factory !== undefined,
            'capabilities.streamMarketData is true but streams.marketData is missing',
          );
          const stream: MarketDataStream = factory.create(streamContext());
          streamsToClose.push(stream);
          const ticks: Tick[] = [];
          const states: StreamState[] = [];
          stream.onTick((tick) => ticks.push(tick));
          stream.onState((state) => states.push(state));
          await stream.connect();
          return { stream, ticks, states };
        };
        const tickFor = (ticks: readonly Tick[], instrument: ResolvedInstrument, what: string) =>
          eventually(
            () =>
              ticks.find(
                (tick) => tick.symbol === instrument.symbol && tick.exchange === instrument.exchange,
              ),
            what,
            waitMs,
            () => server.pushTicks?.(),
          );

        check('subscribes in LTP and quote mode and streams valid ticks for each', async () => {
          const { stream, ticks } = await openStream();
          try {
            const subscriptions: Array<{ instrument: ResolvedInstrument; mode: StreamMode }> = [
              { instrument: run.equity, mode: 'quote' },
            ];
            if (run.index) {
              subscriptions.push({ instrument: run.index, mode: 'ltp' });
            }
            stream.subscribe(subscriptions);
            const problems: string[] = [];
            for (const { instrument, mode } of subscriptions) {
              const tick = await tickFor(ticks, instrument, `a ${mode} tick for ${instrument.symbol}`);
              problems.push(
                ...validateTick(tick, { symbol: instrument.symbol, exchange: instrument.exchange, mode }),
              );
            }
            assertNoProblems(problems, 'streamed ticks are wrong');
          } finally {
            await stream.close();
          }
        });

        const depthLevels = capabilities.streamDepthLevels[0];
        if (depthLevels !== undefined) {
          check(`streams ${depthLevels}-level depth for a depth subscription`, async () => {
            const { stream, ticks } = await openStream();
            try {
              stream.subscribe([{ instrument: run.equity, mode: 'depth', depthLevel: depthLevels }]);
              const tick = await eventually(
                () => ticks.find((row) => row.symbol === run.equity.symbol && row.depth !== undefined),
                `a depth tick for ${run.equity.symbol}`,
                waitMs,
                () => server.pushTicks?.(),
              );
              assertNoProblems(
                validateTick(tick, {
                  symbol: run.equity.symbol,
                  exchange: run.equity.exchange,
                  mode: 'depth',
                  depthLevels,
                }),
                'the depth tick is wrong',
              );
            } finally {
              await stream.close();
            }
          });
        }

        check('stops streaming an instrument after unsubscribe', async () => {
          const { stream, ticks } = await openStream();
          try {
            const subscription = { instrument: run.equity, mode: 'ltp' as const };
            stream.subscribe([subscription]);
            await tickFor(ticks, run.equity, `an ltp tick for ${run.equity.symbol}`);
            stream.unsubscribe([subscription]);
            // Let anything already in flight arrive, then demand silence.
            await new Promise((resolve) => setTimeout(resolve, 200));
            ticks.length = 0;
            for (let round = 0; round < 5; round += 1) {
              await server.pushTicks?.();
              await new Promise((resolve) => setTimeout(resolve, 60));
            }
            const leaked = ticks.filter((tick) => tick.symbol === run.equity.symbol);
            assertThat(
              leaked.length === 0,
              `${leaked.length} ticks for ${run.equity.symbol} arrived after unsubscribe`,
            );
          } finally {
            await stream.close();
          }
        });

        check('reconnects after a dropped connection and resubscribes by itself', async () => {
          const { stream, ticks, states } = await openStream();
          try {
            stream.subscribe([{ instrument: run.equity, mode: 'quote' }]);
            await tickFor(ticks, run.equity, `a tick for ${run.equity.symbol} before the drop`);
            await server.dropStreams?.();
            await eventually(
              () => states.some((state) => state.state === 'reconnecting'),
              'a reconnecting state after the connection dropped',
              waitMs,
            );
            const dropAt = states.findIndex((state) => state.state === 'reconnecting');
            await eventually(
              () => states.slice(dropAt).some((state) => state.state === 'connected'),
              'a connected state after reconnecting',
              waitMs,
            );
            ticks.length = 0;
            const tick = await tickFor(
              ticks,
              run.equity,
              `a tick for ${run.equity.symbol} after reconnecting (no new subscribe)`,
            );
            assertNoProblems(
              validateTick(tick, { symbol: run.equity.symbol, exchange: run.equity.exchange, mode: 'quote' }),
              'the tick after reconnecting is wrong',
            );
          } finally {
            await stream.close();
          }
        });

        check('closes: reports closed and delivers nothing more', async () => {
          const { stream, ticks, states } = await openStream();
          stream.subscribe([{ instrument: run.equity, mode: 'ltp' }]);
          await tickFor(ticks, run.equity, `a tick for ${run.equity.symbol}`);
          await stream.close();
          assertThat(
            states.at(-1)?.state === 'closed',
            `the last state after close() must be closed, got ${states.at(-1)?.state}`,
          );
          ticks.length = 0;
          for (let round = 0; round < 3; round += 1) {
            await server.pushTicks?.();
            await new Promise((resolve) => setTimeout(resolve, 60));
          }
          assertThat(ticks.length === 0, `${ticks.length} ticks arrived after close()`);
        });
      }

      if (isOn(capabilities, 'streamOrderUpdates') && isOn(capabilities, 'placeOrder')) {
        check('pushes order updates through an order’s life', async () => {
          const factory = broker.streams.orderUpdates;
          assertThat(
            factory !== undefined,
            'capabilities.streamOrderUpdates is true but streams.orderUpdates is missing',
          );
          const stream = factory.create(streamContext());
          streamsToClose.push(stream);
          const updates: OrderUpdate[] = [];
          stream.onUpdate((update) => updates.push(update));
          await stream.connect();
          let orderId: string | undefined;
          try {
            orderId = await place(await restingRequest());
            const placedId = orderId;
            await eventually(
              () => updates.find((update) => update.orderid === placedId),
              `an update for order ${placedId}`,
              waitMs,
            );
            const order = await readOrder(placedId);
            await broker.orders.cancelOrder(refOf(order), run.context);
            await eventually(
              () =>
                updates.find((update) => update.orderid === placedId && update.order_status === 'cancelled'),
              `a cancelled update for order ${placedId}`,
              waitMs,
            );
            const mine = updates.filter((update) => update.orderid === placedId);
            assertNoProblems(mine.flatMap(validateOrderUpdate), 'the order updates are wrong');
            assertThat(
              mine.every(
                (update) => update.symbol === run.equity.symbol && update.exchange === run.equity.exchange,
              ),
              'order updates must carry the OpenAlgo symbol and exchange of the order',
            );
          } finally {
            if (orderId) {
              await cancelQuietly(orderId);
            }
            await stream.close();
          }
        });
      }
    });

    // ------------------------------------------------------------ capabilities declared false

    section('unsupported capabilities throw NotSupportedError', () => {
      const unsupported = (name: CapabilityName, call: () => Promise<unknown>) =>
        check(`${name}: false → NotSupportedError`, async () => {
          await expectTypedError(call, NotSupportedError, `capabilities.${name} is false, so the call`);
        });
      const ref = { orderId: '999999999999999' };
      const change = () => ({
        instrument: run.equity,
        action: 'BUY' as const,
        product: 'MIS' as const,
        priceType: 'LIMIT' as const,
        quantity: run.equity.lotSize,
        price: '1',
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY' as const,
      });
      const calls: Partial<Record<CapabilityName, () => Promise<unknown>>> = {
        placeOrder: async () => broker.orders.placeOrder(await restingRequest(), run.context),
        modifyOrder: async () => broker.orders.modifyOrder(ref, change(), run.context),
        cancelOrder: async () => broker.orders.cancelOrder(ref, run.context),
        fetchOrders: async () => broker.orders.fetchOrders(run.context),
        fetchOrder: async () => broker.orders.fetchOrder(ref, run.context),
        fetchTrades: async () => broker.orders.fetchTrades(run.context),
        fetchPositions: async () => broker.portfolio.fetchPositions(run.context),
        fetchHoldings: async () => broker.portfolio.fetchHoldings(run.context),
        fetchFunds: async () => broker.portfolio.fetchFunds(run.context),
        cancelAllOrders: async () => {
          if (!broker.orders.cancelAllOrders) {
            throw new NotSupportedError('no native cancel-all');
          }
          return broker.orders.cancelAllOrders(run.context);
        },
        closeAllPositions: async () => {
          if (!broker.portfolio.closeAllPositions) {
            throw new NotSupportedError('no native close-all');
          }
          return broker.portfolio.closeAllPositions(run.context);
        },
        marketOrder: async () => broker.orders.placeOrder(orderRequest({ priceType: 'MARKET' }), run.context),
        stopLossMarketOrder: async () =>
          broker.orders.placeOrder(
            orderRequest({ priceType: 'SL-M', triggerPrice: await priceAway(run.equity, '1.03', 'up') }),
            run.context,
          ),
        afterMarketOrder: async () =>
          broker.orders.placeOrder(await restingRequest({ amo: true }), run.context),
        iocValidity: async () =>
          broker.orders.placeOrder(await restingRequest({ validity: 'IOC' }), run.context),
        fetchQuotes: async () => broker.marketData.fetchQuotes([run.equity], run.context),
        fetchDepth: async () => broker.marketData.fetchDepth(run.equity, 5, run.context),
        fetchHistory: async () =>
          broker.marketData.fetchHistory(
            { instrument: run.equity, interval: 'D', from: now() - 10 * DAY_MS, to: now() },
            run.context,
          ),
        historyOpenInterest: async () =>
          broker.marketData.fetchHistory(
            {
              instrument: run.future ?? run.equity,
              interval: broker.marketData.intervals[0] ?? 'D',
              from: now() - 5 * DAY_MS,
              to: now(),
              includeOi: true,
            },
            run.context,
          ),
        streamMarketData: async () => {
          const factory = broker.streams.marketData;
          if (!factory) {
            throw new NotSupportedError('no market-data stream');
          }
          const stream = factory.create(streamContext());
          streamsToClose.push(stream);
          return stream.connect();
        },
        streamOrderUpdates: async () => {
          const factory = broker.streams.orderUpdates;
          if (!factory) {
            throw new NotSupportedError('no order-update stream');
          }
          const stream = factory.create(streamContext());
          streamsToClose.push(stream);
          return stream.connect();
        },
        gtt: async () => broker.gtt.fetchGtts(run.context),
        marginCalculator: async () =>
          broker.margin.calculateMargin(
            [
              {
                instrument: run.equity,
                action: 'BUY',
                quantity: run.equity.lotSize,
                product: 'MIS',
                priceType: 'LIMIT',
                price: '1',
                triggerPrice: '0',
              },
            ],
            run.context,
          ),
        basketMargin: async () => {
          const leg: MarginLeg = {
            instrument: run.equity,
            action: 'BUY',
            quantity: run.equity.lotSize,
            product: 'MIS',
            priceType: 'LIMIT',
            price: '1',
            triggerPrice: '0',
          };
          return broker.margin.calculateMargin([leg, { ...leg, action: 'SELL' }], run.context);
        },
      };
      const declaredFalse = CAPABILITY_NAMES.filter(
        (name) => capabilities[name] === false && calls[name] !== undefined,
      );
      for (const name of declaredFalse) {
        unsupported(name, calls[name] as () => Promise<unknown>);
      }
      if (declaredFalse.length === 0) {
        check('declares no capability false (nothing to refuse)', async () => {
          const falseOnes = CAPABILITY_NAMES.filter((name) => capabilities[name] === false);
          assertThat(
            falseOnes.every((name) => calls[name] === undefined),
            `capabilities declared false without a check: ${falseOnes.join(', ')}`,
          );
        });
      }
    });

    // ------------------------------------------------------------ error mapping (runs last: it expires sessions)

    section('error mapping', () => {
      const canRead = isOn(capabilities, 'fetchOrders');
      const canPlace = isOn(capabilities, 'placeOrder');
      const counts = (operation: BrokerOperation) => server.requestCount?.(operation);

      if (canPlace) {
        check(
          'refuses an order the account cannot pay for: InsufficientFundsError or a rejected order',
          async () => {
            await server.setAvailableCash('0');
            try {
              const request = await restingRequest();
              let orderId: string;
              try {
                orderId = (await broker.orders.placeOrder(request, run.context)).orderId;
              } catch (error) {
                if (InsufficientFundsError.isInstance(error)) {
                  return;
                }
                throw new ConformanceViolation(
                  `an order beyond the available cash must give InsufficientFundsError (or a rejected order), got ${String(error)}`,
                );
              }
              run.placed.add(orderId);
              const order = await awaitOrder(
                orderId,
                (row) => row.status === 'rejected',
                'to be rejected for insufficient funds',
              );
              assertNoProblems(validateOrder(order, { request, orderId }), 'the rejected order is wrong');
            } finally {
              await server.setAvailableCash('100000000');
            }
          },
        );
      }

      if (canRead) {
        check('turns a persistent HTTP 5xx on a read into BrokerUnavailableError (retryable)', async () => {
          await server.injectFault({ fault: 'server-error', operation: 'fetchOrders' });
          try {
            const error = await expectTypedError(
              () => broker.orders.fetchOrders(run.context),
              BrokerUnavailableError,
              'fetchOrders while the broker answers 5xx',
            );
            assertThat(error.retryable, 'BrokerUnavailableError must be retryable');
          } finally {
            await server.clearFaults();
          }
          await broker.orders.fetchOrders(run.context);
        });

        check('turns a read that never answers into RequestTimeoutError (retryable)', async () => {
          await server.injectFault({ fault: 'timeout', operation: 'fetchOrders' });
          try {
            const error = await expectTypedError(
              () => broker.orders.fetchOrders(run.context),
              RequestTimeoutError,
              'fetchOrders while the broker does not answer',
            );
            assertThat(error.retryable, 'a timed-out read must be retryable');
          } finally {
            await server.clearFaults();
          }
        });

        if (server.requestCount) {
          check('retries a read after one transient 5xx and succeeds', async () => {
            const before = counts('fetchOrders') ?? 0;
            await server.injectFault({ fault: 'server-error', operation: 'fetchOrders', times: 1 });
            try {
              await broker.orders.fetchOrders(run.context);
            } finally {
              await server.clearFaults();
            }
            const sent = (counts('fetchOrders') ?? 0) - before;
            assertThat(sent === 2, `one 5xx then success must take exactly 2 calls, the fake saw ${sent}`);
          });
        }
      }

      if (isOn(capabilities, 'fetchFunds')) {
        check('turns HTTP 429 into RateLimitError (retryable)', async () => {
          await server.injectFault({ fault: 'rate-limit', operation: 'fetchFunds' });
          try {
            const error = await expectTypedError(
              () => broker.portfolio.fetchFunds(run.context),
              RateLimitError,
              'fetchFunds while the broker answers 429',
            );
            assertThat(error.retryable, 'RateLimitError must be retryable');
          } finally {
            await server.clearFaults();
          }
        });
      }

      if (canPlace) {
        check('sends an order once on a 5xx: BrokerUnavailableError, never retried', async () => {
          const before = counts('placeOrder');
          await server.injectFault({ fault: 'server-error', operation: 'placeOrder', times: 1 });
          try {
            await expectTypedError(
              async () => broker.orders.placeOrder(await restingRequest(), run.context),
              BrokerUnavailableError,
              'placeOrder while the broker answers 5xx',
            );
          } finally {
            await server.clearFaults();
          }
          if (before !== undefined) {
            const sent = (counts('placeOrder') ?? 0) - before;
            assertThat(sent === 1, `order placement must be sent exactly once, the fake saw ${sent} calls`);
          }
        });

        check('reports a timed-out order as possibly placed, never retried', async () => {
          const before = counts('placeOrder');
          await server.injectFault({ fault: 'timeout', operation: 'placeOrder', times: 1 });
          try {
            const error = await expectTypedError(
              async () => broker.orders.placeOrder(await restingRequest(), run.context),
              RequestTimeoutError,
              'placeOrder while the broker does not answer',
            );
            assertThat(
              error.context.mayHaveReachedBroker === true,
              'a timed-out order placement must carry context.mayHaveReachedBroker: true (the core reconciles)',
            );
            assertThat(!error.retryable, 'a timed-out order placement must not be retryable');
          } finally {
            await server.clearFaults();
          }
          if (before !== undefined) {
            const sent = (counts('placeOrder') ?? 0) - before;
            assertThat(sent === 1, `order placement must be sent exactly once, the fake saw ${sent} calls`);
          }
        });
      }

      check(
        'answers TokenExpiredError once the session expired, and works again after a new login',
        async () => {
          await server.expireSessions();
          const problems: string[] = [];
          const expectExpired = async (what: string, call: () => Promise<unknown>) => {
            try {
              await expectTypedError(call, TokenExpiredError, what);
            } catch (error) {
              problems.push((error as Error).message);
            }
          };
          if (canRead) {
            await expectExpired('fetchOrders with an expired session', () =>
              broker.orders.fetchOrders(run.context),
            );
          }
          if (isOn(capabilities, 'fetchFunds')) {
            await expectExpired('fetchFunds with an expired session', () =>
              broker.portfolio.fetchFunds(run.context),
            );
          }
          if (canPlace) {
            await expectExpired('placeOrder with an expired session', async () =>
              broker.orders.placeOrder(await restingRequest(), run.context),
            );
          }
          if (broker.auth.validateSession) {
            await expectExpired(
              'validateSession with an expired session',
              () => broker.auth.validateSession?.(run.context) ?? Promise.resolve(),
            );
          }
          assertNoProblems(problems, 'an expired session is not reported as TokenExpiredError');
          run.context = { ...run.context, session: await server.createSession() };
          if (isOn(capabilities, 'fetchFunds')) {
            await broker.portfolio.fetchFunds(run.context);
          }
        },
      );
    });
  });
}
