import type { BrokerOperation } from '@openalgo/broker-sdk';
import { buildDerivativeSymbol } from '@openalgo/broker-sdk/symbols';
import { describeBrokerConformance, type FakeServerControl } from '@openalgo/broker-sdk/testkit';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { type FakeKiteServer, startFakeKiteServer } from './fake-server/index.js';
import { createZerodhaBroker } from './zerodha-broker.js';

/**
 * The Zerodha adapter against the broker conformance suite, over the fake Kite server. The fake
 * runs on a fixed clock in market hours (Tuesday 09:30 IST) so prices only move when the suite
 * asks; the adapter gets short timeouts and fast retries because the suite injects faults.
 */

const NOW = Date.parse('2026-11-24T04:00:00.000Z');
const now = () => NOW;

/** Kite's routes for each metered operation (what the fake fails, delays and counts). */
const ROUTES: Partial<Record<BrokerOperation, { method: string; path: string | RegExp }>> = {
  placeOrder: { method: 'POST', path: /^\/orders\/[a-z]+$/ },
  modifyOrder: { method: 'PUT', path: /^\/orders\/[a-z]+\/[^/]+$/ },
  cancelOrder: { method: 'DELETE', path: /^\/orders\/[a-z]+\/[^/]+$/ },
  fetchOrders: { method: 'GET', path: '/orders' },
  fetchOrder: { method: 'GET', path: /^\/orders\/[^/]+$/ },
  fetchTrades: { method: 'GET', path: '/trades' },
  fetchPositions: { method: 'GET', path: '/portfolio/positions' },
  fetchHoldings: { method: 'GET', path: '/portfolio/holdings' },
  fetchFunds: { method: 'GET', path: '/user/margins' },
  fetchQuotes: { method: 'GET', path: '/quote' },
  fetchHistory: { method: 'GET', path: /^\/instruments\/historical\// },
};

/** Until `clearFaults()`: more calls than any adapter retries. */
const EVERY_CALL = 1_000;

interface KiteFake extends FakeServerControl {
  fake: FakeKiteServer;
}

function routeOf(operation: BrokerOperation) {
  const route = ROUTES[operation];
  if (!route) {
    throw new Error(`no Kite route mapped for ${operation}`);
  }
  return route;
}

function matches(route: { method: string; path: string | RegExp }, method: string, path: string): boolean {
  return (
    method === route.method && (typeof route.path === 'string' ? route.path === path : route.path.test(path))
  );
}

async function startKiteFake(): Promise<KiteFake> {
  const fake = await startFakeKiteServer({ now, instrumentCount: 3_000, heartbeatMs: 100, matching: 'auto' });
  const derivative = (instrumentType: 'FUT' | 'CE') => {
    const found = fake.instruments.find(
      (row) => row.exchange === 'NFO' && row.name === 'NIFTY' && row.instrumentType === instrumentType,
    );
    if (!found) {
      throw new Error(`the fake Kite dump has no NIFTY ${instrumentType}`);
    }
    const parts =
      instrumentType === 'FUT'
        ? { underlying: found.name, expiry: found.expiry, instrumentType }
        : { underlying: found.name, expiry: found.expiry, instrumentType, strike: found.strike.toString() };
    return { symbol: buildDerivativeSymbol(parts).symbol, exchange: 'NFO' as const };
  };
  const kiteInstrument = (instrument: ResolvedInstrument) =>
    fake.control.instrument(instrument.brExchange, instrument.brSymbol);
  return {
    fake,
    instruments: {
      equity: { symbol: 'SBIN', exchange: 'NSE' },
      index: { symbol: 'NIFTY', exchange: 'NSE_INDEX' },
      future: derivative('FUT'),
      option: derivative('CE'),
    },
    createSession: () => ({
      brokerId: 'zerodha',
      accessToken: fake.control.createSession(),
      userId: fake.userId,
      issuedAt: NOW,
      data: {},
    }),
    lastPrice: (instrument) => fake.market.state(kiteInstrument(instrument)).ltp.toString(),
    setAvailableCash: (amount) => fake.control.setAvailableCash(amount),
    expireSessions: () => fake.control.expireSessions(),
    injectFault: ({ fault, operation, times }) => {
      const route = routeOf(operation);
      const count = times ?? EVERY_CALL;
      if (fault === 'timeout') {
        fake.control.delayNext({ ...route, ms: 2_000, count });
      } else {
        fake.control.failNext({ ...route, status: fault === 'rate-limit' ? 429 : 503, count });
      }
    },
    clearFaults: () => fake.control.clearFaults(),
    requestCount: (operation) => {
      const route = routeOf(operation);
      return fake.requests.filter((request) => matches(route, request.method, request.path)).length;
    },
    pushTicks: () => fake.control.pushTicks(),
    dropStreams: () => fake.control.dropTickerConnections(),
    fillOrder: (orderId, quantity) => fake.control.fillOrder(orderId, { quantity }),
    addHolding: (instrument, quantity, averagePrice) =>
      fake.control.addHolding(instrument.brExchange, instrument.brSymbol, quantity, averagePrice),
    close: () => fake.close(),
  };
}

describeBrokerConformance({
  name: 'zerodha',
  now,
  startFakeServer: startKiteFake,
  createBroker: ({ fake }) =>
    createZerodhaBroker({
      apiKey: fake.apiKey,
      apiSecret: fake.apiSecret,
      baseUrl: fake.baseUrl,
      loginUrl: fake.loginUrl,
      tickerUrl: fake.tickerUrl,
      now,
      timeouts: { writeMs: 300, readMs: 300 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
      ticker: { reconnectBaseMs: 20, reconnectMaxMs: 100, staleAfterMs: 2_000, connectTimeoutMs: 3_000 },
    }),
});
