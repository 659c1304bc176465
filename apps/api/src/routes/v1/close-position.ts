import { closePositionRequestSchema, closePositionResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { closeAllPositions } from '../../services/orders/manage-orders.js';
import { refuseInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/closeposition` (api-v1 §4.1.8): squares off every open position. */
export const closePositionRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/closeposition',
    {
      schema: {
        tags: ['orders'],
        summary: 'Square off every open position',
        body: bodyFor(door, closePositionRequestSchema),
        response: { 200: closePositionResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'API_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to close positions due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      refuseInSemiAuto(call.auth, call.mode, 'closeposition');
      return closeAllPositions(app.services.orders, call, withoutApikey(request.body));
    },
  );
};
