import { searchSymbolTerms } from '@openalgo/db';
import { searchRequestSchema, searchResponseSchema } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { DEFAULT_FREEZE_QTY, fromDatabase } from '../../services/symbols/symbol-rows.js';
import { bodyFor, type DoorOptions } from '../door.js';

/** At most this many rows per search (api-v1 §4.4.2). */
const SEARCH_LIMIT = 500;

/**
 * `POST /api/v1/search` (api-v1 §4.4.2): every term must match symbol, broker symbol, name or
 * token (or equal the strike); ranked exact, prefix, substring. No hits is a 200 with `[]`.
 */
export const searchRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/search',
    {
      schema: {
        tags: ['symbols'],
        summary: 'Search the master contract',
        body: bodyFor(door, searchRequestSchema),
        response: { 200: searchResponseSchema },
      },
      config: { auth: 'key', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { query, exchange } = request.body;
      if (query.trim() === '') {
        throw ApiError.message(400, 'Query parameter is required and cannot be empty');
      }
      const rows = await searchSymbolTerms(app.services.db, { query, exchange, limit: SEARCH_LIMIT });
      return {
        status: 'success' as const,
        message: rows.length > 0 ? `Found ${rows.length} matching symbols` : 'No matching symbols found',
        data: rows.map((row) => ({ ...fromDatabase(row), freeze_qty: DEFAULT_FREEZE_QTY })),
      };
    },
  );
};
