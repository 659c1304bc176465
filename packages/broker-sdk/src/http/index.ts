/**
 * `@openalgo/broker-sdk/http`: the HTTP client every broker package builds its REST calls on.
 * undici underneath (a runtime dependency of this package: see README "Decisions").
 */
export {
  type CallKind,
  createHttpClient,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  type Entries,
  type ErrorMappingInput,
  type FetchInit,
  type FetchLike,
  HttpClient,
  type HttpClientSettings,
  type HttpMethod,
  type HttpRequest,
  type HttpTimeouts,
  kindOf,
  type LatencySample,
  type RetryPolicy,
} from './http-client.js';
export { RateLimiter, type RateLimiterOptions, type RateReservation } from './rate-limiter.js';
export { errorCodeOf, errorFromStatus, retryAfterMs, toTransportError } from './transport-errors.js';
