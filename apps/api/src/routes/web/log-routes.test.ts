import { insertUser } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import {
  latencyLogResponseSchema,
  orderLogResponseSchema,
  trafficLogResponseSchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../services/passwords.js';
import { placeOrder } from '../../testing/order-helpers.js';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

describe.each(testBackends())('log routes of the web app on %s', (backend) => {
  let t: TestApp;
  let admin: WebClient;
  let orderid = '';

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = new WebClient(t.baseUrl);
    expect((await admin.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    // Traffic: a success, a validation refusal and an unknown route; one live MARKET order.
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(200);
    expect((await t.post('/api/v1/placeorder', { apikey: t.apiKey, symbol: 'SBIN' })).status).toBe(400);
    expect((await t.post('/api/v1/no_such_route', { apikey: t.apiKey })).status).toBe(404);
    const placed = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 3, pricetype: 'MARKET' });
    expect(placed.status).toBe(200);
    orderid = (placed.json as { orderid: string }).orderid;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  /** The log writers flush in the background: read until the rows are there. */
  async function traffic(query = '') {
    const response = await admin.get(`/web/logs/traffic${query}`);
    expect(response.status).toBe(200);
    return trafficLogResponseSchema.parse(response.json).data;
  }

  it('lists the traffic log newest first, filtered by path text and status class or code', async () => {
    await expect.poll(async () => (await traffic()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const all = await traffic();
    const times = all.map((row) => row.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const ping = all.find((row) => row.path === '/api/v1/ping');
    expect(ping).toMatchObject({ method: 'POST', status: 200, client_ip: '127.0.0.1' });
    expect(ping?.duration_ms).toBeGreaterThan(0);

    expect((await traffic('?path=placeorder')).map((row) => [row.path, row.status]).sort()).toEqual([
      ['/api/v1/placeorder', 200],
      ['/api/v1/placeorder', 400],
    ]);
    const clientErrors = await traffic('?status=4xx');
    expect(clientErrors.map((row) => row.status).sort()).toEqual([400, 404]);
    expect((await traffic('?status=404')).map((row) => row.path)).toEqual(['/api/v1/no_such_route']);
    expect(await traffic('?status=5xx')).toEqual([]);
    expect(await traffic('?path=%25')).toEqual([]);
    expect(await traffic('?limit=1')).toHaveLength(1);
    expect(await traffic(`?since=${Date.now() + 60_000}`)).toEqual([]);
    expect((await traffic(`?until=${Date.now() + 60_000}`)).length).toBeGreaterThanOrEqual(4);
  });

  it('lists the latency of each order and the signed-in user’s order log', async () => {
    await expect
      .poll(
        async () =>
          latencyLogResponseSchema
            .parse((await admin.get('/web/logs/latency')).json)
            .data.map((row) => row.orderid),
        { timeout: 10_000 },
      )
      .toContain(orderid);
    const latency = latencyLogResponseSchema.parse(
      (await admin.get('/web/logs/latency?operation=placeorder')).json,
    ).data;
    const row = latency.find((entry) => entry.orderid === orderid);
    expect(row).toMatchObject({ operation: 'placeorder', broker: 'simulator', mode: 'live' });
    expect(row?.total_ms).toBeGreaterThanOrEqual(row?.broker_ms ?? Number.NaN);
    expect(
      latencyLogResponseSchema.parse((await admin.get('/web/logs/latency?operation=cancelorder')).json).data,
    ).toEqual([]);

    const orders = orderLogResponseSchema.parse((await admin.get('/web/logs/orders')).json).data;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      mode: 'live',
      operation: 'placeorder',
      strategy: 'test',
      exchange: 'NSE',
      symbol: 'SBIN',
      status: 'accepted',
      orderid,
      request: { action: 'BUY', quantity: 3, pricetype: 'MARKET' },
      error: null,
    });
    expect(JSON.stringify(orders)).not.toContain(t.apiKey);
    expect(
      orderLogResponseSchema.parse((await admin.get('/web/logs/orders?mode=analyze')).json).data,
    ).toEqual([]);
    expect(
      orderLogResponseSchema.parse((await admin.get(`/web/logs/orders?before=${orders[0]?.at}`)).json).data,
    ).toEqual([]);
  });

  it('refuses bad filters with 400 and keeps the logs behind the session door', async () => {
    for (const query of ['?status=6xx', '?status=abc', '?limit=0', '?limit=5000', '?since=-1', '?extra=1']) {
      const response = await admin.get(`/web/logs/traffic${query}`);
      expect(response.status, query).toBe(400);
      expect(response.json).toMatchObject({ status: 'error' });
    }
    expect((await admin.get('/web/logs/orders?mode=paper')).status).toBe(400);

    const anonymous = new WebClient(t.baseUrl);
    for (const path of ['/web/logs/traffic', '/web/logs/latency', '/web/logs/orders']) {
      expect((await anonymous.get(path)).status).toBe(401);
    }
    await insertUser(t.database.db, {
      username: 'viewer',
      password_hash: await hashPassword('viewer-password-1'),
      is_admin: false,
    });
    const viewer = new WebClient(t.baseUrl);
    expect((await viewer.login('viewer', 'viewer-password-1')).status).toBe(200);
    expect((await viewer.get('/web/logs/traffic')).status).toBe(403);
    expect((await viewer.get('/web/logs/latency')).status).toBe(403);
    const own = await viewer.get('/web/logs/orders');
    expect(own.status).toBe(200);
    expect(orderLogResponseSchema.parse(own.json).data).toEqual([]);
  });
});
