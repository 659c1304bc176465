import {
  analyticsResponseSchema,
  SIP_FREQUENCIES,
  sipBacktestRequestSchema,
  sipFrequenciesResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { bodyFor, type DoorOptions } from '../door.js';

export const SIP_NOT_SUPPORTED = 'SIP backtesting is not supported by this server yet';

/** `/sip/*` (api-v1 §4.7.6). */
export const sipRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.get(
    '/sip/frequencies',
    {
      schema: {
        tags: ['utility'],
        summary: 'SIP instalment frequencies (no key needed)',
        response: { 200: sipFrequenciesResponseSchema },
      },
      config: { auth: 'none', envelope: 'E2', rateLimitClass: 'SIP_API_RATE_LIMIT' },
    },
    async () => ({
      status: 'success' as const,
      data: SIP_FREQUENCIES.map((frequency) => ({ ...frequency })),
    }),
  );

  app.post(
    '/sip/backtest',
    {
      schema: {
        tags: ['utility'],
        summary: 'Backtest a systematic investment plan',
        body: bodyFor(door, sipBacktestRequestSchema),
        response: { 200: analyticsResponseSchema },
      },
      config: {
        auth: 'key',
        envelope: 'E2',
        rateLimitClass: 'SIP_API_RATE_LIMIT',
        unexpectedMessage: 'SIP backtest failed.',
      },
    },
    async (request) => {
      const { start_date: start, end_date: end } = request.body;
      if (end <= start) {
        throw ApiError.message(400, 'end_date must be after start_date');
      }
      if (Number(end.slice(0, 4)) - Number(start.slice(0, 4)) > 30) {
        throw ApiError.message(400, 'The backtest window must not exceed 30 years');
      }
      if (request.body.source === 'api') {
        const userId = request.auth?.userId;
        if (userId === undefined || !(await app.services.brokerSessions.getActive(userId))) {
          throw ApiError.message(
            403,
            "No broker session for source='api'. Log in to your broker, or use source='db'.",
          );
        }
      }
      throw ApiError.message(501, SIP_NOT_SUPPORTED);
    },
  );
};
