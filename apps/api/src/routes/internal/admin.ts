import { timingSafeEqual } from 'node:crypto';
import {
  addBanRequestSchema,
  banListResponseSchema,
  banResponseSchema,
  newPasswordSchema,
  okResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { generatePassword } from '../../services/passwords.js';
import { reencryptSecrets } from '../../services/reencrypt-secrets.js';
import { isLoopback } from '../../services/security.js';
import { toIpBan } from '../web/admin-routes.js';

const rotateRequestSchema = z.strictObject({ username: z.string().min(1).max(64).optional() });
const rotateResponseSchema = z.object({
  status: z.literal('success'),
  apikey: z.string(),
  username: z.string(),
});

function tokensMatch(given: string, expected: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Loopback-only admin routes for the CLI while the server runs (the embedded database serves
 * one process, so the CLI asks the server instead of opening it). Bearer `ADMIN_TOKEN`.
 */
export const internalAdminRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!isLoopback(request.ip) || !tokensMatch(token, app.services.config.ADMIN_TOKEN)) {
      throw ApiError.message(403, 'Forbidden');
    }
  });

  app.post(
    '/apikey/rotate',
    { schema: { body: rotateRequestSchema, response: { 200: rotateResponseSchema } } },
    async (request) => {
      const user = await app.services.accounts.findAdmin(request.body.username);
      const apikey = await app.services.accounts.rotateApiKey(user.id);
      request.log.info({ userId: user.id }, 'api key rotated through the admin route');
      return { status: 'success' as const, apikey, username: user.username };
    },
  );

  const passwordResetSchema = z.strictObject({
    username: z.string().min(1).max(64),
    password: newPasswordSchema.optional(),
  });
  app.post(
    '/password/reset',
    {
      schema: {
        body: passwordResetSchema,
        response: {
          200: z.object({ status: z.literal('success'), username: z.string(), password: z.string() }),
        },
      },
    },
    async (request) => {
      const password = request.body.password ?? generatePassword();
      const user = await app.services.webAuth.resetPasswordAsOperator(request.body.username, password);
      request.log.info({ userId: user.id }, 'password reset through the admin route');
      return { status: 'success' as const, username: user.username, password };
    },
  );

  app.post(
    '/secrets/reencrypt',
    {
      schema: {
        response: {
          200: z.object({ status: z.literal('success'), reencrypted: z.number(), unreadable: z.number() }),
        },
      },
    },
    async () => {
      const result = await reencryptSecrets(app.services.db, app.services.secretBox, app.services.logger);
      if (result.reencrypted > 0) {
        app.services.audit.record('secrets.reencrypted', { detail: { ...result, via: 'cli' } });
      }
      return { status: 'success' as const, ...result };
    },
  );

  app.get('/bans', { schema: { response: { 200: banListResponseSchema } } }, async () => ({
    status: 'success' as const,
    data: app.services.security.listBans().map(toIpBan),
  }));

  app.post(
    '/bans',
    { schema: { body: addBanRequestSchema, response: { 200: banResponseSchema } } },
    async (request) => {
      const record = await app.services.security.ban(request.body.ip, {
        reason: request.body.reason ?? 'banned from the command line',
        source: 'manual',
        durationMs: (request.body.duration_minutes ?? 0) * 60_000,
      });
      return { status: 'success' as const, data: toIpBan(record) };
    },
  );

  app.delete(
    '/bans/:ip',
    {
      schema: {
        params: z.strictObject({ ip: z.string().min(2).max(64) }),
        response: { 200: okResponseSchema },
      },
    },
    async (request) => {
      if (!(await app.services.security.unban(request.params.ip))) {
        throw ApiError.message(404, 'That address is not banned.');
      }
      return { status: 'success' as const, message: 'Ban removed.' };
    },
  );
};
