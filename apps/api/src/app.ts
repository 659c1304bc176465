import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { type AppDeps, createAppServices } from './app-services.js';
import type { Config } from './config.js';
import { RequestValidationError } from './errors.js';
import { createRequestId } from './ids.js';
import { LazyChildLogger, type Logger } from './logger.js';
import { auth } from './plugins/auth.js';
import { errorHandler } from './plugins/error-handler.js';
import { httpHardening } from './plugins/http-hardening.js';
import { modeSwitch } from './plugins/mode-switch.js';
import { openApi } from './plugins/openapi.js';
import { rateLimits } from './plugins/rate-limit.js';
import { servicesPlugin } from './plugins/services.js';
import { sessionAuth } from './plugins/session-auth.js';
import { brokerLoginRoutes } from './routes/broker-login.js';
import { DOOR_PREFIX } from './routes/door.js';
import { healthRoute } from './routes/health.js';
import { internalAdminRoutes } from './routes/internal/admin.js';
import { v1Routes } from './routes/v1/index.js';
import { webRoutes } from './routes/web/web-routes.js';
import { registerWebApp } from './routes/web-app.js';
import { strategyWebhookRoutes } from './routes/webhooks/strategy-webhooks.js';

export type App = FastifyInstance;

/**
 * Builds the api, ready to `listen` or `inject`, never listening itself (house rule 18).
 * Closing the app closes its services (log writers); the database belongs to the caller.
 */
export async function buildApp(config: Config, deps: AppDeps): Promise<App> {
  const services = createAppServices(config, deps);
  await services.start();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request logs would cost throughput; the traffic log records every call instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    trustProxy: config.TRUST_PROXY,
    genReqId: createRequestId,
    childLoggerFactory: (logger, bindings, options) =>
      new LazyChildLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<ZodTypeProvider>();

  // Validation with zod; failures keep their raw issues so each route's envelope can shape them.
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const zodSchema = schema as ZodType;
    return (data: unknown) => {
      const result = zodSchema.safeParse(data);
      if (result.success) {
        return { value: result.data };
      }
      return { error: new RequestValidationError(result.error.issues, (httpPart ?? 'body') as 'body') };
    };
  });
  const validateResponses = config.RESPONSE_VALIDATION ?? config.NODE_ENV === 'test';
  app.setSerializerCompiler(validateResponses ? serializerCompiler : () => (data) => JSON.stringify(data));

  app.decorateRequest('analyzerMode', false);
  await app.register(servicesPlugin(services));
  await app.register(errorHandler);
  await app.register(modeSwitch);
  await app.register(httpHardening, { config });

  app.addHook('onRequest', async (request, reply) => {
    if (services.security.isBanned(request.ip)) {
      return reply.code(403).type('text/plain; charset=utf-8').send('Access Denied: Your IP has been banned');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith('/api/')) {
      return;
    }
    services.trafficLog.push({
      at: new Date(services.now()),
      request_id: request.id,
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      status: reply.statusCode,
      duration_ms: reply.elapsedTime,
      client_ip: request.ip,
      api_key_id: request.auth?.apiKeyId ?? null,
      error: null,
    });
  });
  app.addHook('onClose', async () => {
    await services.close();
  });

  // Before the routes: it collects every route registered after it.
  await app.register(openApi, { version: '1.0.0' });
  await app.register(healthRoute);
  // The same route modules behind both doors: API key (/api/v1) and web session (/web/v1).
  for (const door of ['apikey', 'session'] as const) {
    await app.register(
      async (v1) => {
        // Bodies are JSON objects only: text/plain is refused like any other non-JSON body (§2.5).
        v1.removeContentTypeParser('text/plain');
        await v1.register(door === 'apikey' ? auth : sessionAuth);
        // One Redis connection for the whole api: limits, abuse counters and bans share it.
        await v1.register(rateLimits, {
          config,
          ...(services.redis ? { redis: services.redis.client } : {}),
        });
        for (const route of v1Routes) {
          await v1.register(route, { door });
        }
      },
      { prefix: DOOR_PREFIX[door] },
    );
  }
  await app.register(webRoutes, { prefix: '/web' });
  await app.register(async (webhooks) => {
    await webhooks.register(rateLimits, {
      config,
      ...(services.redis ? { redis: services.redis.client } : {}),
    });
    await webhooks.register(strategyWebhookRoutes(() => services.strategies));
  });
  await app.register(internalAdminRoutes, { prefix: '/internal/admin' });
  if (services.brokerLogin) {
    await app.register(brokerLoginRoutes, {
      login: services.brokerLogin,
      masterContract: services.masterContract,
    });
  }
  if (config.WEB_DIR) {
    await registerWebApp(app, config.WEB_DIR);
  }
  return app as unknown as App;
}
