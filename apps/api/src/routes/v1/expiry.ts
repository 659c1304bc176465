import { expiryRequestSchema, expiryResponseSchema, formatExpiry, parseExpiry } from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { formatIst } from '../../time.js';
import { bodyFor, type DoorOptions } from '../door.js';

/**
 * `POST /api/v1/expiry` (api-v1 §4.4.3): an underlying's expiries, today (IST) or later,
 * ascending and unique, as `DD-MMM-YY`. None is a 200 with `[]`.
 */
export const expiryRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/expiry',
    {
      schema: {
        tags: ['symbols'],
        summary: 'Expiry dates of an underlying',
        body: bodyFor(door, expiryRequestSchema),
        response: { 200: expiryResponseSchema },
      },
      config: { auth: 'key', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { symbol, exchange, instrumenttype } = request.body;
      const today = formatIst(app.services.now(), 'yyyy-MM-dd');
      const dates = app.services.symbols
        .expiriesOf(symbol, exchange, instrumenttype, today)
        .flatMap((date) => {
          const parsed = parseExpiry(date);
          return parsed ? [formatExpiry(parsed, 'DD-MMM-YY')] : [];
        });
      const what = `${symbol} ${instrumenttype} in ${exchange}`;
      return {
        status: 'success' as const,
        message:
          dates.length > 0
            ? `Found ${dates.length} expiry dates for ${what}`
            : `No expiry dates found for ${what}`,
        data: dates,
      };
    },
  );
};
