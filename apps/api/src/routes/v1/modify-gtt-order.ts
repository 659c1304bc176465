import { checkGttRequest, gttOrderResponseSchema, modifyGttOrderRequestSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { modifyGttOrder } from '../../services/orders/gtt-orders.js';
import { refuseInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/modifygttorder`: a full replacement of an active trigger. */
export const modifyGttOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/modifygttorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Replace an active GTT',
        body: bodyFor(door, modifyGttOrderRequestSchema, checkGttRequest),
        response: { 200: gttOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to modify GTT due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      refuseInSemiAuto(call.auth, call.mode, 'modifygttorder');
      return modifyGttOrder(app.services.orders, call, withoutApikey(request.body));
    },
  );
};
