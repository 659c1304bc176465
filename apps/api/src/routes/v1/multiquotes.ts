import { multiQuotesRequestSchema, multiQuotesResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyFor, type DoorOptions } from '../door.js';

/**
 * `POST /api/v1/multiquotes` (api-v1 §4.3.2): unlisted symbols first, inline; the rest in as
 * few broker calls as the broker's quote batch allows (one, for up to `limits.quoteBatch`).
 */
export const multiQuotesRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/multiquotes',
    {
      schema: {
        tags: ['market data'],
        summary: 'Quotes of several instruments',
        body: bodyFor(door, multiQuotesRequestSchema),
        response: { 200: multiQuotesResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => ({
      status: 'success' as const,
      results: await app.services.marketData.multiQuotes(request.auth?.session ?? null, request.body.symbols),
    }),
  );
};
