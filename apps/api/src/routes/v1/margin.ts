import { marginRequestSchema, marginResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { calculateMargin } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/margin` (api-v1 §4.2.8): always the live broker, even in analyzer mode. */
export const marginRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/margin',
    {
      schema: {
        tags: ['account'],
        summary: 'Margin required for a basket of positions',
        body: bodyFor(door, marginRequestSchema),
        response: { 200: marginResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'MARGIN_RATE_LIMIT',
        analyzerLogged: true,
        unexpectedMessage: 'An unexpected error occurred in the API endpoint',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      return {
        status: 'success' as const,
        data: await calculateMargin(app.services.orders, call, request.body.positions),
      };
    },
  );
};
