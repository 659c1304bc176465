import {
  checkSplitOrderRequest,
  splitOrderRequestSchema,
  splitOrderResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { placeSplitOrder } from '../../services/orders/place-split-order.js';
import { queueInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

/** `POST /api/v1/splitorder` (api-v1 §4.1.4): a total quantity in children of `splitsize`. */
export const splitOrderRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/splitorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Split a quantity into several orders',
        body: bodyFor(door, splitOrderRequestSchema, checkSplitOrderRequest),
        response: { 200: splitOrderResponseSchema },
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
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'splitorder', input);
      if (queued) {
        return queued;
      }
      const split = await placeSplitOrder(app.services.orders, call, input);
      return {
        status: 'success' as const,
        total_quantity: split.totalQuantity,
        split_size: split.splitSize,
        results: split.results,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
