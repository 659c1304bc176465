import { intervalsRequestSchema, intervalsResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyFor, type DoorOptions } from '../door.js';

/** `POST /api/v1/intervals` (api-v1 §4.3.5): the broker's history intervals, bucketed by unit. */
export const intervalsRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/intervals',
    {
      schema: {
        tags: ['market data'],
        summary: 'History intervals the broker serves',
        body: bodyFor(door, intervalsRequestSchema),
        response: { 200: intervalsResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async () => ({ status: 'success' as const, data: app.services.marketData.intervals() }),
  );
};
