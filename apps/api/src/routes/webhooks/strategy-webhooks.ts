import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StrategyService } from '../../services/strategies/strategy-service.js';

const paramsSchema = z.object({ webhookId: z.string().min(1).max(100) });

/**
 * Inbound alerts: `POST /strategy/webhook/:webhookId` (TradingView, GoCharting, Amibroker,
 * Python, MetaTrader, Excel…) and `POST /chartink/webhook/:webhookId`. The secret is the
 * webhook id; no API key travels in the payload. TradingView posts `text/plain` when its
 * message is not recognised as JSON, so a text body is parsed as JSON too.
 */
export function strategyWebhookRoutes(strategies: () => StrategyService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser(
      'text/plain',
      { parseAs: 'string', bodyLimit: 65_536 },
      (_request, body, done) => {
        try {
          done(null, JSON.parse(String(body)));
        } catch {
          const error = Object.assign(new Error('Alert body must be JSON'), {
            statusCode: 400,
            code: 'FST_ERR_CTP_INVALID_JSON_BODY',
          });
          done(error, undefined);
        }
      },
    );
    for (const [path, kind] of [
      ['/strategy/webhook/:webhookId', 'webhook'],
      ['/chartink/webhook/:webhookId', 'chartink'],
    ] as const) {
      app.post(
        path,
        { bodyLimit: 65_536, config: { rateLimitClass: 'WEBHOOK_RATE_LIMIT' } },
        async (request, reply) => {
          const params = paramsSchema.safeParse(request.params);
          if (!params.success) {
            return reply.code(404).send({ status: 'error', message: 'Invalid webhook ID' });
          }
          const outcome = await strategies().receive(kind, params.data.webhookId, request.body);
          request.log.info(
            { kind, status: outcome.statusCode, alertId: outcome.body.alert_id },
            'strategy alert handled',
          );
          return reply.code(outcome.statusCode).send(outcome.body);
        },
      );
    }
  };
}
