import {
  ANALYZER_MESSAGES,
  analyzerToggleRequestSchema,
  analyzerToggleResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { bodyFor, type DoorOptions } from '../door.js';

/**
 * `POST /api/v1/analyzer/toggle` (api-v1 §4.6.2): sets the global, persisted switch. A
 * semi-auto key may not toggle it through the API (the reference's intended 403, §2.8).
 */
export const analyzerToggleRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/analyzer/toggle',
    {
      schema: {
        tags: ['analyzer'],
        summary: 'Turn analyzer (sandbox) mode on or off',
        body: bodyFor(door, analyzerToggleRequestSchema),
        response: { 200: analyzerToggleResponseSchema },
      },
      config: { auth: 'session', envelope: 'E1', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      if (request.auth?.orderMode === 'semi_auto') {
        throw ApiError.message(403, ANALYZER_MESSAGES.semiAutoToggle);
      }
      const { analyzer, analyzerTargets, database } = app.services;
      await analyzer.set(request.body.mode, database);
      app.services.audit.record('mode.switched', {
        userId: request.auth?.userId ?? null,
        ip: request.ip,
        detail: { analyze_mode: request.body.mode, door },
      });
      const mode = request.body.mode ? ('analyze' as const) : ('live' as const);
      return {
        status: 'success' as const,
        data: {
          mode,
          analyze_mode: request.body.mode,
          total_logs: await app.services.analyzerLog.settle().then(() => analyzerTargets.countLogs()),
          message: ANALYZER_MESSAGES.switched(mode),
        },
      };
    },
  );
};
