import { listAnalyzerLogs } from '@openalgo/db';
import {
  actionCenterMessageResponseSchema,
  actionCenterQuerySchema,
  analyzerLogQuerySchema,
  analyzerLogResponseSchema,
  approveAllResponseSchema,
  approvePendingOrderResponseSchema,
  pendingOrderCountResponseSchema,
  pendingOrderParamsSchema,
  pendingOrdersResponseSchema,
  rejectPendingOrderBodySchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import type { ApprovalResult } from '../../services/action-center.js';
import { requireWebSession } from './web-context.js';

const noBody = z.strictObject({}).optional();

/** An Action Center refusal (not pending, not the caller's, expired) as the error it is. */
function refusedOr(result: ApprovalResult): ApprovalResult['body'] {
  if (result.body.status === 'error') {
    throw ApiError.message(result.statusCode, String(result.body.message));
  }
  return result.body;
}

/**
 * The Action Center (sandbox.md §15) and the analyzer request log (§13) for the web app,
 * behind the session door (mutations need the CSRF header). Every row is the signed-in
 * user's own; approval claims the row atomically and runs the order through the normal
 * path in the mode in force now.
 */
export const actionCenterRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/action-center',
    { schema: { querystring: actionCenterQuerySchema, response: { 200: pendingOrdersResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const data = await app.services.actionCenter.list(session.userId, request.query.status);
      return { status: 'success' as const, data };
    },
  );

  app.get(
    '/action-center/count',
    { schema: { response: { 200: pendingOrderCountResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      return { status: 'success' as const, count: await app.services.actionCenter.count(session.userId) };
    },
  );

  app.post(
    '/action-center/approve-all',
    { schema: { body: noBody, response: { 200: approveAllResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      return (await app.services.actionCenter.approveAll(session.userId, session.username)).body as z.infer<
        typeof approveAllResponseSchema
      >;
    },
  );

  app.post(
    '/action-center/:id/approve',
    {
      schema: {
        params: pendingOrderParamsSchema,
        body: noBody,
        response: { 200: approvePendingOrderResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      const result = await app.services.actionCenter.approve(
        session.userId,
        request.params.id,
        session.username,
      );
      const body = refusedOr(result);
      // Approved but not executed: still an answer about the approval (the UI shows the error).
      return {
        ...(body as z.infer<typeof approvePendingOrderResponseSchema>),
        ...(body.status === 'warning' ? { execution_status_code: result.statusCode } : {}),
      };
    },
  );

  app.post(
    '/action-center/:id/reject',
    {
      schema: {
        params: pendingOrderParamsSchema,
        body: rejectPendingOrderBodySchema.optional(),
        response: { 200: actionCenterMessageResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      const result = await app.services.actionCenter.reject(
        session.userId,
        request.params.id,
        session.username,
        request.body?.reason,
      );
      return refusedOr(result) as z.infer<typeof actionCenterMessageResponseSchema>;
    },
  );

  app.delete(
    '/action-center/:id',
    { schema: { params: pendingOrderParamsSchema, response: { 200: actionCenterMessageResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const result = await app.services.actionCenter.delete(
        session.userId,
        request.params.id,
        session.username,
      );
      return refusedOr(result) as z.infer<typeof actionCenterMessageResponseSchema>;
    },
  );

  app.get(
    '/analyzer/logs',
    { schema: { querystring: analyzerLogQuerySchema, response: { 200: analyzerLogResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const { query } = request;
      // What was answered a moment ago is in the list.
      await app.services.analyzerLog.settle();
      const rows = await listAnalyzerLogs(app.services.db, {
        userId: session.userId,
        limit: query.limit,
        ...(query.since !== undefined ? { from: new Date(query.since) } : {}),
        ...(query.until !== undefined ? { to: new Date(query.until) } : {}),
        ...(query.api_type !== undefined ? { apiType: query.api_type } : {}),
      });
      return {
        status: 'success' as const,
        data: rows.map((row) => ({
          id: row.id,
          api_type: row.api_type,
          request_data: row.request,
          response_data: row.response,
          status: row.status,
          created_at: row.created_at.getTime(),
        })),
      };
    },
  );
};
