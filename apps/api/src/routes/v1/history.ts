import { API_MESSAGES, historyRequestSchema, historyResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { bodyFor, type DoorOptions } from '../door.js';

/**
 * `POST /api/v1/history` (api-v1 §4.3.4). `source=api` needs a broker session and reads the
 * broker in chunks; `source=db` reads the local store and needs only a valid key (the
 * reference checks no key at all there: quirk 11, we verify it).
 */
export const historyRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/history',
    {
      schema: {
        tags: ['market data'],
        summary: 'Historical bars from the broker or the local store',
        body: bodyFor(door, historyRequestSchema),
        response: { 200: historyResponseSchema },
      },
      config: { auth: 'key', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { marketData, brokerSessions } = app.services;
      const { symbol, exchange, interval, start_date, end_date, source } = request.body;
      const series = { symbol, exchange, interval, start_date, end_date };
      if (source === 'db') {
        return { status: 'success' as const, data: await marketData.storedHistory(series) };
      }
      const userId = request.auth?.userId;
      const session =
        request.auth?.session ?? (userId !== undefined ? await brokerSessions.getActive(userId) : null);
      if (!session) {
        throw ApiError.message(403, API_MESSAGES.invalidApiKey);
      }
      return { status: 'success' as const, data: await marketData.history(session, series) };
    },
  );
};
