import {
  optionsMultiOrderRequestSchema,
  optionsMultiOrderResponseSchema,
  optionsOrderRequestSchema,
  optionsOrderResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { placeOptionsMultiOrder, placeOptionsOrder } from '../../services/orders/place-options-order.js';
import { queueInSemiAuto } from '../../services/orders/semi-auto.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { orderCallOf, withoutApikey } from './order-call.js';

const UNEXPECTED = 'An unexpected error occurred in the API endpoint';

/**
 * `POST /api/v1/optionsorder` and `/optionsmultiorder` (api-v1 §4.1.10–4.1.11): options chosen
 * by their offset from ATM, placed through the order path (semi-auto queues them, analyzer mode
 * serves them from the sandbox).
 */
export const optionsOrderRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/optionsorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place an order on the option an ATM offset names',
        body: bodyFor(door, optionsOrderRequestSchema),
        response: { 200: optionsOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E3',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        unexpectedMessage: UNEXPECTED,
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const input = withoutApikey(request.body);
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'optionsorder', input);
      if (queued) {
        return queued;
      }
      return placeOptionsOrder(app.services.orders, app.services.options, call, input);
    },
  );

  app.post(
    '/optionsmultiorder',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place a multi-leg options strategy (BUY legs first)',
        body: bodyFor(door, optionsMultiOrderRequestSchema),
        response: { 200: optionsMultiOrderResponseSchema },
      },
      config: {
        auth: 'session',
        envelope: 'E3',
        rateLimitClass: 'ORDER_RATE_LIMIT',
        sandboxRouted: true,
        unexpectedMessage: UNEXPECTED,
      },
    },
    async (request, reply) => {
      const call = orderCallOf(request, reply);
      const input = withoutApikey(request.body);
      const queued = await queueInSemiAuto(app.services.orders.queue, call, 'optionsmultiorder', input);
      if (queued) {
        return queued;
      }
      return placeOptionsMultiOrder(app.services.orders, app.services.options, call, input);
    },
  );
};
