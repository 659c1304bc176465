import { cancelOrderRequestSchema, cancelOrderResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { cancelOrder } from '../../services/orders/manage-orders.js';
import { refuseInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/cancelorder` (api-v1 §4.1.6). */
export const cancelOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/cancelorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an open order',
        body: bodyFor(door, cancelOrderRequestSchema),
        response: { 200: cancelOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to cancel order due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      refuseInSemiAuto(call.auth, call.mode, 'cancelorder');
      return cancelOrder(app.services.orders, call, withoutApikey(request.body));
    },
  );
};
