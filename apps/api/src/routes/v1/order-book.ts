import { orderBookRequestSchema, orderBookResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchOrderBook } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/orderbook` (api-v1 §4.2): Today's orders with statistics, one broker call. */
export const orderBookRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/orderbook',
    {
      schema: {
        tags: ['account'],
        summary: "Today's orders with statistics",
        body: bodyFor(door, orderBookRequestSchema),
        response: { 200: orderBookResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT', sandboxRouted: true },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const data = await fetchOrderBook(app.services.orders, call);
      return {
        status: 'success' as const,
        data,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
