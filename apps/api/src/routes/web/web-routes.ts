import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { sessionAuth } from '../../plugins/session-auth.js';
import { accountRoutes } from './account-routes.js';
import { actionCenterRoutes } from './action-center-routes.js';
import { adminRoutes } from './admin-routes.js';
import { brokerRoutes } from './broker-routes.js';
import { eventSocketRoutes } from './event-socket.js';
import { logRoutes } from './log-routes.js';
import { sessionRoutes } from './session-routes.js';
import { strategyRoutes } from './strategy-routes.js';

/**
 * The web app's own routes under `/web` (no OpenAlgo equivalent), behind the session door.
 * Sign-in routes are rate-limited per IP; the limiter shares the api's Redis when configured.
 */
export async function webRoutes(app: FastifyInstance): Promise<void> {
  const { redis } = app.services;
  await app.register(sessionAuth);
  await app.register(fastifyRateLimit, {
    global: false,
    skipOnError: true,
    ...(redis ? { redis: redis.client, nameSpace: `${redis.prefix}rate:web:` } : {}),
  });
  await app.register(sessionRoutes);
  await app.register(accountRoutes);
  await app.register(adminRoutes);
  await app.register(strategyRoutes);
  await app.register(brokerRoutes);
  await app.register(logRoutes);
  await app.register(actionCenterRoutes);
  await app.register(eventSocketRoutes);
}
