import type { SessionInfo } from '@openalgo/shared-types';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimit } from '../../config.js';
import { ApiError } from '../../errors.js';
import { WEB_ERRORS } from '../../plugins/session-auth.js';
import type { ClientInfo } from '../../services/web-auth.js';
import type { WebSession } from '../../services/web-sessions.js';

export function clientOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, ...(typeof userAgent === 'string' ? { userAgent } : {}) };
}

export function requireWebSession(request: FastifyRequest): WebSession {
  if (!request.webSession) {
    throw ApiError.message(401, WEB_ERRORS.notSignedIn);
  }
  return request.webSession;
}

export function sessionInfo(app: FastifyInstance, session: WebSession): SessionInfo {
  return {
    authenticated: true,
    user: {
      id: session.userId,
      username: session.username,
      is_admin: session.isAdmin,
      totp_enabled: session.totpEnabled,
    },
    csrf_token: app.services.webSessions.csrfTokenFor(session.token),
    session_id: session.publicId,
    expires_at: session.expiresAt,
    idle_expires_at: session.idleExpiresAt,
  };
}

/** Loads a session just created (so the answer shows exactly what a later GET would). */
export async function loadSession(app: FastifyInstance, token: string): Promise<WebSession> {
  const session = await app.services.webSessions.resolve(token);
  if (!session) {
    throw new Error('a session just created could not be read back');
  }
  return session;
}

type Limiter = (
  request: FastifyRequest,
) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>;

/** Per-IP limiters for the sign-in routes, built on @fastify/rate-limit (Redis-backed when configured). */
export function createLimiters(
  app: FastifyInstance,
  name: string,
  limitSets: ReadonlyArray<readonly RateLimit[]>,
): Limiter[] {
  return limitSets.flat().map((limit, index) =>
    app.createRateLimit({
      max: limit.count,
      timeWindow: limit.windowMs,
      // Each limiter counts in its own key, so "5 per minute" and "25 per hour" both hold.
      keyGenerator: (request) => `${name}:${index}:${limit.windowMs}:${request.ip}`,
    }),
  );
}

/** Answers 429 (api-v1 §6.3 shape) when any limiter is exhausted; true when the request may go on. */
export async function passLimits(
  limiters: readonly Limiter[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  for (const limiter of limiters) {
    const result = await limiter(request);
    if (!result.isAllowed && result.isExceeded) {
      const retryAfter = Math.max(1, result.ttlInSeconds);
      await reply
        .code(429)
        .header('retry-after', String(retryAfter))
        .type('application/json; charset=utf-8')
        .send({
          status: 'error',
          message: `Too many attempts. Try again in ${retryAfter} seconds.`,
          retry_after: retryAfter,
        });
      return false;
    }
  }
  return true;
}
