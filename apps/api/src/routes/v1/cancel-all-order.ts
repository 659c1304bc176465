import { cancelAllOrderRequestSchema, cancelAllOrderResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { cancelAllOrders } from '../../services/orders/manage-orders.js';
import { refuseInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/cancelallorder` (api-v1 §4.1.7): every open order of the account. */
export const cancelAllOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/cancelallorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel every open order',
        body: bodyFor(door, cancelAllOrderRequestSchema),
        response: { 200: cancelAllOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'API_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to cancel all orders due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      refuseInSemiAuto(call.auth, call.mode, 'cancelallorder');
      return cancelAllOrders(app.services.orders, call, withoutApikey(request.body));
    },
  );
};
