import { OpenAlgoError, TokenExpiredError, toHttpError } from '@openalgo/broker-sdk';
import {
  type BROKER_AUTH_STYLES,
  brokerConnectResponseSchema,
  brokerCredentialsRequestSchema,
  brokerLoginQuerySchema,
  brokerLoginUrlResponseSchema,
  brokerStatusQuerySchema,
  brokerStatusResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { requireWebSession } from './web-context.js';

type BrokerAuthStyle = (typeof BROKER_AUTH_STYLES)[number];

/** A broker-side failure as a clear 4xx/5xx OpenAlgo body, never a crash. */
export function asBrokerApiError(error: unknown): unknown {
  if (!OpenAlgoError.isInstance(error)) {
    return error;
  }
  const isLoginRefusal = error.code === 'AUTHENTICATION' || error.code === 'TOKEN_EXPIRED';
  const status = isLoginRefusal ? 400 : toHttpError(error).status;
  return ApiError.message(status, error.message);
}

/**
 * The signed-in user's broker connection:
 * - `GET /web/broker/status` → the session, how to connect (redirect, credentials or nothing to
 *   do, as with the simulator) and the master-contract progress; `?validate=1` asks the broker
 *   whether the stored token still works, and a token it rejected (Kite's daily expiry, a logout
 *   elsewhere) is revoked here so the answer says to log in again instead of an order failing;
 * - `GET /web/broker/login` → 302 to the broker's login page (`?format=json` answers the URL);
 *   the broker sends the browser back to `/<broker>/callback` (see broker-login.ts);
 * - `POST /web/broker/credentials` → a form-login broker's fields, checked with the broker.
 */
export const brokerRoutes: FastifyPluginAsyncZod = async (app) => {
  const { broker, brokerLogin, brokerSessions, masterContract } = app.services;
  const flow = broker.auth.loginFlow;
  const authStyle: BrokerAuthStyle =
    flow.kind === 'oauth-redirect' ? 'redirect' : flow.kind === 'credential-form' ? 'credentials' : 'none';
  const credentialFields =
    flow.kind === 'credential-form'
      ? flow.fields.map((field) => ({
          name: field.name,
          label: field.label,
          type: (field.kind === 'text' || field.kind === 'mobile' || field.kind === 'date'
            ? 'text'
            : 'password') as 'text' | 'password',
        }))
      : [];

  app.get(
    '/broker/status',
    { schema: { querystring: brokerStatusQuerySchema, response: { 200: brokerStatusResponseSchema } } },
    async (request) => {
      const { userId } = requireWebSession(request);
      let session = await brokerSessions.getActive(userId);
      let reason: string | null = null;
      const validate = request.query.validate === '1' || request.query.validate === 'true';
      if (session && session.broker === broker.id && validate) {
        try {
          await broker.auth.validateSession?.({
            session: {
              brokerId: broker.id,
              accessToken: session.accessToken,
              ...(session.feedToken ? { feedToken: session.feedToken } : {}),
              ...(session.brokerUserId ? { userId: session.brokerUserId } : {}),
              issuedAt: app.services.now(),
              data: {},
            },
            logger: request.log,
            now: app.services.now,
            resolveBrokerInstrument: () => undefined,
          });
        } catch (error) {
          if (!TokenExpiredError.isInstance(error)) {
            throw asBrokerApiError(error);
          }
          await brokerSessions.revoke(userId);
          request.log.info({ broker: broker.id }, 'broker session expired; revoked');
          session = null;
          reason = error.message;
        }
      }
      const isConnected = session !== null && session.broker === broker.id;
      return {
        status: 'success' as const,
        data: {
          broker: broker.id,
          connected: isConnected,
          broker_user_id: isConnected ? (session?.brokerUserId ?? null) : null,
          expires_at: isConnected ? (session?.expiresAt ?? null) : null,
          reason,
          auth_style: authStyle,
          credential_fields: credentialFields,
          master_contract: masterContract.status(),
        },
      };
    },
  );

  app.get(
    '/broker/login',
    { schema: { querystring: brokerLoginQuerySchema, response: { 200: brokerLoginUrlResponseSchema } } },
    async (request, reply) => {
      const { userId } = requireWebSession(request);
      if (!brokerLogin || authStyle !== 'redirect') {
        throw ApiError.message(
          409,
          authStyle === 'credentials'
            ? `${broker.displayName} logs in with its form: POST /web/broker/credentials.`
            : `${broker.displayName} needs no login.`,
        );
      }
      try {
        const { url } = await brokerLogin.start(userId);
        if (request.query.format === 'json' || /application\/json/.test(request.headers.accept ?? '')) {
          return { status: 'success' as const, data: { broker: broker.id, url } };
        }
        return reply.redirect(url, 302);
      } catch (error) {
        throw asBrokerApiError(error);
      }
    },
  );

  app.post(
    '/broker/credentials',
    { schema: { body: brokerCredentialsRequestSchema, response: { 200: brokerConnectResponseSchema } } },
    async (request) => {
      const { userId } = requireWebSession(request);
      if (!brokerLogin || authStyle !== 'credentials') {
        throw ApiError.message(
          409,
          authStyle === 'redirect'
            ? `${broker.displayName} logs in on its own page: GET /web/broker/login.`
            : `${broker.displayName} needs no login.`,
        );
      }
      const missing = credentialFields.filter((field) => !request.body[field.name]);
      if (missing.length > 0) {
        throw ApiError.message(400, `Fill in ${missing.map((field) => field.label).join(', ')}.`);
      }
      try {
        const { session } = await brokerLogin.connectWithCredentials(userId, request.body);
        app.services.audit.record('broker.connected', {
          userId,
          ip: request.ip,
          detail: { broker: broker.id, broker_user_id: session.userId ?? null },
        });
        return {
          status: 'success' as const,
          data: { broker: broker.id, broker_user_id: session.userId ?? null },
        };
      } catch (error) {
        request.log.warn({ broker: broker.id, error: (error as Error).message }, 'broker login failed');
        throw asBrokerApiError(error);
      }
    },
  );
};
