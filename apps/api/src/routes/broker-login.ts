import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { BrokerLoginService } from '../services/broker-login.js';
import type { MasterContractService } from '../services/master-contract.js';
import { asBrokerApiError } from './web/broker-routes.js';

/**
 * The end of an OAuth broker login: `GET /<broker>/callback` is where the broker sends the
 * browser back (the URL registered in the broker's developer console, as OpenAlgo's
 * `REDIRECT_URL`). The login state, minted by `GET /web/broker/login` for the signed-in user,
 * says whose session it is; the session is stored encrypted, the symbol master starts
 * downloading, and the browser goes to the web app. The session cookie is not sent here (its
 * path is `/web`), so the state is the only credential, used once.
 */

export interface BrokerLoginRoutesOptions {
  login: BrokerLoginService;
  masterContract: MasterContractService;
}

function wantsJson(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown>;
  return query.format === 'json' || /application\/json/.test(request.headers.accept ?? '');
}

export const brokerLoginRoutes: FastifyPluginAsync<BrokerLoginRoutesOptions> = async (app, options) => {
  const { login, masterContract } = options;
  const broker = login.broker;

  app.get(`/${broker.id}/callback`, async (request: FastifyRequest, reply: FastifyReply) => {
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
      if (typeof value === 'string') {
        query[name] = value;
      }
    }
    try {
      const { userId, session } = await login.complete(query);
      app.services.audit.record('broker.connected', {
        userId,
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
      return reply.redirect('/broker', 302);
    } catch (error) {
      request.log.warn({ broker: broker.id, error: (error as Error).message }, 'broker login failed');
      throw asBrokerApiError(error);
    }
  });
};
