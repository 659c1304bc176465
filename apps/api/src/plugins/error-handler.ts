import { OpenAlgoError, toHttpError } from '@openalgo/broker-sdk';
import { isDatabaseUnavailable } from '@openalgo/db';
import {
  API_MESSAGES,
  buildValidationErrorBody,
  toFieldErrors,
  type ValidationEnvelope,
} from '@openalgo/shared-types';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  ApiError,
  BODY_PARSE_ERROR_CODES,
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  RequestValidationError,
} from '../errors.js';
import { isSpaPath } from '../routes/web-app.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How validation errors are shaped for this route (api-v1 §2.6). Default E2. */
    envelope?: ValidationEnvelope;
    /** The generic 500 message of this route (E6). */
    unexpectedMessage?: string;
  }
}

const KNOWN_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function sendError(reply: FastifyReply, statusCode: number, body: unknown): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

/**
 * The one error handler of the api (house rule 12): validation errors in the route's
 * envelope, body-parsing failures as a clear 400, typed errors by their status, and anything
 * unexpected as a 500 whose stack stays in the log.
 */
async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(async (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    if (error instanceof RequestValidationError) {
      const validation = error as RequestValidationError;
      return sendError(
        reply,
        400,
        buildValidationErrorBody(
          config.envelope ?? 'E2',
          toFieldErrors(validation.issues),
          config.marksValidationErrors === true ? analyzerMark(request) : {},
        ),
      );
    }
    if (error instanceof ApiError) {
      if (error.statusCode === 503 && !reply.hasHeader('retry-after')) {
        // An outcome answered 503 (the order path's "database unavailable"): the same retry hint.
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      }
      return sendError(reply, error.statusCode, error.body);
    }
    if (OpenAlgoError.isInstance(error)) {
      // The broker contract's typed errors, by the SDK's one table (api-v1 §2.7).
      const { status, message } = toHttpError(error);
      return sendError(reply, status, { status: 'error', message, ...analyzerMark(request) });
    }
    const code = (error as FastifyError).code;
    if (code && BODY_PARSE_ERROR_CODES.has(code)) {
      const statusCode = code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : 400;
      const message = statusCode === 413 ? 'Request body is too large' : API_MESSAGES.invalidJsonBody;
      return sendError(reply, statusCode, { status: 'error', message });
    }
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      // Fastify's own client errors (prototype poisoning, bad URL, …): a clear 4xx, never a 500.
      const isFastifyBodyError = statusCode === 400 && code?.startsWith('FST_') === true;
      const message = isFastifyBodyError ? API_MESSAGES.invalidJsonBody : error.message;
      return sendError(reply, statusCode, { status: 'error', message });
    }
    if (isDatabaseUnavailable(error)) {
      // The connection dropped or the server is away: a clear, retryable answer, not a 500.
      request.log.warn({ err: error, reqId: request.id }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendError(reply, 503, {
        status: 'error',
        message: DATABASE_UNAVAILABLE_MESSAGE,
        ...analyzerMark(request),
      });
    }
    request.log.error({ err: error, reqId: request.id }, 'unexpected error');
    return sendError(reply, 500, {
      status: 'error',
      message: config.unexpectedMessage ?? API_MESSAGES.unexpected,
    });
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    // The web app's client-side routes: any other GET page answers its index.html.
    if (request.method === 'GET' && isSpaPath(request.url) && app.hasReplyDecorator('sendFile')) {
      return reply.sendFile('index.html');
    }
    const routePath = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const hasOtherMethod = KNOWN_METHODS.some(
      (method) => method !== request.method && app.findRoute({ method, url: routePath }) !== null,
    );
    if (hasOtherMethod) {
      return sendError(reply, 405, { status: 'error', message: API_MESSAGES.methodNotAllowed });
    }
    return sendError(reply, 404, { status: 'error', message: API_MESSAGES.notFound, path });
  });
}

/** Sandbox-served errors carry `mode: "analyze"` where the contract says so. */
function analyzerMark(request: FastifyRequest): { mode?: 'analyze' } {
  return request.analyzerMode === true ? { mode: 'analyze' } : {};
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the mode switch when the request is served by the sandbox. */
    analyzerMode: boolean;
  }
}

export const errorHandler = fp(errorHandlerPlugin, { name: 'error-handler', fastify: '5.x' });
