import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppServices } from '../app-services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

/** Makes the app's services available to every plugin and route, typed. */
export function servicesPlugin(services: AppServices) {
  return fp(
    async (app: FastifyInstance) => {
      app.decorate('services', services);
    },
    { name: 'services', fastify: '5.x' },
  );
}
