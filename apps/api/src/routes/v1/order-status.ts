import { orderStatusRequestSchema, orderStatusResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchOrderStatus } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/orderstatus` (api-v1 §4.2.6): one order of today, 404 when unknown. */
export const orderStatusRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/orderstatus',
    {
      schema: {
        tags: ['account'],
        summary: "One order's current state",
        body: bodyFor(door, orderStatusRequestSchema),
        response: { 200: orderStatusResponseSchema },
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
      const data = await fetchOrderStatus(app.services.orders, call, withoutApikey(request.body));
      return {
        status: 'success' as const,
        data,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
