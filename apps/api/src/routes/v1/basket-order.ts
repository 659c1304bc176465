import { basketOrderRequestSchema, basketOrderResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { placeBasketOrder } from '../../services/orders/place-basket-order.js';
import { queueInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/basketorder` (api-v1 §4.1.3): one result per leg; 200 even if legs fail. */
export const basketOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/basketorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place a basket of orders',
        body: bodyFor(door, basketOrderRequestSchema),
        response: { 200: basketOrderResponseSchema },
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
      const input = withoutApikey(request.body);
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'basketorder', input);
      if (queued) {
        return queued;
      }
      const results = await placeBasketOrder(app.services.orders, call, input);
      return call.mode === 'analyze'
        ? { status: 'success' as const, results, mode: 'analyze' as const }
        : { status: 'success' as const, results };
    },
  );
};
