import {
  activeSessionsResponseSchema,
  emptyRequestSchema,
  loginRequestSchema,
  loginResponseSchema,
  loginTotpRequestSchema,
  logoutResponseSchema,
  okResponseSchema,
  sessionResponseSchema,
  setupRequestSchema,
  setupResponseSchema,
  setupStatusResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from '../../plugins/session-auth.js';
import type { CreatedWebSession } from '../../services/web-sessions.js';
import {
  clientOf,
  createLimiters,
  loadSession,
  passLimits,
  requireWebSession,
  sessionInfo,
} from './web-context.js';

/**
 * Sign-in and session routes: first-run setup, login (password, then TOTP when enrolled),
 * logout, logout everywhere, who-am-I, and the list of active sessions.
 * Every login issues a brand-new session and ends the one the browser came with, so a
 * session id planted before login is worthless (no session fixation).
 */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.services;
  const loginLimits = createLimiters(app, 'login', [
    config.LOGIN_RATE_LIMIT_MIN,
    config.LOGIN_RATE_LIMIT_HOUR,
  ]);

  /** Replaces whatever session the browser had with the new one. */
  async function rotateInto(
    request: Parameters<typeof setSessionCookie>[0],
    reply: Parameters<typeof setSessionCookie>[1],
    created: CreatedWebSession,
  ) {
    const previous = sessionTokenOf(request);
    if (previous && previous !== created.token) {
      await app.services.webSessions.revoke(previous);
    }
    setSessionCookie(request, reply, created);
    return sessionInfo(app, await loadSession(app, created.token));
  }

  app.get(
    '/setup',
    { config: { webSession: 'optional' }, schema: { response: { 200: setupStatusResponseSchema } } },
    async () => ({
      status: 'success' as const,
      data: { setup_required: !(await app.services.accounts.isSetupDone()) },
    }),
  );

  app.post(
    '/setup',
    {
      config: { webSession: 'optional', csrf: false },
      schema: { body: setupRequestSchema, response: { 200: setupResponseSchema } },
    },
    async (request, reply) => {
      if (!(await passLimits(loginLimits, request, reply))) {
        return reply;
      }
      const { user, apiKey } = await app.services.accounts.setupAdmin(request.body);
      const created = await app.services.webAuth.startSessionAfterSetup(user, clientOf(request));
      request.log.info({ userId: user.id }, 'first-run setup completed');
      return {
        status: 'success' as const,
        data: { ...(await rotateInto(request, reply, created)), apikey: apiKey },
      };
    },
  );

  app.post(
    '/login',
    {
      config: { webSession: 'optional', csrf: false },
      schema: { body: loginRequestSchema, response: { 200: loginResponseSchema } },
    },
    async (request, reply) => {
      if (!(await passLimits(loginLimits, request, reply))) {
        return reply;
      }
      const result = await app.services.webAuth.login({ ...request.body, client: clientOf(request) });
      if (result.kind === 'totp') {
        return {
          status: 'success' as const,
          data: {
            authenticated: false as const,
            totp_required: true as const,
            login_token: result.loginToken,
            expires_at: result.expiresAt,
          },
        };
      }
      request.log.info({ userId: result.user.id }, 'signed in');
      return {
        status: 'success' as const,
        data: { ...(await rotateInto(request, reply, result.session)), totp_required: false as const },
      };
    },
  );

  app.post(
    '/login/totp',
    {
      config: { webSession: 'optional', csrf: false },
      schema: { body: loginTotpRequestSchema, response: { 200: loginResponseSchema } },
    },
    async (request, reply) => {
      if (!(await passLimits(loginLimits, request, reply))) {
        return reply;
      }
      const { session, user } = await app.services.webAuth.completeTotpLogin({
        loginToken: request.body.login_token,
        code: request.body.code,
        client: clientOf(request),
      });
      request.log.info({ userId: user.id }, 'signed in with a second factor');
      return {
        status: 'success' as const,
        data: { ...(await rotateInto(request, reply, session)), totp_required: false as const },
      };
    },
  );

  app.get(
    '/session',
    { config: { webSession: 'optional' }, schema: { response: { 200: sessionResponseSchema } } },
    async (request) => {
      if (!request.webSession) {
        return {
          status: 'success' as const,
          data: {
            authenticated: false as const,
            setup_required: !(await app.services.accounts.isSetupDone()),
          },
        };
      }
      return { status: 'success' as const, data: sessionInfo(app, request.webSession) };
    },
  );

  const logoutSchema = { body: emptyRequestSchema, response: { 200: logoutResponseSchema } };

  app.post('/logout', { schema: logoutSchema }, async (request, reply) => {
    const session = requireWebSession(request);
    const ended = (await app.services.webSessions.revoke(session.token)) ? 1 : 0;
    clearSessionCookie(request, reply);
    app.services.audit.record('logout', {
      userId: session.userId,
      ip: request.ip,
      detail: { session_id: session.publicId },
    });
    return { status: 'success' as const, data: { sessions_ended: ended } };
  });

  app.post('/logout/all', { schema: logoutSchema }, async (request, reply) => {
    const session = requireWebSession(request);
    const ended = await app.services.webSessions.revokeAll(session.userId);
    clearSessionCookie(request, reply);
    app.services.audit.record('logout.everywhere', {
      userId: session.userId,
      ip: request.ip,
      detail: { sessions_ended: ended },
    });
    return { status: 'success' as const, data: { sessions_ended: ended } };
  });

  app.get('/sessions', { schema: { response: { 200: activeSessionsResponseSchema } } }, async (request) => {
    const session = requireWebSession(request);
    const rows = await app.services.webSessions.list(session.userId);
    return {
      status: 'success' as const,
      data: rows.map((row) => ({
        session_id: row.public_id,
        current: row.public_id === session.publicId,
        created_at: row.created_at.getTime(),
        last_seen_at: row.last_seen_at.getTime(),
        expires_at: row.expires_at.getTime(),
        ip: row.ip,
        user_agent: row.user_agent,
      })),
    };
  });

  app.delete(
    '/sessions/:sessionId',
    {
      schema: {
        params: z.strictObject({ sessionId: z.string().regex(/^ses_[0-9a-z]{19}$/, 'Not a session id.') }),
        response: { 200: okResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      const isRevoked = await app.services.webSessions.revokeByPublicId(
        session.userId,
        request.params.sessionId,
      );
      if (!isRevoked) {
        throw ApiError.message(404, 'No such active session.');
      }
      app.services.audit.record('session.revoked', {
        userId: session.userId,
        ip: request.ip,
        detail: { session_id: request.params.sessionId },
      });
      return { status: 'success' as const, message: 'Session ended.' };
    },
  );
};
