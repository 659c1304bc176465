import {
  API_MESSAGES,
  multiOptionGreeksRequestSchema,
  multiOptionGreeksResponseSchema,
  type OptionGreeksFailure,
  type OptionGreeksResult,
  optionChainRequestSchema,
  optionChainResponseSchema,
  optionGreeksRequestSchema,
  optionGreeksResponseSchema,
  optionSymbolRequestSchema,
  optionSymbolResponseSchema,
  syntheticFutureRequestSchema,
  syntheticFutureResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { bodyFor, type DoorOptions } from '../door.js';

/** The Greeks routes refuse a JSON `null` body with their own text (api-v1 §2.6 E4). */
async function refuseNullBody(request: FastifyRequest): Promise<void> {
  if (request.body === null) {
    throw ApiError.message(400, 'Request body is missing or invalid JSON');
  }
}

const GREEKS_INVALID_KEY = { statusCode: 401, message: API_MESSAGES.invalidApiKey };

/** The Greeks routes check the key alone, then need the broker session for quotes. */
async function sessionOf(request: FastifyRequest) {
  const userId = request.auth?.userId;
  const session =
    request.auth?.session ??
    (userId !== undefined ? await request.server.services.brokerSessions.getActive(userId) : null);
  if (!session) {
    throw ApiError.message(403, API_MESSAGES.invalidApiKey);
  }
  return session;
}

/** Options analytics (api-v1 §4.5): option symbol, chain, Greeks, multi-Greeks, synthetic future. */
export const optionsRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/optionsymbol',
    {
      schema: {
        tags: ['options'],
        summary: 'Resolve an option symbol by ATM offset',
        body: bodyFor(door, optionSymbolRequestSchema),
        response: { 200: optionSymbolResponseSchema },
      },
      config: { auth: 'session', envelope: 'E3', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { underlying, exchange, expiry_date, strike_int, offset, option_type } = request.body;
      const { row: _row, ...answer } = await app.services.options.optionSymbol(
        request.auth?.session ?? null,
        {
          underlying,
          exchange,
          expiry_date,
          strike_int,
          offset,
          option_type,
        },
      );
      return { status: 'success' as const, ...answer };
    },
  );

  app.post(
    '/optionchain',
    {
      schema: {
        tags: ['options'],
        summary: 'Option chain of one expiry around ATM',
        body: bodyFor(door, optionChainRequestSchema),
        response: { 200: optionChainResponseSchema },
      },
      config: { auth: 'session', envelope: 'E3', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { underlying, exchange, expiry_date, strike_count, with_greeks, interest_rate } = request.body;
      const chain = await app.services.options.optionChain(request.auth?.session ?? null, {
        underlying,
        exchange,
        expiry_date,
        strike_count,
        with_greeks,
        interest_rate,
      });
      return { status: 'success' as const, ...chain };
    },
  );

  app.post(
    '/optiongreeks',
    {
      schema: {
        tags: ['options'],
        summary: 'Implied volatility and Greeks of one option (Black-76)',
        body: bodyFor(door, optionGreeksRequestSchema),
        response: { 200: optionGreeksResponseSchema },
      },
      preValidation: refuseNullBody,
      config: {
        auth: 'key',
        invalidKey: GREEKS_INVALID_KEY,
        envelope: 'E4',
        rateLimitClass: 'GREEKS_RATE_LIMIT',
        unexpectedMessage: 'Internal server error while calculating option Greeks',
      },
    },
    async (request) => {
      const {
        symbol,
        exchange,
        interest_rate,
        forward_price,
        underlying_symbol,
        underlying_exchange,
        expiry_time,
      } = request.body;
      return app.services.options.greeks(await sessionOf(request), {
        symbol,
        exchange,
        interest_rate,
        forward_price,
        underlying_symbol,
        underlying_exchange,
        expiry_time,
      });
    },
  );

  app.post(
    '/multioptiongreeks',
    {
      schema: {
        tags: ['options'],
        summary: 'Greeks of up to 50 options',
        body: bodyFor(door, multiOptionGreeksRequestSchema),
        response: { 200: multiOptionGreeksResponseSchema },
      },
      preValidation: refuseNullBody,
      config: {
        auth: 'key',
        invalidKey: GREEKS_INVALID_KEY,
        envelope: 'E4',
        rateLimitClass: 'API_RATE_LIMIT',
        unexpectedMessage: 'Internal server error while calculating option Greeks',
      },
    },
    async (request) => {
      const { symbols, interest_rate, expiry_time } = request.body;
      const session = await sessionOf(request);
      const data: Array<OptionGreeksResult | OptionGreeksFailure> = [];
      for (const item of symbols) {
        try {
          data.push(
            await app.services.options.greeks(
              session,
              { ...item, interest_rate, expiry_time },
              { expiredIsSuccess: true },
            ),
          );
        } catch (error) {
          if (!(error instanceof ApiError)) {
            throw error;
          }
          const message = typeof error.body.message === 'string' ? error.body.message : 'Failed';
          data.push({ status: 'error', symbol: item.symbol, exchange: item.exchange, message });
        }
      }
      const failures = data.filter((entry): entry is OptionGreeksFailure => entry.status === 'error');
      const succeeded = data.length - failures.length;
      const status: 'success' | 'partial' | 'error' =
        failures.length === 0 ? 'success' : succeeded > 0 ? 'partial' : 'error';
      const messages = [...new Set(failures.map((failure) => failure.message))].slice(0, 3).join('; ');
      return {
        status,
        data,
        summary: { total: data.length, success: succeeded, failed: failures.length },
        ...(status === 'error'
          ? { message: `All option Greeks calculations failed: ${messages}` }
          : status === 'partial'
            ? { message: `${failures.length} option Greeks calculation(s) failed: ${messages}` }
            : {}),
      };
    },
  );

  app.post(
    '/syntheticfuture',
    {
      schema: {
        tags: ['options'],
        summary: 'Synthetic future of one expiry (ATM strike + CE − PE)',
        body: bodyFor(door, syntheticFutureRequestSchema),
        response: { 200: syntheticFutureResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E3',
        rateLimitClass: 'API_RATE_LIMIT',
        unexpectedMessage: 'An unexpected error occurred in the API endpoint',
      },
    },
    async (request) => {
      const { underlying, exchange, expiry_date } = request.body;
      const answer = await app.services.options.syntheticFuture(request.auth?.session ?? null, {
        underlying,
        exchange,
        expiry_date,
      });
      return { status: 'success' as const, underlying, expiry: expiry_date, ...answer };
    },
  );
};
