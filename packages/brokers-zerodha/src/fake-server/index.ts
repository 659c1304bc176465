/**
 * `@openalgo/brokers-zerodha/fake-server`: a fake Kite Connect v3 (REST, login redirect,
 * instrument dump, binary ticker with order updates) for this package's tests, the conformance
 * suite and the api's end-to-end tests.
 */
export type { FakeInstrument } from './instruments.js';
export {
  type DelayRule,
  type FakeKiteServer,
  type FakeKiteServerOptions,
  type FaultRule,
  type RecordedRequest,
  startFakeKiteServer,
  type TickerClientInfo,
} from './server.js';
