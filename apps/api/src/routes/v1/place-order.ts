import {
  checkPlaceOrderRequest,
  placeOrderRequestSchema,
  placeOrderResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { queueInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { answer, orderCallOf, withoutApikey } from './order-call.js';

/**
 * `POST /api/v1/placeorder` (api-v1 §4.1.1). An optional `Idempotency-Key` header makes a
 * retried placement answer the first result instead of placing again.
 */
export const placeOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/placeorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place an order',
        body: bodyFor(door, placeOrderRequestSchema, checkPlaceOrderRequest),
        response: { 200: placeOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E1',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        unexpectedMessage: 'An unexpected error occurred in the API endpoint',
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply, { acceptsIdempotencyKey: true });
      const { underlying_ltp: _underlyingLtp, ...input } = withoutApikey(request.body);
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'placeorder', input);
      if (queued) {
        return queued;
      }
      return answer(await app.services.orders.placeOrder(call, input));
    },
  );
};
