import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { isLoopback } from '../../services/security.js';

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
};
