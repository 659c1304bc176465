import {
  AuthenticationError,
  BadResponseError,
  BadSymbolError,
  BrokerError,
  BrokerUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  type OpenAlgoError,
  type OpenAlgoErrorOptions,
  OrderNotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TokenExpiredError,
} from '@openalgo/broker-sdk';

/**
 * Kite's error envelope `{status:"error", message, error_type}` → our typed errors (house rule 11):
 * exact message matches first, then substrings, then the `error_type` table; anything unmatched
 * is a plain `BrokerError` that keeps Kite's message.
 */

type ErrorFactory = (message: string, options: OpenAlgoErrorOptions) => OpenAlgoError;

export const LOGIN_AGAIN_MESSAGE = 'Zerodha session expired or was invalidated: log in to Zerodha again';

const tokenExpired: ErrorFactory = (message, options) =>
  new TokenExpiredError(`${LOGIN_AGAIN_MESSAGE} (${message})`, options);

/** Exact Kite messages (case-insensitive) with a more precise meaning than their `error_type`. */
const EXACT: ReadonlyArray<readonly [string, ErrorFactory]> = [
  ['Invalid `tradingsymbol`.', (message, options) => new BadSymbolError(message, options)],
  ['Invalid `instrument_token`.', (message, options) => new BadSymbolError(message, options)],
  ['Order not found.', (message, options) => new OrderNotFoundError(message, options)],
  ['Invalid `order_id`.', (message, options) => new OrderNotFoundError(message, options)],
  ['Trigger not found.', (message, options) => new OrderNotFoundError(message, options)],
];

/** Substrings (case-insensitive), checked after the exact table. */
const BROAD: ReadonlyArray<readonly [string, ErrorFactory]> = [
  ['insufficient funds', (message, options) => new InsufficientFundsError(message, options)],
  ['margin exceeds', (message, options) => new InsufficientFundsError(message, options)],
  ['order not found', (message, options) => new OrderNotFoundError(message, options)],
  ['does not exist', (message, options) => new OrderNotFoundError(message, options)],
  ["couldn't find", (message, options) => new OrderNotFoundError(message, options)],
  ['too many requests', (message, options) => new RateLimitError(message, options)],
];

/** By `error_type`, the last resort before `BrokerError` (spec/brokers.md §3.a "Errors"). */
const BY_TYPE: Readonly<Record<string, ErrorFactory>> = {
  TokenException: tokenExpired,
  UserException: (message, options) => new AuthenticationError(message, options),
  PermissionException: (message, options) => new PermissionDeniedError(message, options),
  InputException: (message, options) => new InvalidOrderError(message, options),
  OrderException: (message, options) => new InvalidOrderError(message, options),
  HoldingException: (message, options) => new InvalidOrderError(message, options),
  MarginException: (message, options) => new InsufficientFundsError(message, options),
  NetworkException: (message, options) => new BrokerUnavailableError(message, options),
  DataException: (message, options) => new BadResponseError(message, options),
  GeneralException: (message, options) => new BrokerError(message, options),
};

export interface KiteErrorInput {
  httpStatus: number;
  errorType: string | undefined;
  message: string | undefined;
  operation: string;
  retryAfterMs?: number | undefined;
  /** Writes only: whether the refused call may still have reached the exchange. */
  mayHaveReachedBroker?: boolean | undefined;
}

/** Builds the typed error for one Kite error answer. */
export function errorFromKite(input: KiteErrorInput): OpenAlgoError {
  const message = input.message?.trim() || `Kite answered HTTP ${input.httpStatus}`;
  const options: OpenAlgoErrorOptions = {
    brokerStatus: input.httpStatus,
    context: {
      broker: 'zerodha',
      operation: input.operation,
      httpStatus: input.httpStatus,
      errorType: input.errorType ?? null,
      brokerMessage: message,
      ...(input.retryAfterMs === undefined ? {} : { retryAfterMs: input.retryAfterMs }),
      ...(input.mayHaveReachedBroker === undefined
        ? {}
        : { mayHaveReachedBroker: input.mayHaveReachedBroker }),
    },
  };
  // HTTP 429 is the rate limiter whatever the body says.
  if (input.httpStatus === 429) {
    return new RateLimitError(message, options);
  }
  // A 403 without a Kite envelope (gateway, expired token) still means "log in again".
  if (input.httpStatus === 403 && input.errorType === undefined) {
    return tokenExpired(message, options);
  }
  const lower = message.toLowerCase();
  for (const [text, create] of EXACT) {
    if (lower === text.toLowerCase()) {
      return create(message, options);
    }
  }
  if (input.errorType !== 'TokenException') {
    for (const [text, create] of BROAD) {
      if (lower.includes(text)) {
        return create(message, options);
      }
    }
  }
  const byType = input.errorType ? BY_TYPE[input.errorType] : undefined;
  if (byType) {
    return byType(message, options);
  }
  if (input.httpStatus >= 500) {
    return new BrokerUnavailableError(message, options);
  }
  return new BrokerError(message, options);
}
