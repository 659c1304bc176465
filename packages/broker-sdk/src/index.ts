/**
 * `@openalgo/broker-sdk`: the versioned contract every broker package implements.
 * The contract itself lands with the broker-SDK issue; this entry pins its version.
 */
export const SPECIFICATION_VERSION = 'v1' as const;
export type SpecificationVersion = typeof SPECIFICATION_VERSION;
