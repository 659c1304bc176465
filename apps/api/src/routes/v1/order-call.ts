import { API_MESSAGES } from '@openalgo/shared-types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import type { OrderCall } from '../../services/orders/order-service.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The optional `Idempotency-Key` header of a placement. */
function idempotencyKeyOf(request: FastifyRequest, mark: { mode?: 'analyze' }): string | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    return null;
  }
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw ApiError.message(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', mark);
  }
  return header;
}

/** The order call behind a request: the caller, the mode decided on arrival, the arrival time. */
export function orderCallOf(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { acceptsIdempotencyKey?: boolean } = {},
): OrderCall {
  const auth = request.auth;
  if (!auth) {
    throw ApiError.message(403, API_MESSAGES.invalidApiKey);
  }
  const mode = request.analyzerMode ? 'analyze' : 'live';
  return {
    auth,
    mode,
    requestId: request.id,
    receivedAt: performance.now() - reply.elapsedTime,
    idempotencyKey: options.acceptsIdempotencyKey
      ? idempotencyKeyOf(request, mode === 'analyze' ? { mode } : {})
      : null,
  };
}

/** An outcome as the answer: the success body, or the error thrown with its status. */
export function answer<
  Outcome extends
    | { ok: true; body: unknown }
    | { ok: false; statusCode: number; body: { status: 'error'; message: string; mode?: 'analyze' } },
>(outcome: Outcome): Extract<Outcome, { ok: true }>['body'] {
  if (!outcome.ok) {
    const failure = outcome as Extract<Outcome, { ok: false }>;
    throw new ApiError(failure.statusCode, failure.body);
  }
  return (outcome as Extract<Outcome, { ok: true }>).body;
}

/** The request without its `apikey` (never stored, never passed on). */
export function withoutApikey<Body extends object>(body: Body): Omit<Body, 'apikey'> {
  const { apikey: _apikey, ...rest } = body as Body & { apikey?: unknown };
  return rest;
}
