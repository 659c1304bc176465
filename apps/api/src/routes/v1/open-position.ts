import { openPositionRequestSchema, openPositionResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchOpenPosition } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/openposition` (api-v1 §4.2.7): the net quantity, the number 0 when flat. */
export const openPositionRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/openposition',
    {
      schema: {
        tags: ['account'],
        summary: 'Net quantity of one position',
        body: bodyFor(door, openPositionRequestSchema),
        response: { 200: openPositionResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'API_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const quantity = await fetchOpenPosition(app.services.orders, call, withoutApikey(request.body));
      return {
        status: 'success' as const,
        quantity,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
