import { OpenAlgoError, TokenExpiredError, toHttpError } from '@openalgo/broker-sdk';
import { findFirstAdmin } from '@openalgo/db';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { BrokerLoginService } from '../services/broker-login.js';
import type { MasterContractService } from '../services/master-contract.js';

/**
 * Broker login for the web app (OAuth brokers):
 * - `GET /web/broker/login` → 302 to the broker's login page (`?format=json` answers the URL);
 * - `GET /<broker>/callback` → the broker sends the browser back here (the URL registered in the
 *   broker's developer console, as OpenAlgo's `REDIRECT_URL`); the session is stored encrypted,
 *   the symbol master starts downloading, and the browser goes to the web app;
 * - `GET /web/broker/status` → the session and the master-contract progress.
 * Single-user: the login belongs to the admin. Once the web session door exists these routes
 * take the signed-in user from it instead.
 */

export interface BrokerLoginRoutesOptions {
  login: BrokerLoginService;
  masterContract: MasterContractService;
}

function wantsJson(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown>;
  return query.format === 'json' || /application\/json/.test(request.headers.accept ?? '');
}

/** A broker-side failure as a clear 4xx/5xx OpenAlgo body, never a crash. */
function asApiError(error: unknown): unknown {
  if (!OpenAlgoError.isInstance(error)) {
    return error;
  }
  const isLoginRefusal = error.code === 'AUTHENTICATION' || error.code === 'TOKEN_EXPIRED';
  const status = isLoginRefusal ? 400 : toHttpError(error).status;
  return ApiError.message(status, error.message);
}

export const brokerLoginRoutes: FastifyPluginAsync<BrokerLoginRoutesOptions> = async (app, options) => {
  const { login, masterContract } = options;
  const broker = login.broker;

  async function adminId(): Promise<number> {
    const admin = await findFirstAdmin(app.services.db);
    if (!admin) {
      throw ApiError.message(409, 'Run the first-time setup before connecting a broker');
    }
    return admin.id;
  }

  app.get('/web/broker/login', async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const { url } = await login.start(await adminId());
      if (wantsJson(request)) {
        return { status: 'success', data: { broker: broker.id, url } };
      }
      return reply.redirect(url, 302);
    } catch (error) {
      throw asApiError(error);
    }
  });

  app.get(`/${broker.id}/callback`, async (request: FastifyRequest, reply: FastifyReply) => {
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
      if (typeof value === 'string') {
        query[name] = value;
      }
    }
    try {
      const { session } = await login.complete(query);
      app.services.audit.record('broker.connected', {
        ip: request.ip,
        detail: { broker: broker.id, broker_user_id: session.userId ?? null },
      });
      if (wantsJson(request)) {
        return {
          status: 'success',
          data: {
            broker: broker.id,
            broker_user_id: session.userId ?? null,
            master_contract: masterContract.status(),
          },
        };
      }
      return reply.redirect('/', 302);
    } catch (error) {
      request.log.warn({ broker: broker.id, error: (error as Error).message }, 'broker login failed');
      throw asApiError(error);
    }
  });

  /**
   * `?validate=1` asks the broker whether the stored token still works; a token the broker
   * rejected (Kite's daily expiry, a logout elsewhere) is revoked here, and the answer says to
   * log in again instead of failing later on an order.
   */
  app.get('/web/broker/status', async (request: FastifyRequest) => {
    const userId = await adminId();
    let session = await app.services.brokerSessions.getActive(userId);
    let reason: string | null = null;
    const query = request.query as Record<string, unknown>;
    if (session && session.broker === broker.id && (query.validate === '1' || query.validate === 'true')) {
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
          throw asApiError(error);
        }
        await app.services.brokerSessions.revoke(userId);
        request.log.info({ broker: broker.id }, 'broker session expired; revoked');
        session = null;
        reason = error.message;
      }
    }
    return {
      status: 'success',
      data: {
        broker: broker.id,
        connected: session !== null && session.broker === broker.id,
        broker_user_id: session?.brokerUserId ?? null,
        expires_at: session?.expiresAt ?? null,
        reason,
        master_contract: masterContract.status(),
      },
    };
  });
};
