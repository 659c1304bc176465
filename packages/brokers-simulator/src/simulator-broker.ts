import type {
  BrokerAdapter,
  BrokerCapabilities,
  BrokerLimits,
  BrokerStreams,
  Logger,
} from '@openalgo/broker-sdk';
import { createAuth } from './auth.js';
import { SimulatorControl } from './control.js';
import { SimExchange } from './exchange.js';
import { createGtt } from './gtt.js';
import { createMargin } from './margin.js';
import { createMarketData } from './market-data.js';
import { createOrders } from './orders.js';
import { createPortfolio } from './portfolio.js';
import { createStreams } from './streaming.js';
import { createInstruments } from './symbols.js';

export const VERSION = '0.1.0';

export interface SimulatorBrokerSettings {
  /** Seed of every random choice: the same seed gives the same ticks and fills. */
  seed?: number;
  /** The clock (epoch ms); tests pass a fake one. */
  now?: () => number;
  /** Ticks generated per second while `start()` runs (default 2,000). */
  ticksPerSecond?: number;
  /** Ignore market hours: trade and tick 24×7 (demos, tests). */
  alwaysOpen?: boolean;
  /** Starting cash of the simulated account, rupees (default ₹10,00,000). */
  startingCash?: number;
  /** Strikes generated on each side of the at-the-money strike (default 20). */
  strikesEachSide?: number;
  logger?: Logger;
}

export const SIMULATOR_CAPABILITIES = {
  placeOrder: true,
  modifyOrder: true,
  cancelOrder: true,
  fetchOrders: true,
  fetchOrder: true,
  fetchTrades: true,
  fetchPositions: true,
  fetchHoldings: true,
  fetchFunds: true,
  cancelAllOrders: true,
  closeAllPositions: true,
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

export const SIMULATOR_LIMITS: BrokerLimits = {
  rate: { scope: 'account', buckets: [] },
  quoteBatch: 500,
  historyMaxDays: {
    '1s': 1,
    '5s': 2,
    '10s': 3,
    '15s': 5,
    '30s': 7,
    '45s': 7,
    '1m': 60,
    '2m': 60,
    '3m': 60,
    '5m': 100,
    '10m': 100,
    '15m': 200,
    '20m': 200,
    '30m': 200,
    '1h': 400,
    '2h': 400,
    '3h': 400,
    '4h': 400,
    D: 2_000,
    W: 2_000,
    M: 2_000,
  },
  instrumentsPerStream: 3_000,
  maxStreamConnections: 3,
};

/** A simulator adapter plus the switches tests and demos use. */
export type SimulatorBroker = BrokerAdapter & {
  readonly streams: Required<BrokerStreams>;
  readonly exchange: SimExchange;
  readonly control: SimulatorControl;
  /** Starts generating ticks in real time. */
  start(): void;
  stop(): void;
};

/**
 * The simulated exchange as a broker: the embedded default broker of OpenAlgo TS. State
 * (orders, positions, funds) lives in the exchange for the lifetime of the process.
 */
export function createSimulatorBroker(settings: SimulatorBrokerSettings = {}): SimulatorBroker {
  const now = settings.now ?? Date.now;
  const exchange = new SimExchange({
    seed: settings.seed ?? 42,
    now,
    alwaysOpen: settings.alwaysOpen ?? false,
    startingCash: settings.startingCash ?? 1_000_000,
    logger: settings.logger,
    strikesEachSide: settings.strikesEachSide,
  });
  const control = new SimulatorControl(exchange);
  const ticksPerSecond = settings.ticksPerSecond ?? 2_000;
  return {
    specificationVersion: 'v1',
    id: 'simulator',
    family: 'simulator',
    displayName: 'Simulator',
    brokerType: 'IN_stock',
    exchanges: ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'MCX', 'NSE_INDEX', 'BSE_INDEX'],
    capabilities: SIMULATOR_CAPABILITIES,
    limits: SIMULATOR_LIMITS,
    auth: createAuth(control, 'simulator'),
    orders: createOrders(control),
    portfolio: createPortfolio(control),
    marketData: createMarketData(control),
    instruments: createInstruments(exchange),
    streams: createStreams(control),
    gtt: createGtt(control),
    margin: createMargin(control),
    exchange,
    control,
    start: () => exchange.start(ticksPerSecond),
    stop: () => exchange.stop(),
  };
}
