import { holdingsRequestSchema, holdingsResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchHoldings } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/holdings` (api-v1 §4.2): Holdings with statistics, one broker call. */
export const holdingsRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/holdings',
    {
      schema: {
        tags: ['account'],
        summary: 'Holdings with statistics',
        body: bodyFor(door, holdingsRequestSchema),
        response: { 200: holdingsResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT', sandboxRouted: true },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const data = await fetchHoldings(app.services.orders, call);
      return {
        status: 'success' as const,
        data,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
