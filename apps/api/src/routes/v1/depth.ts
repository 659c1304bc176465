import { depthRequestSchema, depthResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyFor, type DoorOptions } from '../door.js';

/** `POST /api/v1/depth` (api-v1 §4.3.3): five levels each side, padded with zeros. */
export const depthRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/depth',
    {
      schema: {
        tags: ['market data'],
        summary: 'Market depth of one instrument',
        body: bodyFor(door, depthRequestSchema),
        response: { 200: depthResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => ({
      status: 'success' as const,
      data: await app.services.marketData.depth(
        request.auth?.session ?? null,
        request.body.symbol,
        request.body.exchange,
      ),
    }),
  );
};
