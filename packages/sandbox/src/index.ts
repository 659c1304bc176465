/**
 * `@openalgo/sandbox`: analyzer mode. A virtual broker with the contract's order, portfolio
 * and GTT duties on its own tables, filled by the connected broker's ticks.
 */
export { recordAnalyzerRequest, sanitizeAnalyzerRequest, toAnalyzerLogInput } from './analyzer-log.js';
export type { FillSource, SandboxEvent } from './core.js';
export { formatIst, IST, istDate } from './ist.js';
export type { JobReport } from './jobs.js';
export {
  type CancelAllResult,
  type CloseAllResult,
  createSandbox,
  isSandboxError,
  type Reconciliation,
  type Sandbox,
  type SandboxSettings,
  type SandboxViews,
  sandboxOrderOptionsSchema,
  sandboxSession,
} from './sandbox.js';
export {
  DEFAULT_SANDBOX_CONFIG,
  isConfigKey,
  RESET_DAYS,
  type SandboxConfig,
  type SandboxConfigKey,
  sandboxConfigSchema,
} from './sandbox-config.js';
export { type AdapterTickSource, createAdapterTickSource, type TickSource } from './tick-source.js';
export type {
  FundsData,
  GttBookRow,
  HoldingRow,
  OrderBookRow,
  OrderBookStatistics,
  PositionBookRow,
  TradeBookRow,
} from './views.js';
