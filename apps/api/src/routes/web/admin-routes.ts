import {
  addBanRequestSchema,
  auditListQuerySchema,
  auditListResponseSchema,
  banListResponseSchema,
  banResponseSchema,
  type IpBan,
  okResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import type { BanRecord } from '../../services/security.js';
import { requireWebSession } from './web-context.js';

export function toIpBan(record: BanRecord): IpBan {
  return {
    ip: record.ip,
    reason: record.reason,
    source: record.source,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
  };
}

/** The admin's security views: the IP ban list (add, remove) and the audit log. */
export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('preHandler', async (request) => {
    if (!requireWebSession(request).isAdmin) {
      throw ApiError.message(403, 'Only an admin may do this.');
    }
  });

  app.get('/admin/bans', { schema: { response: { 200: banListResponseSchema } } }, async () => ({
    status: 'success' as const,
    data: app.services.security.listBans().map(toIpBan),
  }));

  app.post(
    '/admin/bans',
    { schema: { body: addBanRequestSchema, response: { 200: banResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const record = await app.services.security.ban(request.body.ip, {
        reason: request.body.reason ?? 'banned by the admin',
        source: 'manual',
        durationMs: (request.body.duration_minutes ?? 0) * 60_000,
        byUserId: session.userId,
      });
      return { status: 'success' as const, data: toIpBan(record) };
    },
  );

  app.delete(
    '/admin/bans/:ip',
    {
      schema: {
        params: z.strictObject({ ip: z.string().min(2).max(64) }),
        response: { 200: okResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      if (!(await app.services.security.unban(request.params.ip, session.userId))) {
        throw ApiError.message(404, 'That address is not banned.');
      }
      return { status: 'success' as const, message: 'Ban removed.' };
    },
  );

  app.get(
    '/audit',
    { schema: { querystring: auditListQuerySchema, response: { 200: auditListResponseSchema } } },
    async (request) => {
      const rows = await app.services.audit.list({
        limit: request.query.limit,
        ...(request.query.before_id !== undefined ? { beforeId: request.query.before_id } : {}),
        ...(request.query.event !== undefined ? { event: request.query.event } : {}),
      });
      return {
        status: 'success' as const,
        data: rows.map((row) => ({
          id: row.id,
          at: row.at.getTime(),
          event: row.event,
          user_id: row.user_id,
          ip: row.ip,
          detail:
            row.detail !== null && typeof row.detail === 'object' && !Array.isArray(row.detail)
              ? row.detail
              : {},
        })),
      };
    },
  );
};
