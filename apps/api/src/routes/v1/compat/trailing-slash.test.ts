import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { callWithBadKey, listV1Routes, type V1Route } from '../../../testing/v1-routes.js';

/** api-v1 §1 and §7.15: every path also answers with a trailing slash, except `/ticker/{symbol}`. */
describe('trailing slashes', () => {
  let t: TestApp;
  let routes: V1Route[];

  beforeAll(async () => {
    t = await startTestApp('pglite');
    routes = (await listV1Routes(t)).filter((route) => !route.template.startsWith('/api/v1/ticker/'));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('every route answers the same with and without a trailing slash', async () => {
    expect(routes.length).toBeGreaterThan(20);
    const differences: string[] = [];
    for (const route of routes) {
      const plain = await callWithBadKey(t, route);
      const slashed = await callWithBadKey(t, route, `${route.path}/`);
      if (
        [404, 405].includes(slashed.status) ||
        slashed.status !== plain.status ||
        slashed.text !== plain.text
      ) {
        differences.push(`${route.method} ${route.path}/ → ${slashed.status} (without: ${plain.status})`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('a query string after the trailing slash still reaches the route', async () => {
    const response = await t.request('/api/v1/sip/frequencies/?x=1', { method: 'GET' });
    expect(response.status).toBe(200);
  });
});
