import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web app (embedded start). Unknown GET paths outside `/api` and `/web` fall
 * back to `index.html` so client-side routes survive a reload; API paths (both doors) keep their
 * JSON 404, so the app never mistakes the page for an answer.
 */
export async function registerWebApp(app: FastifyInstance, webDir: string): Promise<boolean> {
  const root = resolve(webDir);
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ webDir: root }, 'web app not built; serving the API only');
    return false;
  }
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
  return true;
}

export function isSpaPath(url: string): boolean {
  return (
    !url.startsWith('/api/') &&
    !url.startsWith('/web/') &&
    !url.startsWith('/internal/') &&
    !url.startsWith('/web/') &&
    url !== '/health' &&
    !/\.[a-z0-9]+$/i.test(url.split('?')[0] ?? '')
  );
}
