import { symbolRequestSchema, symbolResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { DEFAULT_FREEZE_QTY, fromIndexed } from '../../services/symbols/symbol-rows.js';
import { bodyFor, type DoorOptions } from '../door.js';

/** `POST /api/v1/symbol` (api-v1 §4.4.1): one master-contract row, from the in-memory index. */
export const symbolRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/symbol',
    {
      schema: {
        tags: ['symbols'],
        summary: 'Master-contract row of one symbol',
        body: bodyFor(door, symbolRequestSchema),
        response: { 200: symbolResponseSchema },
      },
      config: { auth: 'session', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { symbol, exchange } = request.body;
      const row = app.services.symbols.find(symbol, exchange);
      if (!row) {
        throw ApiError.message(404, `Symbol ${symbol} not found in exchange ${exchange}`);
      }
      return {
        status: 'success' as const,
        data: { id: row.id, ...fromIndexed(row), freeze_qty: DEFAULT_FREEZE_QTY },
      };
    },
  );
};
