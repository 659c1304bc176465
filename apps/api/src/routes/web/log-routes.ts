import { listLatencyLogs, listOrderLog, listTrafficLogs } from '@openalgo/db';
import {
  latencyLogQuerySchema,
  latencyLogResponseSchema,
  orderLogQuerySchema,
  orderLogResponseSchema,
  STATUS_CLASSES,
  type TrafficLogQuery,
  trafficLogQuerySchema,
  trafficLogResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { requireWebSession } from './web-context.js';

function timeWindow(query: { since?: number | undefined; until?: number | undefined }) {
  return {
    ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
    ...(query.until !== undefined ? { until: new Date(query.until) } : {}),
  };
}

function statusFilter(status: TrafficLogQuery['status']) {
  if (status === undefined) {
    return {};
  }
  if (typeof status === 'number') {
    return { status };
  }
  const floor = (STATUS_CLASSES.indexOf(status) + 2) * 100;
  return { minimumStatus: floor, statusBelow: floor + 100 };
}

/**
 * The log views (features.md §1.9): the traffic log of every `/api/v1` call and the latency
 * log of every order are the whole installation's, so only an admin reads them; the order log
 * (each order request, its broker answer and outcome) shows the signed-in user's own orders.
 * Newest first.
 */
export const logRoutes: FastifyPluginAsyncZod = async (app) => {
  function requireAdmin(request: Parameters<typeof requireWebSession>[0]): void {
    if (!requireWebSession(request).isAdmin) {
      throw ApiError.message(403, 'Only an admin may do this.');
    }
  }

  app.get(
    '/logs/traffic',
    { schema: { querystring: trafficLogQuerySchema, response: { 200: trafficLogResponseSchema } } },
    async (request) => {
      requireAdmin(request);
      const { query } = request;
      const rows = await listTrafficLogs(app.services.db, {
        limit: query.limit,
        ...timeWindow(query),
        ...(query.path !== undefined ? { pathContains: query.path } : {}),
        ...statusFilter(query.status),
      });
      return {
        status: 'success' as const,
        data: rows.map((row) => ({
          id: row.id,
          at: row.at.getTime(),
          request_id: row.request_id,
          method: row.method,
          path: row.path,
          status: row.status,
          duration_ms: row.duration_ms,
          client_ip: row.client_ip,
          api_key_id: row.api_key_id,
          error: row.error,
        })),
      };
    },
  );

  app.get(
    '/logs/latency',
    { schema: { querystring: latencyLogQuerySchema, response: { 200: latencyLogResponseSchema } } },
    async (request) => {
      requireAdmin(request);
      const { query } = request;
      const rows = await listLatencyLogs(app.services.db, {
        limit: query.limit,
        ...timeWindow(query),
        ...(query.operation !== undefined ? { operation: query.operation } : {}),
      });
      return {
        status: 'success' as const,
        data: rows.map((row) => ({
          id: row.id,
          at: row.at.getTime(),
          orderid: row.order_id,
          operation: row.operation,
          broker: row.broker,
          mode: row.mode,
          platform_ms: row.platform_ms,
          broker_ms: row.broker_ms,
          total_ms: row.total_ms,
          status: row.status,
        })),
      };
    },
  );

  app.get(
    '/logs/orders',
    { schema: { querystring: orderLogQuerySchema, response: { 200: orderLogResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const { query } = request;
      const rows = await listOrderLog(app.services.db, {
        userId: session.userId,
        limit: query.limit,
        ...(query.before !== undefined ? { before: new Date(query.before) } : {}),
        ...(query.mode !== undefined ? { mode: query.mode } : {}),
      });
      return {
        status: 'success' as const,
        data: rows.map((row) => ({
          id: row.id,
          at: row.created_at.getTime(),
          mode: row.mode,
          broker: row.broker,
          operation: row.operation,
          strategy: row.strategy,
          exchange: row.exchange,
          symbol: row.symbol,
          status: row.status,
          orderid: row.broker_order_id,
          request: row.request,
          response: row.response,
          error: row.error,
        })),
      };
    },
  );
};
