import { cancelGttOrderRequestSchema, gttOrderResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { cancelGttOrder } from '../../services/orders/gtt-orders.js';
import { refuseInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/cancelgttorder`. */
export const cancelGttOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/cancelgttorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an active GTT',
        body: bodyFor(door, cancelGttOrderRequestSchema),
        response: { 200: gttOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to cancel GTT due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      refuseInSemiAuto(call.auth, call.mode, 'cancelgttorder');
      return cancelGttOrder(app.services.orders, call, withoutApikey(request.body));
    },
  );
};
