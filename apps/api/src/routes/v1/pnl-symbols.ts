import {
  PNL_SYMBOLS_MESSAGES,
  pnlSymbolsRequestSchema,
  pnlSymbolsResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { fetchAnalyzerPnl } from '../../services/orders/account-books.js';
import { bodyFor, type DoorOptions } from '../door.js';

/**
 * `POST /api/v1/pnl/symbols` (api-v1 §4.6.3): the analyzer's P&L per position, with totals.
 * Sandbox only: in live mode it answers 400 before even validating the body. A valid key is
 * enough (no broker session needed); a bad one is 403 "Invalid API key" with the mode.
 */
export const pnlSymbolsRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/pnl/symbols',
    {
      schema: {
        tags: ['analyzer'],
        summary: "The analyzer's P&L per position (analyzer mode only)",
        body: bodyFor(door, pnlSymbolsRequestSchema),
        response: { 200: pnlSymbolsResponseSchema },
      },
      preValidation: async () => {
        if (app.services.modeSwitch.decide() !== 'analyze') {
          throw ApiError.message(400, PNL_SYMBOLS_MESSAGES.liveMode);
        }
      },
      config: {
        auth: 'key',
        invalidKey: { statusCode: 403, message: PNL_SYMBOLS_MESSAGES.invalidKey, mode: 'analyze' },
        envelope: 'E2',
        rateLimitClass: 'API_RATE_LIMIT',
      },
    },
    async (request) => {
      const auth = request.auth;
      if (!auth) {
        throw ApiError.message(403, PNL_SYMBOLS_MESSAGES.invalidKey, { mode: 'analyze' });
      }
      const book = await fetchAnalyzerPnl(app.services.orders, auth);
      return {
        status: 'success' as const,
        data: book.rows.map((row) => ({
          symbol: row.symbol,
          exchange: row.exchange,
          product: row.product,
          quantity: Number(row.quantity),
          pnl: Number(row.pnl),
          unrealized_pnl: row.unrealized_pnl ?? 0,
          today_realized_pnl: row.today_realized_pnl ?? 0,
          total_pnl_today: row.total_pnl_today ?? 0,
        })),
        ...book.totals,
        mode: 'analyze' as const,
      };
    },
  );
};
