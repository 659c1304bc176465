import {
  AuthenticationError,
  BadResponseError,
  BadSymbolError,
  BrokerError,
  BrokerUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  type OpenAlgoError,
  OrderNotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import { describe, expect, it } from 'vitest';
import { errorFromKite, LOGIN_AGAIN_MESSAGE } from './errors.js';

type ErrorClass = { isInstance(value: unknown): value is OpenAlgoError; name: string };

const cases: Array<[number, string | undefined, string, ErrorClass, boolean]> = [
  [403, 'TokenException', 'Incorrect `api_key` or `access_token`.', TokenExpiredError, false],
  [403, 'PermissionException', 'Insufficient permission for that call.', PermissionDeniedError, false],
  [403, 'UserException', 'User account is blocked.', AuthenticationError, false],
  [400, 'InputException', 'Invalid `quantity`.', InvalidOrderError, false],
  [400, 'InputException', 'Invalid `tradingsymbol`.', BadSymbolError, false],
  [400, 'OrderException', 'Order cannot be modified as it is completed.', InvalidOrderError, false],
  [400, 'OrderException', 'Order not found.', OrderNotFoundError, false],
  [400, 'InputException', "Couldn't find that `order_id`.", OrderNotFoundError, false],
  [400, 'MarginException', 'Insufficient funds. Required margin is 95417.84.', InsufficientFundsError, false],
  [400, 'HoldingException', 'Insufficient holdings to sell.', InvalidOrderError, false],
  [502, 'NetworkException', 'Unable to reach the OMS.', BrokerUnavailableError, true],
  [503, 'NetworkException', 'Service unavailable.', BrokerUnavailableError, true],
  [502, 'DataException', 'Unparseable OMS answer.', BadResponseError, false],
  [500, 'GeneralException', 'Something went wrong.', BrokerError, false],
  [429, 'NetworkException', 'Too many requests', RateLimitError, true],
  [429, undefined, 'Too many requests', RateLimitError, true],
  [504, undefined, 'Gateway timeout', BrokerUnavailableError, true],
  [403, undefined, 'Forbidden', TokenExpiredError, false],
  [418, 'SomethingNewException', 'A brand new failure.', BrokerError, false],
];

describe('Kite error table', () => {
  it.each(cases)('HTTP %i %s "%s" → %s', (httpStatus, errorType, message, expected, isRetryable) => {
    const error = errorFromKite({ httpStatus, errorType, message, operation: 'placeOrder' });
    expect(expected.isInstance(error)).toBe(true);
    expect(error.retryable).toBe(isRetryable);
    expect(error.brokerStatus).toBe(httpStatus);
    expect(error.context).toMatchObject({ broker: 'zerodha', operation: 'placeOrder', httpStatus });
    const isTokenError = TokenExpiredError.isInstance(error);
    expect(error.message).toBe(isTokenError ? `${LOGIN_AGAIN_MESSAGE} (${message})` : message);
  });

  it('keeps an unmatched message rather than swallowing it', () => {
    const error = errorFromKite({ httpStatus: 400, errorType: undefined, message: '', operation: 'x' });
    expect(BrokerError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Kite answered HTTP 400');
  });

  it('carries Retry-After and the reconciliation hint in context', () => {
    const error = errorFromKite({
      httpStatus: 429,
      errorType: 'NetworkException',
      message: 'Too many requests',
      operation: 'placeOrder',
      retryAfterMs: 2_000,
      mayHaveReachedBroker: false,
    });
    expect(error.context).toMatchObject({ retryAfterMs: 2_000, mayHaveReachedBroker: false });
  });
});
