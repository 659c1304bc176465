import { OpenAlgoError, toHttpError } from '@openalgo/broker-sdk';
import { ApiError } from '../../errors.js';

/**
 * A failed broker read as the client sees it: the status from the broker contract's error
 * table (`ERROR_HTTP_TABLE`: an expired session is 403 "Invalid openalgo apikey", a refused
 * symbol 404, a timeout 504, …) and the message, optionally prefixed with what was being
 * fetched (`Failed to fetch LTP for NIFTY. …`). Anything that is not a broker or API error
 * is rethrown untouched for the error handler's 500.
 */
export function toBrokerFailure(error: unknown, prefix = ''): ApiError {
  if (error instanceof ApiError) {
    if (!prefix) {
      return error;
    }
    const message = error.body.message;
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return new ApiError(error.statusCode, { status: 'error', message: `${prefix}${text}` }, { cause: error });
  }
  if (!OpenAlgoError.isInstance(error)) {
    throw error;
  }
  const { status, message } = toHttpError(error);
  return new ApiError(status, { status: 'error', message: `${prefix}${message}` }, { cause: error });
}
