import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Where the browsable reference lives; the document itself is `${DOCS_PREFIX}/json`. */
export const DOCS_PREFIX = '/api/docs';

/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the zod schemas every route declares
 * (so it lists each route as soon as it is registered), with Swagger UI at `/api/docs`.
 * Only the OpenAlgo contract is described: web-session, admin and health routes are left out.
 * Must be registered before the routes it documents.
 */
async function openApiPlugin(app: FastifyInstance, options: { version: string }): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenAlgo REST API v1',
        description:
          "OpenAlgo's unified trading API. POST bodies are JSON objects carrying `apikey`; errors " +
          'answer `{"status":"error","message":…}` with a 4xx status.',
        version: options.version,
      },
      tags: [
        { name: 'orders' },
        { name: 'account' },
        { name: 'market data' },
        { name: 'symbols' },
        { name: 'options' },
        { name: 'analyzer' },
        { name: 'utility' },
        { name: 'notifications' },
      ],
    },
    transform: (document) => {
      if (!document.url.startsWith('/api/v1/')) {
        return { schema: { ...document.schema, hide: true }, url: document.url };
      }
      return jsonSchemaTransform(document);
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
}

export const openApi = fp(openApiPlugin, { name: 'openapi', fastify: '5.x' });
