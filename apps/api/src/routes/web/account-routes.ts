import { findActiveApiKeyForUser, setApiKeyOrderMode } from '@openalgo/db';
import {
  apiKeyInfoResponseSchema,
  apiKeyRotateRequestSchema,
  apiKeyRotateResponseSchema,
  changePasswordRequestSchema,
  okResponseSchema,
  orderModeRequestSchema,
  orderModeResponseSchema,
  passwordResetRequestSchema,
  recoveryCodesResponseSchema,
  sessionResponseSchema,
  totpActivateRequestSchema,
  totpDisableRequestSchema,
  totpEnrolRequestSchema,
  totpEnrolResponseSchema,
  totpRegenerateRequestSchema,
  totpStatusResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { setSessionCookie } from '../../plugins/session-auth.js';
import { API_KEYS_CHANNEL } from '../../services/accounts.js';
import {
  clientOf,
  createLimiters,
  loadSession,
  passLimits,
  requireWebSession,
  sessionInfo,
} from './web-context.js';

/**
 * The signed-in user's own security: the API key (shown only when it is issued), the
 * password (change, and the TOTP-verified reset that works without e-mail), and TOTP
 * two-factor authentication with recovery codes. Sensitive changes ask for the password again.
 */
export const accountRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.services;
  const resetLimits = createLimiters(app, 'reset', [
    config.LOGIN_RATE_LIMIT_MIN,
    config.LOGIN_RATE_LIMIT_HOUR,
    config.RESET_RATE_LIMIT,
  ]);
  const codeLimits = createLimiters(app, 'code', [config.LOGIN_RATE_LIMIT_MIN, config.LOGIN_RATE_LIMIT_HOUR]);

  app.get('/apikey', { schema: { response: { 200: apiKeyInfoResponseSchema } } }, async (request) => {
    const session = requireWebSession(request);
    const key = await findActiveApiKeyForUser(app.services.db, session.userId);
    return {
      status: 'success' as const,
      data: {
        key_prefix: key?.key_prefix ?? null,
        created_at: key ? key.created_at.getTime() : null,
        order_mode: key?.order_mode ?? null,
      },
    };
  });

  app.post(
    '/apikey/rotate',
    { schema: { body: apiKeyRotateRequestSchema, response: { 200: apiKeyRotateResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      await app.services.webAuth.confirmPassword(session.userId, request.body.password, clientOf(request));
      const apikey = await app.services.accounts.rotateApiKey(session.userId);
      app.services.audit.record('apikey.rotated', {
        userId: session.userId,
        ip: request.ip,
        detail: { key_prefix: apikey.slice(0, 8), via: 'web' },
      });
      request.log.info({ userId: session.userId }, 'api key rotated from the web app');
      return { status: 'success' as const, data: { apikey, key_prefix: apikey.slice(0, 8) } };
    },
  );

  app.post(
    '/apikey/mode',
    { schema: { body: orderModeRequestSchema, response: { 200: orderModeResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const key = await findActiveApiKeyForUser(app.services.db, session.userId);
      if (!key) {
        throw ApiError.message(404, 'No active API key: rotate one first.');
      }
      if (key.order_mode !== request.body.mode) {
        await setApiKeyOrderMode(app.services.db, key.id, request.body.mode);
        // Cached identities carry the order mode: drop them here and in every other process.
        app.services.apiKeys.invalidate();
        await app.services.database.notify(API_KEYS_CHANNEL);
        app.services.audit.record('mode.switched', {
          userId: session.userId,
          ip: request.ip,
          detail: { order_mode: request.body.mode, previous: key.order_mode },
        });
      }
      return { status: 'success' as const, data: { order_mode: request.body.mode } };
    },
  );

  app.post(
    '/password',
    { schema: { body: changePasswordRequestSchema, response: { 200: sessionResponseSchema } } },
    async (request, reply) => {
      const session = requireWebSession(request);
      const created = await app.services.webAuth.changePassword(
        session.userId,
        { currentPassword: request.body.current_password, newPassword: request.body.new_password },
        clientOf(request),
      );
      setSessionCookie(request, reply, created);
      return { status: 'success' as const, data: sessionInfo(app, await loadSession(app, created.token)) };
    },
  );

  app.post(
    '/password/reset',
    {
      config: { webSession: 'optional', csrf: false },
      schema: { body: passwordResetRequestSchema, response: { 200: okResponseSchema } },
    },
    async (request, reply) => {
      if (!(await passLimits(resetLimits, request, reply))) {
        return reply;
      }
      await app.services.webAuth.resetPasswordWithTotp(
        { username: request.body.username, code: request.body.code, newPassword: request.body.new_password },
        clientOf(request),
      );
      return {
        status: 'success' as const,
        message: 'Password reset. Every session was ended; sign in again.',
      };
    },
  );

  app.get('/totp', { schema: { response: { 200: totpStatusResponseSchema } } }, async (request) => {
    const session = requireWebSession(request);
    const status = await app.services.webAuth.totpStatus(session.userId);
    return {
      status: 'success' as const,
      data: {
        enabled: status.enabled,
        pending: status.pending,
        recovery_codes_left: status.recoveryCodesLeft,
      },
    };
  });

  app.post(
    '/totp/enrol',
    { schema: { body: totpEnrolRequestSchema, response: { 200: totpEnrolResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const enrolment = await app.services.webAuth.enrolTotp(
        session.userId,
        request.body.password,
        clientOf(request),
      );
      return {
        status: 'success' as const,
        data: { secret: enrolment.secret, otpauth_url: enrolment.otpauthUrl, qr_code: enrolment.qrCode },
      };
    },
  );

  app.post(
    '/totp/activate',
    { schema: { body: totpActivateRequestSchema, response: { 200: recoveryCodesResponseSchema } } },
    async (request, reply) => {
      const session = requireWebSession(request);
      if (!(await passLimits(codeLimits, request, reply))) {
        return reply;
      }
      const codes = await app.services.webAuth.activateTotp(
        session.userId,
        request.body.code,
        clientOf(request),
      );
      return { status: 'success' as const, data: { recovery_codes: codes } };
    },
  );

  app.post(
    '/totp/disable',
    { schema: { body: totpDisableRequestSchema, response: { 200: okResponseSchema } } },
    async (request, reply) => {
      const session = requireWebSession(request);
      if (!(await passLimits(codeLimits, request, reply))) {
        return reply;
      }
      await app.services.webAuth.disableTotp(session.userId, request.body, clientOf(request));
      return { status: 'success' as const, message: 'Two-factor authentication is off.' };
    },
  );

  app.post(
    '/totp/recovery-codes',
    { schema: { body: totpRegenerateRequestSchema, response: { 200: recoveryCodesResponseSchema } } },
    async (request, reply) => {
      const session = requireWebSession(request);
      if (!(await passLimits(codeLimits, request, reply))) {
        return reply;
      }
      const codes = await app.services.webAuth.regenerateRecoveryCodes(
        session.userId,
        request.body.code,
        clientOf(request),
      );
      return { status: 'success' as const, data: { recovery_codes: codes } };
    },
  );
};
