/**
 * Typed errors with stable codes and a `retryable` flag (house rule 10). Each class carries a
 * `Symbol.for` marker so `isInstance` works across duplicated copies of this package; use
 * `isInstance`, not `instanceof`.
 */

export type OpenAlgoErrorCode =
  | 'AUTHENTICATION'
  | 'TOKEN_EXPIRED'
  | 'PERMISSION_DENIED'
  | 'INSUFFICIENT_FUNDS'
  | 'INVALID_ORDER'
  | 'ORDER_NOT_FOUND'
  | 'BAD_SYMBOL'
  | 'NOT_SUPPORTED'
  | 'BAD_RESPONSE'
  | 'BROKER_ERROR'
  | 'NETWORK'
  | 'RATE_LIMITED'
  | 'BROKER_UNAVAILABLE'
  | 'TIMEOUT';

export type ErrorContext = Readonly<Record<string, unknown>>;

export interface OpenAlgoErrorOptions {
  context?: ErrorContext;
  cause?: unknown;
  /** Override the class default (e.g. a 429 that carries Retry-After). */
  retryable?: boolean;
  /** The broker's own HTTP status, when one was seen. */
  brokerStatus?: number;
}

const BASE_MARKER = Symbol.for('openalgo.error');

export class OpenAlgoError extends Error {
  readonly code: OpenAlgoErrorCode;
  readonly retryable: boolean;
  readonly context: ErrorContext;
  readonly brokerStatus: number | undefined;
  readonly [BASE_MARKER] = true;

  constructor(
    code: OpenAlgoErrorCode,
    message: string,
    retryable: boolean,
    options: OpenAlgoErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenAlgoError';
    this.code = code;
    this.retryable = options.retryable ?? retryable;
    this.context = options.context ?? {};
    this.brokerStatus = options.brokerStatus;
  }

  static isInstance(value: unknown): value is OpenAlgoError {
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BASE_MARKER] === true
    );
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      context: this.context,
    };
  }
}

type ErrorClass<T extends OpenAlgoError> = {
  new (message: string, options?: OpenAlgoErrorOptions): T;
  isInstance(value: unknown): value is T;
};

function defineError<T extends OpenAlgoError>(
  name: string,
  code: OpenAlgoErrorCode,
  retryable: boolean,
): ErrorClass<T> {
  const marker = Symbol.for(`openalgo.error.${name}`);
  const ErrorType = class extends OpenAlgoError {
    constructor(message: string, options: OpenAlgoErrorOptions = {}) {
      super(code, message, retryable, options);
      this.name = name;
      (this as unknown as Record<symbol, boolean>)[marker] = true;
    }

    static override isInstance(value: unknown): value is T {
      return (
        typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
      );
    }
  };
  Object.defineProperty(ErrorType, 'name', { value: name });
  return ErrorType as unknown as ErrorClass<T>;
}

// The broker refused or answered nonsense: do not retry blindly.
export const AuthenticationError = defineError('AuthenticationError', 'AUTHENTICATION', false);
export type AuthenticationError = InstanceType<typeof AuthenticationError>;
export const TokenExpiredError = defineError('TokenExpiredError', 'TOKEN_EXPIRED', false);
export type TokenExpiredError = InstanceType<typeof TokenExpiredError>;
export const PermissionDeniedError = defineError('PermissionDeniedError', 'PERMISSION_DENIED', false);
export type PermissionDeniedError = InstanceType<typeof PermissionDeniedError>;
export const InsufficientFundsError = defineError('InsufficientFundsError', 'INSUFFICIENT_FUNDS', false);
export type InsufficientFundsError = InstanceType<typeof InsufficientFundsError>;
export const InvalidOrderError = defineError('InvalidOrderError', 'INVALID_ORDER', false);
export type InvalidOrderError = InstanceType<typeof InvalidOrderError>;
export const OrderNotFoundError = defineError('OrderNotFoundError', 'ORDER_NOT_FOUND', false);
export type OrderNotFoundError = InstanceType<typeof OrderNotFoundError>;
export const BadSymbolError = defineError('BadSymbolError', 'BAD_SYMBOL', false);
export type BadSymbolError = InstanceType<typeof BadSymbolError>;
export const NotSupportedError = defineError('NotSupportedError', 'NOT_SUPPORTED', false);
export type NotSupportedError = InstanceType<typeof NotSupportedError>;
export const BadResponseError = defineError('BadResponseError', 'BAD_RESPONSE', false);
export type BadResponseError = InstanceType<typeof BadResponseError>;
export const BrokerError = defineError('BrokerError', 'BROKER_ERROR', false);
export type BrokerError = InstanceType<typeof BrokerError>;

// The transport failed: a retry may work (reads only; writes reconcile instead).
export const NetworkError = defineError('NetworkError', 'NETWORK', true);
export type NetworkError = InstanceType<typeof NetworkError>;
export const RateLimitError = defineError('RateLimitError', 'RATE_LIMITED', true);
export type RateLimitError = InstanceType<typeof RateLimitError>;
export const BrokerUnavailableError = defineError('BrokerUnavailableError', 'BROKER_UNAVAILABLE', true);
export type BrokerUnavailableError = InstanceType<typeof BrokerUnavailableError>;
export const RequestTimeoutError = defineError('RequestTimeoutError', 'TIMEOUT', true);
export type RequestTimeoutError = InstanceType<typeof RequestTimeoutError>;

/**
 * How each error reaches an OpenAlgo client: HTTP status and message (api-v1 §2.2, §2.7).
 * `null` message = use the error's own message (the broker's text).
 */
export const ERROR_HTTP_TABLE: Readonly<
  Record<OpenAlgoErrorCode, { status: number; message: string | null }>
> = {
  AUTHENTICATION: { status: 403, message: 'Invalid openalgo apikey' },
  TOKEN_EXPIRED: { status: 403, message: 'Invalid openalgo apikey' },
  PERMISSION_DENIED: { status: 403, message: null },
  INSUFFICIENT_FUNDS: { status: 400, message: null },
  INVALID_ORDER: { status: 400, message: null },
  ORDER_NOT_FOUND: { status: 404, message: null },
  BAD_SYMBOL: { status: 404, message: null },
  NOT_SUPPORTED: { status: 501, message: null },
  BAD_RESPONSE: { status: 502, message: null },
  BROKER_ERROR: { status: 500, message: null },
  NETWORK: { status: 502, message: null },
  RATE_LIMITED: { status: 429, message: null },
  BROKER_UNAVAILABLE: { status: 503, message: null },
  TIMEOUT: { status: 504, message: null },
};

export function toHttpError(error: OpenAlgoError): { status: number; message: string } {
  const entry = ERROR_HTTP_TABLE[error.code];
  return { status: entry.status, message: entry.message ?? error.message };
}
