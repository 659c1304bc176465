/**
 * `@openalgo/broker-sdk/testkit`: the conformance suite every broker package runs against its
 * own fake server, the validators it is built from, and a recording mock broker for the tests of
 * code that uses brokers. Needs vitest (a peer dependency of this subpath only).
 */
export { assertNoProblems, ConformanceViolation, eventually, expectTypedError } from './assertions.js';
export { type BrokerConformanceOptions, describeBrokerConformance } from './describe-broker-conformance.js';
export type {
  ConformanceFault,
  ConformanceInstrument,
  FakeServerControl,
  FaultRule,
} from './fake-server-control.js';
export {
  MOCK_CAPABILITIES,
  MOCK_LIMITS,
  MockBroker,
  type MockBrokerOptions,
  type MockMethod,
  type RecordedCall,
} from './mock-broker.js';
export {
  type CandleExpectation,
  type OrderExpectation,
  type Problems,
  type TickExpectation,
  validateCandles,
  validateDepth,
  validateFunds,
  validateGtt,
  validateHolding,
  validateInstrumentRow,
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
