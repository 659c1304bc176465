import {
  BrokerError,
  BrokerUnavailableError,
  NetworkError,
  type OpenAlgoError,
  RateLimitError,
  RequestTimeoutError,
} from '../errors.js';

/** Error codes (undici's and the OS's) meaning the request never left this machine. */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The first string `code` along an error's cause chain (undici wraps the socket error). */
export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface TransportFailure {
  error: unknown;
  operation: string;
  broker: string;
  isWrite: boolean;
  /** Our per-call timer fired (as opposed to the caller aborting). */
  isTimeout: boolean;
  isCallerAbort: boolean;
  timeoutMs: number;
}

/**
 * A failure before any HTTP answer → the typed transient errors. Writes are never marked
 * retryable unless the request provably never left (a refused connection): a write that timed
 * out or lost its connection may have reached the broker, and the order service reconciles.
 */
export function toTransportError(failure: TransportFailure): OpenAlgoError {
  const { error, operation, broker, isWrite } = failure;
  if (failure.isCallerAbort) {
    return new NetworkError(`${broker} call ${operation} was aborted`, {
      cause: error,
      retryable: false,
      context: { broker, operation, aborted: true, mayHaveReachedBroker: isWrite },
    });
  }
  if (failure.isTimeout) {
    return new RequestTimeoutError(`${broker} did not answer ${operation} within ${failure.timeoutMs} ms`, {
      cause: error,
      retryable: !isWrite,
      context: { broker, operation, timeoutMs: failure.timeoutMs, mayHaveReachedBroker: isWrite },
    });
  }
  const code = errorCodeOf(error);
  const isConnectFailure = code !== undefined && CONNECT_FAILURES.has(code);
  return new NetworkError(`${broker} could not be reached for ${operation}: ${code ?? String(error)}`, {
    cause: error,
    retryable: !isWrite || isConnectFailure,
    context: {
      broker,
      operation,
      code: code ?? null,
      mayHaveReachedBroker: isWrite && !isConnectFailure,
    },
  });
}

/** `Retry-After` in ms (seconds or an HTTP date), or `undefined`. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const header = headers.get('retry-after');
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1_000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface StatusErrorInput {
  status: number;
  bodyText: string;
  operation: string;
  broker: string;
  isWrite: boolean;
  retryAfterMs: number | undefined;
}

/**
 * The default mapping of a non-2xx answer when the broker's own error table has no opinion:
 * 429 → RateLimitError, 408 → RequestTimeoutError, 5xx → BrokerUnavailableError, anything
 * else → BrokerError, each keeping the start of the body as its message.
 */
export function errorFromStatus(input: StatusErrorInput): OpenAlgoError {
  const message = input.bodyText.trim().slice(0, 200) || `${input.broker} answered HTTP ${input.status}`;
  const context = {
    broker: input.broker,
    operation: input.operation,
    httpStatus: input.status,
    ...(input.retryAfterMs === undefined ? {} : { retryAfterMs: input.retryAfterMs }),
    ...(input.isWrite ? { mayHaveReachedBroker: input.status >= 500 || input.status === 408 } : {}),
  };
  const options = { brokerStatus: input.status, context };
  if (input.status === 429) {
    return new RateLimitError(message, options);
  }
  if (input.status === 408) {
    return new RequestTimeoutError(message, { ...options, retryable: !input.isWrite });
  }
  if (input.status >= 500) {
    return new BrokerUnavailableError(message, options);
  }
  return new BrokerError(message, options);
}
