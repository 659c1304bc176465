import {
  checkGttRequest,
  placeGttOrderRequestSchema,
  placeGttOrderResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { placeGttOrder } from '../../services/orders/gtt-orders.js';
import { queueInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/placegttorder` (api-v1 §4.1.9): unknown fields are ignored here. */
export const placeGttOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/placegttorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place a good-till-triggered order (single or OCO)',
        body: bodyFor(door, placeGttOrderRequestSchema, checkGttRequest),
        response: { 200: placeGttOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
        unexpectedMessage: 'Failed to place GTT due to internal error',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const input = withoutApikey(request.body);
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'placegttorder', input);
      if (queued) {
        return queued;
      }
      return placeGttOrder(app.services.orders, call, input);
    },
  );
};
