/**
 * `@openalgo/broker-sdk`: the versioned contract every broker package implements.
 * Root export: contract types, capabilities, limits, errors and a minimal Logger.
 * Helpers live under subpaths (`./http`, `./ws`, `./symbols`), test tools under `./testkit`.
 */
export { type BrokerCapabilities, type Capability, type CapabilityName, isCapable } from './capabilities.js';
export * from './errors.js';
export type { BrokerLimits, BrokerOperation, RateBucket } from './limits.js';
export type * from './v1/adapter.js';
export type { BrokerAdapterV1 as BrokerAdapter } from './v1/adapter.js';

/** Contract versions this SDK knows. */
export const SPECIFICATION_VERSION = 'v1' as const;
export type SpecificationVersion = typeof SPECIFICATION_VERSION;
export const SUPPORTED_SPECIFICATION_VERSIONS: readonly string[] = ['v1'];
