import { getChartPreferences, upsertChartPreferences } from '@openalgo/db';
import {
  CHART_LIMITS,
  chartPreferencesResponseSchema,
  chartQuerySchema,
  chartUpdateRequestSchema,
  messageResponseSchema,
} from '@openalgo/shared-types';
import type { preValidationAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { bodyFor, type DoorOptions } from '../door.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The reference's first checks, before its schema: an empty body, then a body with no preferences. */
const refuseEmptyUpdates: preValidationAsyncHookHandler = async (request) => {
  const body = request.body;
  if (!isPlainObject(body)) {
    return;
  }
  const keys = Object.keys(body);
  if (keys.length === 0) {
    throw ApiError.message(400, 'No data provided');
  }
  const apikey = body.apikey;
  const hasValidKeyOnly =
    keys.length === 1 && typeof apikey === 'string' && apikey.length >= 1 && apikey.length <= 256;
  if (hasValidKeyOnly) {
    throw ApiError.message(400, 'No preferences provided to update');
  }
};

/** Stored as text: strings as they are, anything else as its JSON. */
function toText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `GET /chart` and `POST /chart` (api-v1 §4.7.4): the chart preference store, per user. */
export const chartRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.get(
    '/chart',
    {
      schema: {
        tags: ['utility'],
        summary: 'Chart preferences of the user',
        querystring: chartQuerySchema,
        response: { 200: chartPreferencesResponseSchema },
      },
      config: {
        auth: 'key',
        apiKeyFrom: 'query',
        missingKey: { statusCode: 400, message: 'Missing apikey parameter' },
        envelope: 'E2',
        rateLimitClass: 'API_RATE_LIMIT',
      },
    },
    async (request) => {
      const userId = request.auth?.userId;
      if (userId === undefined) {
        throw ApiError.message(401, 'Missing API Key');
      }
      return { status: 'success' as const, data: await getChartPreferences(app.services.db, userId) };
    },
  );

  app.post(
    '/chart',
    {
      schema: {
        tags: ['utility'],
        summary: 'Upsert chart preferences (keys not sent are kept)',
        body: bodyFor(door, chartUpdateRequestSchema),
        response: { 200: messageResponseSchema },
      },
      preValidation: refuseEmptyUpdates,
      config: {
        auth: 'key',
        missingKey: { statusCode: 401, message: 'Missing API Key' },
        envelope: 'E2',
        rateLimitClass: 'API_RATE_LIMIT',
      },
    },
    async (request) => {
      const userId = request.auth?.userId;
      if (userId === undefined) {
        throw ApiError.message(401, 'Missing API Key');
      }
      const preferences = Object.entries(request.body as Record<string, unknown>).filter(
        ([key]) => key !== 'apikey',
      );
      if (preferences.length === 0) {
        throw ApiError.message(400, 'No preferences provided to update');
      }
      if (preferences.length > CHART_LIMITS.maxKeys) {
        throw ApiError.message(400, `Too many preference keys (max ${CHART_LIMITS.maxKeys})`);
      }
      const values: Record<string, string> = {};
      for (const [key, value] of preferences) {
        if (key.length > CHART_LIMITS.maxKeyLength) {
          throw ApiError.message(
            400,
            `Preference key too long: ${key.slice(0, 20)}... (max ${CHART_LIMITS.maxKeyLength} chars)`,
          );
        }
        const text = toText(value);
        if (Buffer.byteLength(text, 'utf8') > CHART_LIMITS.maxValueBytes) {
          throw ApiError.message(400, `Preference value too large for key: ${key} (max 1MB)`);
        }
        values[key] = text;
      }
      await upsertChartPreferences(app.services.db, userId, values, new Date(app.services.now()));
      return { status: 'success' as const, message: 'Preferences updated successfully' };
    },
  );
};
