import { sql } from '@openalgo/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  databaseKind: z.enum(['pglite', 'postgres']),
  uptimeSeconds: z.number(),
  version: z.string(),
});

export const APP_VERSION = '0.1.0';

/** `GET /health`: a probe for load balancers and the start script; no key needed. */
export const healthRoute: FastifyPluginAsyncZod = async (app) => {
  const startedAt = app.services.now();
  app.get(
    '/health',
    { schema: { tags: ['health'], response: { 200: healthResponseSchema, 503: healthResponseSchema } } },
    async (_request, reply) => {
      let isDatabaseUp = true;
      try {
        await sql`select 1`.execute(app.services.db);
      } catch {
        isDatabaseUp = false;
      }
      const body = {
        status: isDatabaseUp ? ('ok' as const) : ('degraded' as const),
        database: isDatabaseUp ? ('ok' as const) : ('down' as const),
        databaseKind: app.services.database.kind,
        uptimeSeconds: Math.round((app.services.now() - startedAt) / 1_000),
        version: APP_VERSION,
      };
      return reply.code(isDatabaseUp ? 200 : 503).send(body);
    },
  );
};
