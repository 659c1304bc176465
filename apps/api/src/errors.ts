import type { ErrorResponse } from '@openalgo/shared-types';
import type { z } from 'zod';

/** An error the API answers with a fixed status and an OpenAlgo body. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorResponse,
    options?: { cause?: unknown },
  ) {
    super(typeof body.message === 'string' ? body.message : 'validation failed', options);
    this.name = 'ApiError';
  }

  static message(
    statusCode: number,
    message: string,
    extra: { mode?: 'analyze' } = {},
    options?: { cause?: unknown },
  ): ApiError {
    return new ApiError(statusCode, { status: 'error', message, ...extra }, options);
  }
}

/** A request that failed its zod schema; the route's envelope decides the body. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'REQUEST_VALIDATION';
  constructor(
    readonly issues: readonly z.core.$ZodIssue[],
    readonly part: 'body' | 'querystring' | 'params' | 'headers',
  ) {
    super('request validation failed');
    this.name = 'RequestValidationError';
  }
}

/** The answer while the database cannot be reached (503: the client may retry). */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable right now; try again shortly';
/** Seconds a client is asked to wait before retrying after a 503 for the database. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/** Fastify's own body-parsing errors, all answered with one 400 (api-v1 §2.5 recommendation). */
export const BODY_PARSE_ERROR_CODES = new Set([
  'FST_ERR_CTP_INVALID_JSON_BODY',
  'FST_ERR_CTP_EMPTY_JSON_BODY',
  'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
  'FST_ERR_CTP_INVALID_TYPE',
  'FST_ERR_CTP_BODY_TOO_LARGE',
  'FST_ERR_CTP_INVALID_CHARSET',
]);
