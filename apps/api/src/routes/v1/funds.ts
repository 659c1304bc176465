import { fundsRequestSchema, fundsResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchFunds } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/funds` (api-v1 §4.2): The account funds, one broker call. */
export const fundsRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/funds',
    {
      schema: {
        tags: ['account'],
        summary: 'The account funds',
        body: bodyFor(door, fundsRequestSchema),
        response: { 200: fundsResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT', sandboxRouted: true },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const data = await fetchFunds(app.services.orders, call);
      return {
        status: 'success' as const,
        data,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
