import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BrokerError,
  ERROR_HTTP_TABLE,
  InsufficientFundsError,
  NotSupportedError,
  OpenAlgoError,
  RateLimitError,
  RequestTimeoutError,
  toHttpError,
} from './errors.js';

describe('typed errors', () => {
  it('carries code, retryable, context and cause', () => {
    const cause = new Error('socket hang up');
    const error = new RequestTimeoutError('order placement timed out', {
      cause,
      context: { mayHaveReachedBroker: true },
    });
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(error.context).toEqual({ mayHaveReachedBroker: true });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('RequestTimeoutError');
    expect(new InsufficientFundsError('no cash').retryable).toBe(false);
    expect(new RateLimitError('slow down', { retryable: false }).retryable).toBe(false);
  });

  it('recognises instances by marker, also across copies of the package', () => {
    const error = new NotSupportedError('gtt is not supported');
    expect(NotSupportedError.isInstance(error)).toBe(true);
    expect(OpenAlgoError.isInstance(error)).toBe(true);
    expect(AuthenticationError.isInstance(error)).toBe(false);
    // A structurally separate copy with the same global markers still matches.
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('openalgo.error')]: true,
      [Symbol.for('openalgo.error.NotSupportedError')]: true,
    });
    expect(NotSupportedError.isInstance(foreign)).toBe(true);
    expect(OpenAlgoError.isInstance(new Error('plain'))).toBe(false);
    expect(OpenAlgoError.isInstance(null)).toBe(false);
  });

  it('maps every code to an HTTP status and message', () => {
    expect(toHttpError(new AuthenticationError('token rejected'))).toEqual({
      status: 403,
      message: 'Invalid openalgo apikey',
    });
    expect(toHttpError(new BrokerError('RMS: margin exceeds'))).toEqual({
      status: 500,
      message: 'RMS: margin exceeds',
    });
    expect(toHttpError(new NotSupportedError('GTT is not supported by this broker')).status).toBe(501);
    for (const entry of Object.values(ERROR_HTTP_TABLE)) {
      expect(entry.status).toBeGreaterThanOrEqual(400);
    }
  });
});
