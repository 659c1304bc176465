import { createHash } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import { API_MESSAGES } from '@openalgo/shared-types';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Config, RateLimit } from '../config.js';
import { ApiError } from '../errors.js';
import type { RateLimitClass } from '../routes/route-config.js';
import { extractApiKey } from './auth.js';

/**
 * Rate limits for `/api/v1` (api-v1 §6) on @fastify/rate-limit: every route names its class
 * in `config.rateLimitClass`; each route has its own counters, per API key (a hash of the key
 * presented, so keys never reach the store) or, without a key, per client IP. Limits combined
 * with `;` are all enforced. Counters live in memory, or in Redis when `REDIS_URL` is set, so
 * several api instances share them. Runs before validation and authentication, as the
 * reference's decorator does, and stays cheap: one hash and one counter increment per limit.
 */

/** The fixed limit of `/telegram/broadcast` (api-v1 §6.2). */
const BROADCAST_LIMIT: RateLimit = { count: 5, windowMs: 60_000, text: '5 per 1 minute' };

/** The limits a class stands for, from the parsed configuration; null for unlimited. */
export function limitsForClass(config: Config, rateLimitClass: RateLimitClass): readonly RateLimit[] | null {
  switch (rateLimitClass) {
    case 'none':
      return null;
    case 'TELEGRAM_BROADCAST_RATE_LIMIT':
      return [BROADCAST_LIMIT];
    case 'MARGIN_RATE_LIMIT':
      // The reference falls back to 50/s for /margin when API_RATE_LIMIT is unset; ours
      // defaults API_RATE_LIMIT to 50/s, so the two agree either way.
      return config.API_RATE_LIMIT;
    default:
      return config[rateLimitClass];
  }
}

/** Presented key → its counter key, so a busy client costs one hash, not one per call. */
const keyIds = new LRUCache<string, string>({ max: 10_000 });

/** The counter key of a request: the presented API key's hash, else the client IP. */
export function clientKeyOf(request: FastifyRequest): string {
  const apiKey = extractApiKey(request);
  if (apiKey) {
    let id = keyIds.get(apiKey);
    if (id === undefined) {
      id = `k:${createHash('sha256').update(apiKey).digest('base64url').slice(0, 24)}`;
      keyIds.set(apiKey, id);
    }
    return id;
  }
  return `ip:${request.ip}`;
}

export interface RateLimitPluginOptions {
  config: Config;
  /** An existing Redis client; by default one is created from `REDIS_URL` when set. */
  redis?: Redis;
}

async function rateLimitPlugin(app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  const { config } = options;
  let redis = options.redis;
  if (!redis && config.REDIS_URL) {
    const client = new Redis(config.REDIS_URL, {
      lazyConnect: true,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
    });
    client.on('error', (error: Error) => {
      app.log.warn({ err: error }, 'rate-limit store (Redis) error; requests pass unlimited meanwhile');
    });
    try {
      await client.connect();
    } catch (error) {
      app.log.error({ err: error }, 'rate-limit store (Redis) unreachable at start; retrying in background');
    }
    app.addHook('onClose', async () => {
      client.disconnect();
    });
    redis = client;
  }

  await app.register(fastifyRateLimit, {
    global: false,
    hook: 'preValidation',
    // A store failure must not turn every request into a 500; it is logged instead.
    skipOnError: true,
    cache: 20_000,
    nameSpace: config.RATE_LIMIT_NAMESPACE,
    ...(redis ? { redis } : {}),
  });

  app.addHook('onRoute', (route) => {
    const rateLimitClass = route.config?.rateLimitClass;
    if (rateLimitClass === undefined) {
      throw new Error(`${String(route.method)} ${route.url} must name its rateLimitClass (route-config.ts)`);
    }
    const limits = limitsForClass(config, rateLimitClass);
    if (!limits || route.method === 'HEAD') {
      return;
    }
    const routeId = `${String(route.method)} ${route.url.replace(/\/+$/, '')}`;
    const checks = limits.map((limit) =>
      app.createRateLimit({
        max: limit.count,
        timeWindow: limit.windowMs,
        keyGenerator: (request: FastifyRequest) => `${routeId}|${limit.windowMs}|${clientKeyOf(request)}`,
      }),
    );
    const hook: preValidationAsyncHookHandler = async (request, reply) => {
      for (const check of checks) {
        const result = await check(request);
        if (!result.isAllowed && result.isExceeded) {
          const retryAfter = Math.max(1, result.ttlInSeconds);
          reply.header('retry-after', retryAfter);
          throw new ApiError(429, {
            status: 'error',
            message: API_MESSAGES.rateLimited,
            retry_after: retryAfter,
          });
        }
      }
    };
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? [hook] : [hook, ...[existing].flat()];
  });
}

export const rateLimits = fp(rateLimitPlugin, {
  name: 'rate-limits',
  fastify: '5.x',
  dependencies: ['services'],
});
