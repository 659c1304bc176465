import type { BrokerOperation } from '@openalgo/broker-sdk';
import { describeBrokerConformance, type FakeServerControl } from '@openalgo/broker-sdk/testkit';
import { toDecimal } from '@openalgo/shared-types/decimal';
import { type FakePaperServer, startFakePaperServer } from './fake-server/index.js';
import { createPaperBroker } from './paper-broker.js';

/**
 * The Paper adapter against the OpenAlgo broker conformance suite, over the fake Paper API.
 * `FakeServerControl` is how the suite drives the fake: sessions, prices, cash, faults.
 */

const ROUTES: Partial<Record<BrokerOperation, { method: string; path: RegExp }>> = {
  placeOrder: { method: 'POST', path: /^\/orders$/ },
  fetchOrders: { method: 'GET', path: /^\/orders$/ },
  fetchFunds: { method: 'GET', path: /^\/funds$/ },
};

function routeOf(operation: BrokerOperation) {
  const route = ROUTES[operation];
  if (!route) {
    throw new Error(`no Paper route mapped for ${operation}`);
  }
  return route;
}

async function startPaperFake(): Promise<FakeServerControl & { fake: FakePaperServer }> {
  const fake = await startFakePaperServer();
  return {
    fake,
    instruments: {
      equity: { symbol: 'SBIN', exchange: 'NSE' },
      index: { symbol: 'NIFTY', exchange: 'NSE_INDEX' },
    },
    createSession: () => ({
      brokerId: 'paper',
      accessToken: fake.control.createSession(),
      issuedAt: Date.now(),
      data: {},
    }),
    lastPrice: (instrument) =>
      fake.exchange.find(instrument.brExchange, instrument.brSymbol).price.toString(),
    setAvailableCash: (amount) => {
      fake.exchange.cash = toDecimal(amount);
    },
    expireSessions: () => fake.control.expireSessions(),
    injectFault: ({ fault, operation, times }) => {
      const status = fault === 'timeout' ? 'hang' : fault === 'rate-limit' ? 429 : 503;
      fake.control.failNext({ ...routeOf(operation), status, times: times ?? 1_000 });
    },
    clearFaults: () => fake.control.clearFaults(),
    requestCount: (operation) => {
      const route = routeOf(operation);
      return fake.requests.filter(
        (request) => request.method === route.method && route.path.test(request.path),
      ).length;
    },
    fillOrder: (orderId, quantity) => {
      const order = fake.exchange.order(orderId);
      fake.exchange.fill(order, quantity, order.instrument.price);
    },
    close: () => fake.close(),
  };
}

describeBrokerConformance({
  name: 'paper',
  startFakeServer: startPaperFake,
  createBroker: ({ fake }) =>
    createPaperBroker({
      baseUrl: fake.baseUrl,
      // Short timeouts and fast retries: the suite injects timeouts and 5xx answers.
      timeouts: { writeMs: 300, readMs: 300 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    }),
});
