import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { listV1Routes, type V1Route } from '../../../testing/v1-routes.js';

/**
 * api-v1 §2.5 (QUIRK): the reference answers a non-JSON or malformed body with a 500; we answer
 * the recommended 400 `{"status":"error","message":"Request body must be a JSON object"}`.
 * JSON that is not an object (null, a list, a string) is a schema error: 400 in the route's envelope.
 */
const INVALID_JSON = { status: 'error', message: 'Request body must be a JSON object' };

const NOT_JSON: Array<{ name: string; contentType: string | null; body: string }> = [
  { name: 'malformed JSON', contentType: 'application/json', body: '{"apikey": ' },
  { name: 'trailing garbage', contentType: 'application/json', body: '{"apikey":"x"} trailing' },
  { name: 'empty JSON body', contentType: 'application/json', body: '' },
  { name: 'form encoded', contentType: 'application/x-www-form-urlencoded', body: 'apikey=x' },
  { name: 'plain text', contentType: 'text/plain', body: 'apikey=x' },
  { name: 'XML', contentType: 'application/xml', body: '<apikey>x</apikey>' },
];

const NOT_AN_OBJECT = ['null', '[]', '"apikey"', '42', 'true'];

describe('non-JSON and non-object bodies', () => {
  let t: TestApp;
  let posts: V1Route[];

  beforeAll(async () => {
    t = await startTestApp('pglite');
    posts = (await listV1Routes(t)).filter((route) => route.method === 'POST');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers every POST route 400 with the JSON error body, never 5xx', async () => {
    const wrong: string[] = [];
    for (const route of posts) {
      for (const { name, contentType, body } of NOT_JSON) {
        const response = await t.request(route.path, {
          method: 'POST',
          headers: contentType ? { 'content-type': contentType } : {},
          body,
        });
        const isExpected =
          response.status === 400 && JSON.stringify(response.json) === JSON.stringify(INVALID_JSON);
        if (!isExpected) {
          wrong.push(`${route.path} (${name}) → ${response.status} ${response.text.slice(0, 80)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers JSON that is not an object with a 4xx JSON error, never 5xx', async () => {
    const wrong: string[] = [];
    for (const route of posts) {
      for (const body of NOT_AN_OBJECT) {
        const response = await t.post(route.path, body);
        const isWebhook = route.template === '/api/v1/telegram/webhook';
        const isClientError = response.status >= 400 && response.status < 500;
        const isJsonError = (response.json as { status?: string } | undefined)?.status === 'error';
        if (!isClientError || (!isWebhook && !isJsonError)) {
          wrong.push(`${route.path} (${body}) → ${response.status} ${response.text.slice(0, 80)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('uses the route envelope for a non-object body (E2 here)', async () => {
    expect((await t.post('/api/v1/market/holidays', 'null')).json).toEqual({
      status: 'error',
      message: { _schema: ['Invalid input type.'] },
    });
  });

  it('refuses a body over the 1 MiB limit with 413, not 5xx', async () => {
    const response = await t.post('/api/v1/market/holidays', { apikey: 'x'.repeat(1_100_000) });
    expect(response.status).toBe(413);
    expect(response.json).toEqual({ status: 'error', message: 'Request body is too large' });
  });

  it('refuses a NUL character in any value, key or query parameter with 400, at every door', async () => {
    const nul = { status: 'error', message: 'Request must not contain NUL characters' };
    const order = { strategy: 'a\u0000b', exchange: 'NSE', symbol: 'SBIN', action: 'BUY', quantity: 1 };
    const strategy = await t.post('/api/v1/placeorder', { apikey: t.apiKey, ...order, pricetype: 'MARKET' });
    expect(strategy.status).toBe(400);
    expect(strategy.json).toEqual(nul);
    const nested = await t.post('/api/v1/basketorder', {
      apikey: t.apiKey,
      strategy: 's',
      orders: [{ ...order, strategy: undefined, 'x\u0000': 1 }],
    });
    expect(nested.json).toEqual(nul);
    const query = await t.request('/api/v1/instruments?exchange=NSE%00', { method: 'GET' });
    expect(query.status).toBe(400);
    const login = await t.post('/web/login', { username: 'admin\u0000', password: 'x' });
    expect(login.json).toEqual(nul);
    // Nothing reached the order log.
    expect((await t.database.db.selectFrom('order_log').select('id').execute()).length).toBe(0);
    // A backslash-u in the text itself is no NUL.
    const text = await t.post('/api/v1/search', { apikey: t.apiKey, query: '\\u0000' });
    expect(text.status).not.toBe(400);
  });
});
