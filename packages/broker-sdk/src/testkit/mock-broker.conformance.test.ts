import { describeBrokerConformance } from './describe-broker-conformance.js';
import { MockBroker } from './mock-broker.js';

// The mock broker other packages test against must itself keep the contract: its outputs pass
// the same validators as a real broker's. Open interest is declared false here so the suite
// also proves the mock refuses what it does not support.
describeBrokerConformance({
  name: 'MockBroker',
  startFakeServer: async () => {
    const broker = new MockBroker({ capabilities: { historyOpenInterest: false, cancelAllOrders: true } });
    return Object.assign(broker.control, { broker });
  },
  createBroker: (server) => server.broker,
  waitMs: 2_000,
});
