import { gttOrderBookRequestSchema, gttOrderBookResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchGttOrderBook } from '../../services/orders/gtt-orders.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/gttorderbook`: active triggers only. */
export const gttOrderBookRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/gttorderbook',
    {
      schema: {
        tags: ['orders'],
        summary: 'List active GTTs',
        body: bodyFor(door, gttOrderBookRequestSchema),
        response: { 200: gttOrderBookResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT', sandboxRouted: true },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const data = await fetchGttOrderBook(app.services.orders, call);
      return {
        status: 'success' as const,
        data,
        ...(call.mode === 'analyze' ? { mode: 'analyze' as const } : {}),
      };
    },
  );
};
