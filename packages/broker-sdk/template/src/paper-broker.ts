import {
  BadResponseError,
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerContext,
  type BrokerLimits,
  InvalidOrderError,
  type Logger,
  NotSupportedError,
} from '@openalgo/broker-sdk';
import {
  createHttpClient,
  type FetchLike,
  type HttpRequest,
  type HttpTimeouts,
  type RetryPolicy,
} from '@openalgo/broker-sdk/http';
import { stripSeriesSuffix } from '@openalgo/broker-sdk/symbols';
import type { Exchange, InstrumentRow, Order, OrderStatus, Position, Product } from '@openalgo/shared-types';
import { toDecimal } from '@openalgo/shared-types/decimal';
import type { z } from 'zod';
import { errorFromPaper } from './errors.js';
import {
  type PaperOrder,
  paperFundsSchema,
  paperHistorySchema,
  paperHoldingsSchema,
  paperInstrumentsSchema,
  paperOneOrderSchema,
  paperOrderIdSchema,
  paperOrdersSchema,
  paperPositionsSchema,
  paperQuotesSchema,
  paperTradesSchema,
} from './paper-api-schemas.js';

/**
 * The Paper broker adapter: the v1 contract over the Paper REST API. A starting point: replace
 * the routes, schemas, error table and capability map with your broker's, keep the shape. The
 * factory takes everything a test must replace as a setting and never reads the environment.
 */

export interface PaperBrokerSettings {
  /** REST root. Default `https://api.paper.example`. */
  baseUrl?: string;
  /** Replaces the transport's `fetch` (tests, proxies). */
  fetch?: FetchLike;
  logger?: Logger;
  /** Clock, epoch ms. */
  now?: () => number;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
}

/** What Paper offers. Every `false` must throw NotSupportedError; `'emulated'` is done by the core. */
export const PAPER_CAPABILITIES = {
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
  stopLossMarketOrder: false,
  afterMarketOrder: false,
  iocValidity: false,
  fetchQuotes: true,
  fetchDepth: false,
  fetchHistory: true,
  historyOpenInterest: false,
  streamMarketData: false,
  streamDepthLevels: [],
  streamOrderUpdates: false,
  gtt: false,
  marginCalculator: false,
  basketMargin: false,
  positionsIncludeLtp: false,
} as const satisfies BrokerCapabilities;

/** Paper's published limits: the SDK's HTTP client queues calls to stay under them. */
export const PAPER_LIMITS = {
  rate: {
    scope: 'account',
    buckets: [
      { id: 'orders', operations: ['placeOrder', 'modifyOrder', 'cancelOrder'], perSecond: 10 },
      { id: 'other', operations: ['other'], perSecond: 20 },
    ],
  },
  quoteBatch: 50,
  historyMaxDays: { D: 365 },
  instrumentsPerStream: 1,
  maxStreamConnections: 1,
} as const satisfies BrokerLimits;

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT };

const STATUS: Readonly<Record<string, OrderStatus>> = {
  OPEN: 'open',
  TRIGGER_PENDING: 'trigger pending',
  FILLED: 'complete',
  CANCELLED: 'cancelled',
  REJECTED: 'rejected',
};

function unsupported(what: string): never {
  throw new NotSupportedError(`Paper does not support ${what}`, { context: { broker: 'paper' } });
}

function epochMs(text: string | null | undefined, fallback: number): number {
  const value = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(value) ? fallback : value;
}

function toOrder(row: PaperOrder, now: number): Order {
  const quantity = row.qty ?? 0;
  const filled = row.filled_qty ?? 0;
  const status = STATUS[row.state ?? ''] ?? 'open';
  const isLive = status === 'open' || status === 'trigger pending';
  const placedAt = epochMs(row.created_at, now);
  return {
    orderId: row.id,
    symbol: row.symbol,
    exchange: row.exchange as Exchange,
    action: row.side === 'SELL' ? 'SELL' : 'BUY',
    quantity,
    filledQuantity: filled,
    pendingQuantity: isLive ? quantity - filled : 0,
    price: toDecimal(row.price ?? '0').toString(),
    triggerPrice: toDecimal(row.trigger ?? '0').toString(),
    averagePrice: filled > 0 ? toDecimal(row.avg_price ?? '0').toString() : '0',
    priceType: row.type === 'MARKET' ? 'MARKET' : row.type === 'SL' ? 'SL' : 'LIMIT',
    product: (row.product ?? 'MIS') as Product,
    status,
    ...(status === 'rejected' ? { rejectionReason: row.reason || 'rejected by Paper' } : {}),
    ...(row.tag ? { clientOrderId: row.tag } : {}),
    placedAt,
    updatedAt: Math.max(placedAt, epochMs(row.updated_at, placedAt)),
    raw: row,
  };
}

export function createPaperBroker(settings: PaperBrokerSettings = {}): BrokerAdapter {
  const logger = (settings.logger ?? SILENT).child({ broker: 'paper' });
  const now = settings.now ?? Date.now;
  const http = createHttpClient({
    baseUrl: settings.baseUrl ?? 'https://api.paper.example',
    broker: 'paper',
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
    ...(settings.timeouts ? { timeouts: settings.timeouts } : {}),
    ...(settings.retry ? { retry: settings.retry } : {}),
    rateLimit: PAPER_LIMITS.rate,
    mapError: errorFromPaper,
    logger,
  });

  /** One authenticated call, its body checked against the schema (a mismatch is a BadResponseError). */
  async function call<T>(
    schema: z.ZodType<T>,
    request: Omit<HttpRequest, 'headers'>,
    context: Pick<BrokerContext, 'session' | 'signal'>,
  ): Promise<T> {
    const { text } = await http.requestText({
      ...request,
      headers: { authorization: `Bearer ${context.session.accessToken}` },
      ...(context.signal ? { signal: context.signal } : {}),
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new BadResponseError(`Paper answered ${request.operation} with malformed JSON`, {
        cause: error,
        context: { broker: 'paper', body: text.slice(0, 500) },
      });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new BadResponseError(`Paper answered ${request.operation} with an unexpected body`, {
        context: { broker: 'paper', body, issues: parsed.error.issues.slice(0, 5) },
      });
    }
    return parsed.data;
  }

  const orderBody = (input: {
    quantity: number;
    priceType: string;
    price: string;
    triggerPrice: string;
  }) => ({
    qty: input.quantity,
    type: input.priceType,
    price: input.priceType === 'MARKET' ? '0' : input.price,
    trigger: input.priceType === 'SL' ? input.triggerPrice : '0',
  });

  return {
    specificationVersion: 'v1',
    id: 'paper',
    family: 'other',
    displayName: 'Paper',
    brokerType: 'IN_stock',
    exchanges: ['NSE', 'NSE_INDEX'],
    capabilities: PAPER_CAPABILITIES,
    limits: PAPER_LIMITS,
    auth: {
      // Paper issues API tokens from its dashboard: nothing to exchange.
      loginFlow: {
        kind: 'credential-form',
        fields: [{ name: 'token', label: 'API token', kind: 'password' }],
      },
      startLogin: async () => ({
        kind: 'form',
        fields: [{ name: 'token', label: 'API token', kind: 'password' }],
      }),
      completeLogin: async (input) => {
        const token = input.token?.trim();
        if (!token) {
          throw new InvalidOrderError('Paper needs an API token');
        }
        return { brokerId: 'paper', accessToken: token, issuedAt: now(), data: {} };
      },
      validateSession: async (context) => {
        await call(paperFundsSchema, { method: 'GET', path: '/funds', operation: 'auth' }, context);
      },
    },
    orders: {
      placeOrder: async (request, context) => {
        if (request.priceType === 'SL-M') {
          unsupported('SL-M orders');
        }
        if (request.amo) {
          unsupported('after-market orders');
        }
        if (request.validity === 'IOC') {
          unsupported('IOC validity');
        }
        const { id } = await call(
          paperOrderIdSchema,
          {
            method: 'POST',
            path: '/orders',
            operation: 'placeOrder',
            json: {
              symbol: stripSeriesSuffix(request.instrument.brSymbol),
              exchange: request.instrument.brExchange,
              side: request.action,
              product: request.product,
              tag: request.clientOrderId,
              ...orderBody(request),
            },
          },
          context,
        );
        return { orderId: id, raw: { id } };
      },
      modifyOrder: async (ref, change, context) => {
        if (change.priceType === 'SL-M') {
          unsupported('SL-M orders');
        }
        const { id } = await call(
          paperOrderIdSchema,
          {
            method: 'PUT',
            path: `/orders/${encodeURIComponent(ref.orderId)}`,
            operation: 'modifyOrder',
            json: orderBody(change),
          },
          context,
        );
        return { orderId: id, raw: { id } };
      },
      cancelOrder: async (ref, context) => {
        const { id } = await call(
          paperOrderIdSchema,
          { method: 'DELETE', path: `/orders/${encodeURIComponent(ref.orderId)}`, operation: 'cancelOrder' },
          context,
        );
        return { orderId: id, raw: { id } };
      },
      fetchOrders: async (context) => {
        const { orders } = await call(
          paperOrdersSchema,
          { method: 'GET', path: '/orders', operation: 'fetchOrders' },
          context,
        );
        return orders.map((row) => toOrder(row, now()));
      },
      fetchOrder: async (ref, context) => {
        const { order } = await call(
          paperOneOrderSchema,
          { method: 'GET', path: `/orders/${encodeURIComponent(ref.orderId)}`, operation: 'fetchOrder' },
          context,
        );
        return toOrder(order, now());
      },
      fetchTrades: async (context) => {
        const { trades } = await call(
          paperTradesSchema,
          { method: 'GET', path: '/trades', operation: 'fetchTrades' },
          context,
        );
        return trades.map((row) => ({
          tradeId: row.id,
          orderId: row.order_id,
          symbol: row.symbol,
          exchange: row.exchange as Exchange,
          action: row.side === 'SELL' ? ('SELL' as const) : ('BUY' as const),
          quantity: row.qty ?? 0,
          price: toDecimal(row.price ?? '0').toString(),
          product: (row.product ?? 'MIS') as Product,
          tradedAt: epochMs(row.at, now()),
          raw: row,
        }));
      },
    },
    portfolio: {
      fetchPositions: async (context) => {
        const { positions } = await call(
          paperPositionsSchema,
          { method: 'GET', path: '/positions', operation: 'fetchPositions' },
          context,
        );
        return positions.map(
          (row): Position => ({
            symbol: row.symbol,
            exchange: row.exchange as Exchange,
            product: (row.product ?? 'MIS') as Product,
            quantity: row.net_qty ?? 0,
            averagePrice: toDecimal(row.avg_price ?? '0').toString(),
            raw: row,
          }),
        );
      },
      fetchHoldings: async (context) => {
        const { holdings } = await call(
          paperHoldingsSchema,
          { method: 'GET', path: '/holdings', operation: 'fetchHoldings' },
          context,
        );
        return holdings.map((row) => ({
          symbol: row.symbol,
          exchange: row.exchange as Exchange,
          product: 'CNC' as const,
          quantity: row.qty ?? 0,
          averagePrice: toDecimal(row.avg_price ?? '0').toString(),
          raw: row,
        }));
      },
      fetchFunds: async (context) => {
        const funds = await call(
          paperFundsSchema,
          { method: 'GET', path: '/funds', operation: 'fetchFunds' },
          context,
        );
        return {
          availableCash: toDecimal(funds.cash ?? '0').toString(),
          collateral: '0',
          utilisedDebits: toDecimal(funds.used ?? '0').toString(),
          m2mRealized: toDecimal(funds.realized ?? '0').toString(),
          m2mUnrealized: toDecimal(funds.unrealized ?? '0').toString(),
          raw: funds,
        };
      },
    },
    marketData: {
      intervals: ['D'],
      fetchQuotes: async (instruments, context) => {
        const keys = instruments.map((instrument) => `${instrument.brExchange}:${instrument.brSymbol}`);
        const { quotes } = await call(
          paperQuotesSchema,
          { method: 'GET', path: '/quotes', query: { symbols: keys.join(',') }, operation: 'fetchQuotes' },
          context,
        );
        return instruments.map((instrument, index) => {
          const quote = quotes[keys[index] ?? ''];
          if (!quote) {
            return {
              ok: false as const,
              instrument,
              error: new InvalidOrderError(`Paper has no quote for ${instrument.symbol}`),
            };
          }
          const price = (text: string | null | undefined) => toDecimal(text ?? '0').toString();
          return {
            ok: true as const,
            instrument,
            quote: {
              ltp: price(quote.last),
              open: price(quote.open),
              high: price(quote.high),
              low: price(quote.low),
              prevClose: price(quote.prev_close),
              bid: '0',
              ask: '0',
              volume: quote.volume ?? 0,
              oi: 0,
            },
          };
        });
      },
      fetchDepth: async () => unsupported('market depth'),
      fetchHistory: async (request, context) => {
        if (request.includeOi) {
          unsupported('open interest in history');
        }
        if (request.interval !== 'D') {
          throw new InvalidOrderError(`Paper serves daily candles only, not ${request.interval}`);
        }
        const { candles } = await call(
          paperHistorySchema,
          {
            method: 'GET',
            path: '/history',
            query: {
              symbol: request.instrument.brSymbol,
              exchange: request.instrument.brExchange,
              from: request.from,
              to: request.to,
            },
            operation: 'fetchHistory',
          },
          context,
        );
        return candles.map(([time, open, high, low, close, volume]) => ({
          time,
          open,
          high,
          low,
          close,
          volume,
          oi: 0,
        }));
      },
    },
    instruments: {
      requiresSession: true,
      async *download(context) {
        if (!context.session) {
          throw new InvalidOrderError('Paper serves its instruments to a logged-in session only');
        }
        const { instruments } = await call(
          paperInstrumentsSchema,
          { method: 'GET', path: '/instruments', operation: 'instruments', kind: 'long' },
          { session: context.session, ...(context.signal ? { signal: context.signal } : {}) },
        );
        const rows: InstrumentRow[] = instruments.map((row) => ({
          symbol: row.symbol,
          brsymbol: row.symbol,
          name: row.symbol,
          exchange: row.exchange as Exchange,
          brexchange: row.exchange,
          token: row.token,
          expiry: '',
          strike: '0',
          lotsize: row.lot ?? 1,
          instrumenttype: row.kind === 'INDEX' ? 'INDEX' : 'EQ',
          tick_size: toDecimal(row.tick ?? '0.05').toString(),
        }));
        yield rows;
      },
    },
    // No streaming: the capability map says false, so the core polls instead.
    streams: {},
    gtt: {
      placeGtt: async () => unsupported('GTT'),
      modifyGtt: async () => unsupported('GTT'),
      cancelGtt: async () => unsupported('GTT'),
      fetchGtts: async () => unsupported('GTT'),
    },
    margin: {
      calculateMargin: async () => unsupported('margin calculation'),
    },
  };
}
