import { toAnalyzerLogInput } from '@openalgo/sandbox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served by the analyzer instead of the broker while analyzer mode is on (api-v1 §5.2). */
    sandboxRouted?: boolean;
    /** Its validation errors carry `mode: "analyze"` in analyzer mode (api-v1 §2.6, E1 list). */
    marksValidationErrors?: boolean;
    /** Recorded in the analyzer log while analyzer mode is on, though the broker serves it (`/margin`). */
    analyzerLogged?: boolean;
  }
}

/** The operation of a route for the analyzer log: its last path segment (`placeorder`, `funds`, …). */
function apiTypeOf(url: string): string {
  const segments = url.split('/').filter((segment) => segment.length > 0);
  return segments.at(-1) ?? url;
}

function parsed(payload: unknown): unknown {
  if (typeof payload === 'string') {
    try {
      return JSON.parse(payload);
    } catch {
      return payload;
    }
  }
  return Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
}

/**
 * Applies the mode switch's decision to each sandbox-routed request as it arrives, before its
 * body is validated, so the validation errors, the broker calls and the answer of one request
 * all agree on the mode. Every request served in analyzer mode (by a known caller) goes to the
 * analyzer log with its answer, the API key removed (sandbox.md §13).
 */
async function modeSwitchPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config;
    if (config.sandboxRouted === true) {
      request.analyzerMode = app.services.modeSwitch.decide() === 'analyze';
    }
    done();
  });
  const isLogged = (request: {
    analyzerMode: boolean;
    routeOptions: { config: { analyzerLogged?: boolean } };
  }) =>
    request.analyzerMode ||
    (request.routeOptions.config.analyzerLogged === true && app.services.analyzer.isOn);
  // Recorded as the answer goes out (not after): a client's next request already sees the row.
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (isLogged(request) && request.auth) {
      const { analyzerLog, now } = app.services;
      analyzerLog.push(
        toAnalyzerLogInput(
          {
            userId: request.auth.userId,
            apiType: apiTypeOf(request.routeOptions.url ?? request.url),
            request: request.body ?? {},
            response: parsed(payload),
          },
          now(),
        ),
      );
    }
    done(null, payload);
  });
}

export const modeSwitch = fp(modeSwitchPlugin, {
  name: 'mode-switch',
  fastify: '5.x',
  dependencies: ['services'],
});
