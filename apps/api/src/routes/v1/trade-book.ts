import { tradeBookRequestSchema, tradeBookResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchTradeBook } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/tradebook` (api-v1 §4.2): Today's trades, one broker call. */
export const tradeBookRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/tradebook',
    {
      schema: {
        tags: ['account'],
        summary: "Today's trades",
        body: bodyFor(door, tradeBookRequestSchema),
        response: { 200: tradeBookResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT', sandboxRouted: true },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const data = await fetchTradeBook(app.services.orders, call);
      return {
        status: 'success' as const,
        data,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
