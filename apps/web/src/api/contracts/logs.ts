/**
 * Traffic, latency and order logs (features.md §1.9, §8.1, §8.2): the contract's schemas from
 * `@openalgo/shared-types`, as the api answers them.
 */
export {
  type LatencyLogEntry as LatencyRow,
  latencyLogResponseSchema as latencyResponseSchema,
  type OrderLogEntry as OrderLogRow,
  orderLogResponseSchema,
  type TrafficLogEntry as TrafficRow,
  trafficLogResponseSchema as trafficResponseSchema,
} from '@openalgo/shared-types';
