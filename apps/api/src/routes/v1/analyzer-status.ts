import { analyzerStatusRequestSchema, analyzerStatusResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyFor, type DoorOptions } from '../door.js';

/** `POST /api/v1/analyzer` (api-v1 §4.6.1): the global analyzer switch, mode inside `data`. */
export const analyzerStatusRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/analyzer',
    {
      schema: {
        tags: ['analyzer'],
        summary: 'Whether analyzer (sandbox) mode is on',
        body: bodyFor(door, analyzerStatusRequestSchema),
        response: { 200: analyzerStatusResponseSchema },
      },
      config: { auth: 'session', envelope: 'E1', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async () => {
      const isOn = app.services.analyzer.isOn;
      return {
        status: 'success' as const,
        data: {
          mode: isOn ? ('analyze' as const) : ('live' as const),
          analyze_mode: isOn,
          total_logs: await app.services.analyzerLog
            .settle()
            .then(() => app.services.analyzerTargets.countLogs()),
        },
      };
    },
  );
};
