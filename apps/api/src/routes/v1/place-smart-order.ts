import {
  checkWholeQuantity,
  placeSmartOrderRequestSchema,
  placeSmartOrderResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { placeSmartOrder } from '../../services/orders/place-smart-order.js';
import { queueInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { answer, orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/placesmartorder` (api-v1 §4.1.2): move a position to a signed target size. */
export const placeSmartOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/placesmartorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place an order that moves a position to a target size',
        body: bodyFor(door, placeSmartOrderRequestSchema, (data, context) =>
          checkWholeQuantity(data, context),
        ),
        response: { 200: placeSmartOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'SMART_ORDER_RATE_LIMIT',
        sandboxRouted: true,
        marksValidationErrors: true,
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply, { acceptsIdempotencyKey: true });
      const input = withoutApikey(request.body);
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'smartorder', input);
      if (queued) {
        return queued;
      }
      return answer(await placeSmartOrder(app.services.orders, call, input));
    },
  );
};
