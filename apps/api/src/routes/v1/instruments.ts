import { instrumentsQuerySchema, instrumentsResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromIndexed, renderInstrumentsCsv } from '../../services/symbols/symbol-rows.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { plainTextErrorsWhen } from './plain-text-errors.js';

/**
 * `GET /api/v1/instruments` (api-v1 §4.4.4): the master contract, one exchange or all (quirk 4:
 * a missing `exchange` means every exchange), as JSON or as a CSV attachment. In CSV mode
 * errors are plain text, as the reference answers them.
 */
export const instrumentsRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.get(
    '/instruments',
    {
      schema: {
        tags: ['symbols'],
        summary: 'The master contract as JSON or CSV',
        querystring: bodyFor(door, instrumentsQuerySchema),
        response: {
          200: z.union([instrumentsResponseSchema, z.string().describe('the CSV when format=csv')]),
        },
      },
      config: { auth: 'key', apiKeyFrom: 'query', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
      onSend: plainTextErrorsWhen('format', 'csv'),
    },
    async (request, reply) => {
      const { exchange, format } = request.query;
      const rows = app.services.symbols.list(exchange).map(fromIndexed);
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename=instruments_${exchange ?? 'all'}.csv`)
          .serializer((payload: unknown) => String(payload))
          .send(renderInstrumentsCsv(rows));
      }
      return {
        status: 'success' as const,
        message: rows.length > 0 ? `Found ${rows.length} instruments` : 'No instruments found',
        data: rows,
      };
    },
  );
};
