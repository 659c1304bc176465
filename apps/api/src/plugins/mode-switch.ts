import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served by the analyzer instead of the broker while analyzer mode is on (api-v1 §5.2). */
    sandboxRouted?: boolean;
    /** Its validation errors carry `mode: "analyze"` in analyzer mode (api-v1 §2.6, E1 list). */
    marksValidationErrors?: boolean;
  }
}

/**
 * Applies the mode switch's decision to each sandbox-routed request as it arrives, before its
 * body is validated, so the validation errors, the broker calls and the answer of one request
 * all agree on the mode.
 */
async function modeSwitchPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.sandboxRouted === true) {
      request.analyzerMode = app.services.modeSwitch.decide() === 'analyze';
    }
    done();
  });
}

export const modeSwitch = fp(modeSwitchPlugin, {
  name: 'mode-switch',
  fastify: '5.x',
  dependencies: ['services'],
});
