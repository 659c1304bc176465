import {
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerLimits,
  type Logger,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import WebSocket from 'ws';
import { createAuth } from './auth.js';
import { createGtt } from './gtt.js';
import { KiteHttpClient } from './kite-http.js';
import { KITE_HISTORY_MAX_DAYS, ZERODHA_EXCHANGES } from './mapping.js';
import { createMargin } from './margin.js';
import { createMarketData, QUOTE_BATCH } from './market-data.js';
import { createOrders } from './orders.js';
import { createPortfolio } from './portfolio.js';
import { resolveSettings, type ZerodhaBrokerSettings } from './settings.js';
import { createStreams } from './streaming.js';
import { createInstruments } from './symbols.js';
import type { WebSocketConstructor } from './ticker-socket.js';

/** Everything Kite Connect offers (spec/brokers.md §5.2 capability map, Kite column). */
export const ZERODHA_CAPABILITIES = {
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
} as const satisfies BrokerCapabilities;

/** Kite's published limits (spec/brokers.md §3.a "Rate limits"). */
export const ZERODHA_LIMITS = {
  rate: {
    scope: 'account',
    buckets: [
      { id: 'orders', operations: ['placeOrder'], perSecond: 10, perMinute: 400, perDay: 5_000 },
      { id: 'quote', operations: ['fetchQuotes', 'fetchDepth'], perSecond: 1 },
      { id: 'history', operations: ['fetchHistory'], perSecond: 3 },
      {
        id: 'other',
        operations: [
          'modifyOrder',
          'cancelOrder',
          'fetchOrders',
          'fetchOrder',
          'fetchTrades',
          'fetchPositions',
          'fetchHoldings',
          'fetchFunds',
          'instruments',
          'gtt',
          'margin',
          'auth',
          'other',
        ],
        perSecond: 10,
      },
    ],
  },
  maxModificationsPerOrder: 25,
  quoteBatch: QUOTE_BATCH,
  historyMaxDays: KITE_HISTORY_MAX_DAYS,
  instrumentsPerStream: 3_000,
  maxStreamConnections: 3,
} as const satisfies BrokerLimits;

const SILENT_LOGGER: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => SILENT_LOGGER,
};

/** Builds the Zerodha adapter. Wires the duty modules together; holds no logic of its own. */
export function createZerodhaBroker(settings: ZerodhaBrokerSettings): BrokerAdapter {
  const resolved = resolveSettings(settings);
  const logger = (settings.logger ?? SILENT_LOGGER).child({ broker: 'zerodha' });
  const now = settings.now ?? Date.now;
  const http = new KiteHttpClient({
    apiKey: resolved.apiKey,
    baseUrl: resolved.baseUrl,
    fetch: settings.fetch,
    logger,
    timeouts: resolved.timeouts,
    retry: resolved.retry,
    rate: settings.rateLimit === false ? undefined : ZERODHA_LIMITS.rate,
    onLatency: settings.onLatency,
  });
  const auth = createAuth(http, {
    apiKey: resolved.apiKey,
    apiSecret: resolved.apiSecret,
    loginUrl: resolved.loginUrl,
  });
  const streams = createStreams({
    apiKey: resolved.apiKey,
    tickerUrl: resolved.tickerUrl,
    WebSocket: settings.webSocket ?? (WebSocket as unknown as WebSocketConstructor),
    settings: resolved.ticker,
    maxInstrumentsPerConnection: resolved.maxInstrumentsPerConnection,
    maxConnections: resolved.maxConnections,
    logger,
    now,
    checkSession: async (accessToken) => {
      try {
        await auth.validateSession?.({
          session: { brokerId: 'zerodha', accessToken, issuedAt: now(), data: {} },
          logger,
          now,
          resolveBrokerInstrument: () => undefined,
        });
        return true;
      } catch (error) {
        return !TokenExpiredError.isInstance(error);
      }
    },
  });
  return {
    specificationVersion: 'v1',
    id: 'zerodha',
    family: 'kite',
    displayName: 'Zerodha',
    brokerType: 'IN_stock',
    exchanges: ZERODHA_EXCHANGES,
    capabilities: ZERODHA_CAPABILITIES,
    limits: ZERODHA_LIMITS,
    auth,
    orders: createOrders(http),
    portfolio: createPortfolio(http),
    marketData: createMarketData(http),
    instruments: createInstruments(http),
    streams,
    gtt: createGtt(http),
    margin: createMargin(http),
  };
}
