import { positionBookRequestSchema, positionBookResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fetchPositionBook } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf } from './order-call.js';

/** `POST /api/v1/positionbook` (api-v1 §4.2.4): one broker call; the analyzer adds totals. */
export const positionBookRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/positionbook',
    {
      schema: {
        tags: ['account'],
        summary: 'Open and closed positions of the day',
        body: bodyFor(door, positionBookRequestSchema),
        response: { 200: positionBookResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT', sandboxRouted: true },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const book = await fetchPositionBook(app.services.orders, call);
      return call.mode === 'analyze'
        ? { status: 'success' as const, data: book.rows, ...book.totals, mode: 'analyze' as const }
        : { status: 'success' as const, data: book.rows };
    },
  );
};
