import { describeBrokerConformance } from '../describe-broker-conformance.js';
import { createBrokenBroker } from './broken-broker.js';

// Run by test/e2e/broken-adapter.test.ts through vitest's node API: the suite must fail here.
describeBrokerConformance({
  name: 'broken fixture',
  startFakeServer: async () => {
    const { broker, mock } = createBrokenBroker();
    return Object.assign(mock.control, { broker });
  },
  createBroker: (server) => server.broker,
  waitMs: 1_000,
});
