import {
  marketHolidaysRequestSchema,
  marketHolidaysResponseSchema,
  marketTimingsRequestSchema,
  marketTimingsResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { holidaysOf, istYear, timingsOn } from '../../services/market-calendar/market-calendar.js';
import { IST } from '../../time.js';
import { bodyFor, type DoorOptions } from '../door.js';

const DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
  const match = DATE_FORMAT.exec(text);
  if (!match) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * `POST /market/holidays` and `POST /market/timings` (api-v1 §4.7.2–4.7.3). The body must carry
 * an `apikey`, which the reference never verifies; neither do we (§8 #12 allows either).
 */
export const marketCalendarRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.post(
    '/market/holidays',
    {
      schema: {
        tags: ['utility'],
        summary: 'Exchange holidays and special sessions of a year (epoch ms, IST)',
        body: bodyFor(door, marketHolidaysRequestSchema),
        response: { 200: marketHolidaysResponseSchema },
      },
      config: {
        auth: 'none',
        envelope: 'E2',
        rateLimitClass: 'API_RATE_LIMIT',
        unexpectedMessage: 'An error occurred while fetching holidays',
      },
    },
    async (request) => {
      const year = request.body.year ?? istYear(app.services.now());
      return { status: 'success' as const, year, timezone: IST as 'Asia/Kolkata', data: holidaysOf(year) };
    },
  );

  app.post(
    '/market/timings',
    {
      schema: {
        tags: ['utility'],
        summary: 'Session times per exchange on a date (epoch ms, IST)',
        body: bodyFor(door, marketTimingsRequestSchema),
        response: { 200: marketTimingsResponseSchema },
      },
      config: { auth: 'none', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
    },
    async (request) => {
      const { date } = request.body;
      if (!isCalendarDate(date)) {
        throw ApiError.message(400, 'Invalid date format. Use YYYY-MM-DD');
      }
      if (date < '2020-01-01' || date > '2050-12-31') {
        throw ApiError.message(400, 'Date must be between 2020-01-01 and 2050-12-31');
      }
      return { status: 'success' as const, data: timingsOn(date) };
    },
  );
};
