export type { InjectedFailure, SimulatorControl } from './control.js';
export {
  createSimulatorBroker,
  SIMULATOR_CAPABILITIES,
  SIMULATOR_LIMITS,
  type SimulatorBroker,
  type SimulatorBrokerSettings,
  VERSION,
} from './simulator-broker.js';
