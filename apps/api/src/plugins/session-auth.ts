import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import type { BrokerSession } from '../services/broker-sessions.js';
import type { CreatedWebSession, WebSession } from '../services/web-sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `required` (default): 401 without a live web session; `optional`: the route decides. */
    webSession?: 'required' | 'optional';
    /** Mutating requests need the `x-csrf-token` header unless this is false (login, setup). */
    csrf?: boolean;
  }
  interface FastifyRequest {
    webSession: WebSession | null;
  }
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The cookie is sent only to the web routes, the session door and the UI event socket. */
const COOKIE_PATH = '/web';

export const WEB_ERRORS = {
  notSignedIn: 'Sign in first: no valid session.',
  csrf: 'CSRF token missing or invalid: send the x-csrf-token header from GET /web/session.',
  crossOrigin: 'Cross-origin request refused.',
  noBrokerSession: 'No broker session: connect your broker first.',
} as const;

function isSecureRequest(request: FastifyRequest): boolean {
  const setting = request.server.services.config.COOKIE_SECURE;
  return setting === 'true' || (setting === 'auto' && request.protocol === 'https');
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  session: CreatedWebSession,
): void {
  reply.setCookie(request.server.services.config.SESSION_COOKIE_NAME, session.token, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecureRequest(request),
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(request.server.services.config.SESSION_COOKIE_NAME, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecureRequest(request),
  });
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return request.cookies[request.server.services.config.SESSION_COOKIE_NAME];
}

/**
 * A browser's cross-site request is refused before anything else (defence in depth beside
 * SameSite=Strict and the CSRF token): a foreign `Origin`, or `Sec-Fetch-Site: cross-site`.
 * Clients that send neither header (scripts) still need the cookie and the token.
 */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw ApiError.message(403, WEB_ERRORS.crossOrigin);
  }
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw ApiError.message(403, WEB_ERRORS.crossOrigin);
  }
}

/**
 * Web-session authentication: the `oa_session` cookie → a live server-side session, the
 * CSRF header on every mutating request, and `request.auth` set exactly as the API-key door
 * sets it (`apiKeyId` null), so route modules serve both doors unchanged. A route's
 * `config.auth === 'session'` also needs a live broker session here, as at `/api/v1`.
 * Runs on `onRequest`: an unauthenticated caller learns nothing, not even validation errors.
 */
async function sessionAuthPlugin(app: FastifyInstance): Promise<void> {
  if (!app.hasRequestDecorator('cookies')) {
    await app.register(fastifyCookie);
  }
  app.decorateRequest('webSession', null);
  if (!app.hasRequestDecorator('auth')) {
    app.decorateRequest('auth', null);
  }
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const isMutating = !SAFE_METHODS.has(request.method);
    if (isMutating) {
      assertSameOrigin(request);
    }
    const session = await app.services.webSessions.resolve(sessionTokenOf(request));
    if (!session) {
      if ((config.webSession ?? 'required') === 'required') {
        throw ApiError.message(401, WEB_ERRORS.notSignedIn);
      }
      return;
    }
    if (isMutating && config.csrf !== false) {
      const header = request.headers[CSRF_HEADER];
      if (
        !app.services.webSessions.isCsrfTokenValid(
          session.token,
          typeof header === 'string' ? header : undefined,
        )
      ) {
        throw ApiError.message(403, WEB_ERRORS.csrf);
      }
    }
    request.webSession = session;
    let broker: BrokerSession | null = null;
    if (config.auth === 'session') {
      broker = await app.services.brokerSessions.getActive(session.userId);
      if (!broker) {
        throw ApiError.message(403, WEB_ERRORS.noBrokerSession);
      }
    }
    request.auth = { userId: session.userId, apiKeyId: null, orderMode: session.orderMode, session: broker };
  });
}

export const sessionAuth = fp(sessionAuthPlugin, {
  name: 'session-auth',
  fastify: '5.x',
  dependencies: ['services'],
});
