import { quotesRequestSchema, quotesResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyFor, type DoorOptions } from '../door.js';

/** `POST /api/v1/quotes` (api-v1 §4.3.1): one instrument's quote, one broker call. */
export const quotesRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/quotes',
    {
      schema: {
        tags: ['market data'],
        summary: 'Quote of one instrument',
        body: bodyFor(door, quotesRequestSchema),
        response: { 200: quotesResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => ({
      status: 'success' as const,
      data: await app.services.marketData.quote(
        request.auth?.session ?? null,
        request.body.symbol,
        request.body.exchange,
      ),
    }),
  );
};
