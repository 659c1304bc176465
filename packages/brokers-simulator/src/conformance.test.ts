import type { BrokerOperation, BrokerSession } from '@openalgo/broker-sdk';
import { describeBrokerConformance, type FakeServerControl } from '@openalgo/broker-sdk/testkit';
import type { InjectedFailure } from './control.js';
import { decimalToPips, lookupInstrument, pipsToDecimal } from './mapping.js';
import type { MarketState } from './market.js';
import { createSimulatorBroker, type SimulatorBroker } from './simulator-broker.js';

/**
 * The simulator against the broker conformance suite, with every capability declared true. The
 * simulator is in-process, so its "fake server" is its own control surface: the exchange's
 * prices, cash and order switches, session expiry and injected failures.
 */

const FAILURES: Record<'server-error' | 'timeout' | 'rate-limit', InjectedFailure> = {
  'server-error': 'unavailable',
  timeout: 'timeout',
  'rate-limit': 'rate-limit',
};

interface SimulatorServer extends FakeServerControl {
  broker: SimulatorBroker;
}

function startSimulator(): SimulatorServer {
  const broker = createSimulatorBroker({ seed: 2026, alwaysOpen: true, strikesEachSide: 4 });
  const { exchange, control } = broker;
  const pick = (predicate: (instrument: (typeof exchange.instruments)[number]) => boolean, what: string) => {
    const found = exchange.instruments.find(predicate);
    if (!found) {
      throw new Error(`the simulated universe has no ${what}`);
    }
    return { symbol: found.symbol, exchange: found.exchange };
  };
  return {
    broker,
    instruments: {
      equity: { symbol: 'SBIN', exchange: 'NSE' },
      index: { symbol: 'NIFTY', exchange: 'NSE_INDEX' },
      future: pick((row) => row.name === 'NIFTY' && row.instrumentType === 'FUT', 'NIFTY future'),
      option: pick((row) => row.name === 'NIFTY' && row.instrumentType === 'CE', 'NIFTY call'),
    },
    createSession: (): BrokerSession => ({
      brokerId: 'simulator',
      accessToken: control.issueToken(),
      userId: 'SIM001',
      issuedAt: exchange.now,
      data: {},
    }),
    lastPrice: (instrument) => {
      const found = lookupInstrument(exchange, instrument);
      return pipsToDecimal((exchange.market.states[found.index] as MarketState).ltp);
    },
    setAvailableCash: (amount) => exchange.setAvailablePips(decimalToPips(amount)),
    expireSessions: () => control.expireSessions(),
    injectFault: ({ fault, operation, times }) =>
      control.failNext(FAILURES[fault], operation as BrokerOperation, times ?? Number.POSITIVE_INFINITY),
    clearFaults: () => control.clearFailures(),
    // One round: every instrument something subscribes to ticks once.
    pushTicks: () => exchange.advance(Math.max(1, exchange.activeInstruments.length)),
    dropStreams: () => control.dropStreams(),
    fillOrder: (orderId, quantity) => {
      exchange.fillAtMarket(orderId, quantity);
    },
    close: async () => broker.stop(),
  };
}

describeBrokerConformance({
  name: 'simulator',
  startFakeServer: async () => startSimulator(),
  createBroker: (server) => server.broker,
  waitMs: 3_000,
});
