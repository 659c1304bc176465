import {
  checkModifyOrderRequest,
  modifyOrderRequestSchema,
  modifyOrderResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { modifyOrder } from '../../services/orders/manage-orders.js';
import { refuseInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/modifyorder` (api-v1 §4.1.5): the full new values of an open order. */
export const modifyOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/modifyorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Modify an open order',
        body: bodyFor(door, modifyOrderRequestSchema, checkModifyOrderRequest),
        response: { 200: modifyOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to modify order due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      refuseInSemiAuto(call.auth, call.mode, 'modifyorder');
      return modifyOrder(app.services.orders, call, withoutApikey(request.body));
    },
  );
};
