import { pingRequestSchema, pingResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyFor, type DoorOptions } from '../door.js';

/** `POST /api/v1/ping` (api-v1 §4.7.1): valid key and a live broker session. */
export const pingRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/ping',
    {
      schema: {
        tags: ['utility'],
        summary: 'Check the API key and the broker session',
        body: bodyFor(door, pingRequestSchema),
        response: { 200: pingResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => ({
      status: 'success' as const,
      data: { message: 'pong' as const, broker: request.auth?.session?.broker ?? app.services.brokerName },
    }),
  );
};
