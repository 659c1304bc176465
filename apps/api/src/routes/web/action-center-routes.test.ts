import { testBackends } from '@openalgo/db/testing';
import {
  analyzerLogResponseSchema,
  approveAllResponseSchema,
  approvePendingOrderResponseSchema,
  pendingOrdersResponseSchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../../testing/order-helpers.js';
import {
  startTestApp,
  TEST_ADMIN_PASSWORD,
  type TestApp,
  tradingHoursClock,
} from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

/**
 * The Action Center and the analyzer log as the web app calls them: over real HTTP with a
 * cookie jar and the CSRF header, semi-auto orders queued by the API and approved, rejected
 * or approved all at once into the sandbox (analyzer mode on).
 */
describe.each(testBackends())('Action Center and analyzer log routes on %s', (backend) => {
  let t: TestApp;
  let web: WebClient;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: tradingHoursClock() });
    web = new WebClient(t.baseUrl);
    expect((await web.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    expect((await web.post('/web/v1/analyzer/toggle', { mode: true })).status).toBe(200);
    expect((await web.post('/web/apikey/mode', { mode: 'semi_auto' })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function queue(quantity: number, symbol = 'SBIN'): Promise<number> {
    const response = await placeOrder(t, { symbol, action: 'BUY', quantity, pricetype: 'MARKET' });
    expect(response.json).toEqual({
      status: 'success',
      message: 'Order queued for approval in Action Center',
      mode: 'semi_auto',
      pending_order_id: expect.any(Number),
    });
    return (response.json as { pending_order_id: number }).pending_order_id;
  }

  async function list(status = 'pending') {
    const response = await web.get(`/web/action-center?status=${status}`);
    expect(response.status, response.text).toBe(200);
    return pendingOrdersResponseSchema.parse(response.json).data;
  }

  async function analyzerOrder(orderid: string) {
    const response = await t.post('/api/v1/orderstatus', { apikey: t.apiKey, strategy: 'test', orderid });
    return response.json as { status: string; mode?: string; data?: Record<string, unknown> };
  }

  it('refuses callers without a session, and mutations without the CSRF header', async () => {
    const stranger = new WebClient(t.baseUrl);
    expect((await stranger.get('/web/action-center')).status).toBe(401);
    expect((await stranger.get('/web/analyzer/logs')).status).toBe(401);
    const id = await queue(1);
    const forged = await web.post(`/web/action-center/${id}/approve`, {}, { csrf: false });
    expect(forged.status).toBe(403);
    expect((await web.post('/web/action-center/approve-all', {}, { csrf: false })).status).toBe(403);
    expect((await list()).orders.map((order) => order.id)).toContain(id);
    expect((await web.post(`/web/action-center/${id}/reject`, { reason: 'cleanup' })).status).toBe(200);
  });

  it('lists a queued order without the key and approves it once, into the sandbox', async () => {
    const id = await queue(2);
    const { orders, statistics } = await list();
    const row = orders.find((order) => order.id === id);
    expect(row).toMatchObject({
      status: 'pending',
      api_type: 'placeorder',
      symbol: 'SBIN',
      action: 'BUY',
      quantity: 2,
      price_type: 'MARKET',
      product_type: 'MIS',
      created_at_ist: expect.stringMatching(/^\d{4}-\d\d-\d\d 10:\d\d:\d\d IST$/),
    });
    expect(row?.order_data).not.toHaveProperty('apikey');
    expect(statistics.total_pending).toBeGreaterThanOrEqual(1);

    const approved = await web.post(`/web/action-center/${id}/approve`);
    expect(approved.status, approved.text).toBe(200);
    const body = approvePendingOrderResponseSchema.parse(approved.json);
    expect(body).toMatchObject({ status: 'success', message: 'Order approved and executed successfully' });
    const orderid = String(body.broker_order_id);
    expect(await analyzerOrder(orderid)).toMatchObject({
      status: 'success',
      mode: 'analyze',
      data: { order_status: 'complete', quantity: 2, symbol: 'SBIN' },
    });
    // A second click finds nothing pending.
    const again = await web.post(`/web/action-center/${id}/approve`);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ status: 'error', message: 'Failed to approve order' });
    const history = (await list('approved')).orders.find((order) => order.id === id);
    expect(history).toMatchObject({
      status: 'approved',
      execution_status: 'executed',
      execution_mode: 'analyze',
      broker_order_id: orderid,
      broker_status: 'complete',
      approved_by: 'admin',
    });
    expect((await list('pending')).orders.some((order) => order.id === id)).toBe(false);
    // The row names the API call that queued it, and the approved order is logged under it.
    expect(row?.request_id).toEqual(expect.any(String));
    await t.app.services.orderJournal.flush();
    const logged = await t.app.services.db
      .selectFrom('order_log')
      .select('request_id')
      .where('broker_order_id', '=', orderid)
      .executeTakeFirst();
    expect(logged?.request_id).toBe(row?.request_id);
  });

  it('rejects with a reason, reports a failed execution, and deletes only finished rows', async () => {
    const rejected = await queue(1);
    expect((await web.delete(`/web/action-center/${rejected}`)).status).toBe(400);
    const reject = await web.post(`/web/action-center/${rejected}/reject`, { reason: 'not today' });
    expect(reject.json).toEqual({ status: 'success', message: 'Order rejected successfully' });
    expect((await list('rejected')).orders.find((order) => order.id === rejected)).toMatchObject({
      status: 'rejected',
      rejected_reason: 'not today',
      rejected_by: 'admin',
    });
    expect((await web.post(`/web/action-center/${rejected}/reject`, {})).status).toBe(400);
    expect((await web.post(`/web/action-center/${rejected}/reject`, { reason: 5 })).status).toBe(400);

    // More than the sandbox's capital: approved, but the sandbox refuses it.
    const tooBig = await queue(10_000_000);
    const failed = await web.post(`/web/action-center/${tooBig}/approve`);
    expect(failed.status).toBe(200);
    expect(approvePendingOrderResponseSchema.parse(failed.json)).toMatchObject({
      status: 'warning',
      message: 'Order approved but execution failed',
      error: expect.stringMatching(/^Insufficient funds/),
      execution_status_code: 400,
    });
    expect((await list('approved')).orders.find((order) => order.id === tooBig)).toMatchObject({
      execution_status: 'failed',
      broker_status: 'rejected',
    });
    expect((await web.delete(`/web/action-center/${rejected}`)).json).toEqual({
      status: 'success',
      message: 'Order deleted successfully',
    });
    expect((await list('all')).orders.some((order) => order.id === rejected)).toBe(false);
    expect((await web.post('/web/action-center/abc/approve')).status).toBe(400);
    expect((await web.get('/web/action-center?status=maybe')).status).toBe(400);
  });

  it('approves all pending orders, each once, then has nothing left to approve', async () => {
    const ids = [await queue(1, 'ITC'), await queue(3, 'ITC')];
    const result = await web.post('/web/action-center/approve-all');
    expect(result.status).toBe(200);
    expect(approveAllResponseSchema.parse(result.json)).toMatchObject({
      status: 'success',
      approved_count: 2,
      executed_count: 2,
      failed_executions: [],
    });
    const approved = (await list('approved')).orders.filter((order) => ids.includes(order.id));
    expect(approved.map((order) => order.execution_status)).toEqual(['executed', 'executed']);
    expect((await web.get('/web/action-center/count')).json).toEqual({ status: 'success', count: 0 });
    expect((await web.post('/web/action-center/approve-all')).json).toEqual({
      status: 'info',
      message: 'No pending orders to approve',
    });
  });

  it('lists the analyzer request log, newest first, filtered by operation, without keys', async () => {
    const response = await web.get('/web/analyzer/logs');
    expect(response.status).toBe(200);
    const rows = analyzerLogResponseSchema.parse(response.json).data;
    expect(rows.length).toBeGreaterThan(0);
    const times = rows.map((row) => row.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const placements = analyzerLogResponseSchema.parse(
      (await web.get('/web/analyzer/logs?api_type=placeorder&limit=2')).json,
    ).data;
    expect(placements).toHaveLength(2);
    for (const row of placements) {
      expect(row).toMatchObject({ api_type: 'placeorder', status: 'success' });
      expect(row.request_data).not.toHaveProperty('apikey');
      expect(row.response_data).toMatchObject({ mode: 'semi_auto' });
    }
    expect(rows.some((row) => row.api_type === 'orderstatus')).toBe(true);
    expect((await web.get('/web/analyzer/logs?limit=0')).status).toBe(400);
  });
});
