import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { listV1Routes, type V1Route } from '../../../testing/v1-routes.js';

/**
 * api-v1 §1.1: unknown paths answer 404 `{"status":"error","message":"Not found","path":…}`;
 * a known path with the wrong method answers 405 with a JSON body (the re-implementation
 * choice the contract allows), with or without a trailing slash.
 */
const METHOD_NOT_ALLOWED = { status: 'error', message: 'The method is not allowed for the requested URL.' };

describe('405 versus 404', () => {
  let t: TestApp;
  let routes: V1Route[];

  beforeAll(async () => {
    t = await startTestApp('pglite');
    routes = await listV1Routes(t);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers a wrong method on every known path with 405 JSON', async () => {
    const wrong: string[] = [];
    const known = new Set(routes.map((route) => `${route.method} ${route.path}`));
    for (const route of routes) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        if (known.has(`${method} ${route.path}`)) {
          continue;
        }
        for (const path of [route.path, `${route.path}/`]) {
          if (path.endsWith('/') && route.template.startsWith('/api/v1/ticker/')) {
            continue;
          }
          const response = await t.request(path, { method });
          if (
            response.status !== 405 ||
            JSON.stringify(response.json) !== JSON.stringify(METHOD_NOT_ALLOWED)
          ) {
            wrong.push(`${method} ${path} → ${response.status}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers unknown paths with 404 and the path', async () => {
    for (const path of [
      '/api/v1/nope',
      '/api/v1/market',
      '/api/v1/telegram',
      '/api/v1/chart/extra',
      '/api/v2/ping',
    ]) {
      const response = await t.request(path, { method: 'POST' });
      expect(response.status, path).toBe(404);
      expect(response.json).toEqual({ status: 'error', message: 'Not found', path });
    }
  });

  it('answers HEAD on GET routes without a body, never 5xx', async () => {
    const response = await t.request('/api/v1/sip/frequencies', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
  });
});
