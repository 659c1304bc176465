import {
  BadSymbolError,
  BrokerUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  type OpenAlgoError,
  type OpenAlgoErrorOptions,
  OrderNotFoundError,
  RateLimitError,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import type { ErrorMappingInput } from '@openalgo/broker-sdk/http';
import { paperErrorSchema } from './paper-api-schemas.js';

/**
 * The Paper API's error codes → the SDK's typed errors (one table per broker). An unknown code
 * returns `undefined`, so the SDK's default applies (429 → RateLimitError, 5xx →
 * BrokerUnavailableError, else BrokerError keeping the broker's message).
 */
const BY_CODE: Readonly<Record<string, (message: string, options: OpenAlgoErrorOptions) => OpenAlgoError>> = {
  TOKEN_EXPIRED: (message, options) =>
    new TokenExpiredError(`Paper session expired: log in again (${message})`, options),
  INSUFFICIENT_FUNDS: (message, options) => new InsufficientFundsError(message, options),
  INVALID_ORDER: (message, options) => new InvalidOrderError(message, options),
  UNKNOWN_SYMBOL: (message, options) => new BadSymbolError(message, options),
  ORDER_NOT_FOUND: (message, options) => new OrderNotFoundError(message, options),
  RATE_LIMITED: (message, options) => new RateLimitError(message, options),
  UNAVAILABLE: (message, options) => new BrokerUnavailableError(message, options),
};

export function errorFromPaper({
  status,
  bodyText,
  request,
  retryAfterMs,
}: ErrorMappingInput): OpenAlgoError | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const parsed = paperErrorSchema.safeParse(body);
  if (!parsed.success) {
    return undefined;
  }
  const { code, message } = parsed.data.error;
  const create = BY_CODE[code];
  const isWrite = request.kind === 'write' || request.operation === 'placeOrder';
  return create?.(message ?? code, {
    brokerStatus: status,
    context: {
      broker: 'paper',
      operation: request.label ?? request.operation,
      code,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(isWrite ? { mayHaveReachedBroker: status >= 500 } : {}),
    },
  });
}
