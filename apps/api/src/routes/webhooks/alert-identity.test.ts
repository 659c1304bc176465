import { setApiKeyOrderMode } from '@openalgo/db';
import { createTestDatabase, testBackends } from '@openalgo/db/testing';
import { approvePendingOrderResponseSchema, pendingOrdersResponseSchema } from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS_CHANNEL } from '../../services/accounts.js';
import { sbinStrategy } from '../../testing/order-helpers.js';
import {
  startTestApp,
  TEST_ADMIN_PASSWORD,
  type TestApp,
  tradingHoursClock,
} from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

interface AlertBody {
  status: string;
  alert_id?: string;
  results?: Array<{ status: string; orderid?: string; pending_order_id?: number }>;
}

/**
 * The identity an alert's orders run under (the user's active API key and its order mode)
 * comes from memory, not from a query per alert; rotating the key or switching the order
 * mode reaches the very next alert, whether the change was made in this process or announced
 * by another one.
 */
describe.each(testBackends())('the identity of strategy alerts on %s', (kind) => {
  let t: TestApp;
  let web: WebClient;
  let userId: number;
  let url = '';
  const statements: string[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase(kind, { onStatement: (text) => statements.push(text) });
    t = await startTestApp(kind, {
      database,
      now: tradingHoursClock(),
      env: { STRATEGY_DEDUPE_WINDOW_MS: '0' },
    });
    web = new WebClient(t.baseUrl);
    expect((await web.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    expect((await web.post('/web/v1/analyzer/toggle', { mode: true })).status).toBe(200);
    ({ userId, url } = await sbinStrategy(t, 'identity', 1));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await t?.database.close();
  });

  async function alert(): Promise<NonNullable<AlertBody['results']>[number]> {
    const response = await t.post(url, { symbol: 'SBIN', action: 'BUY' });
    expect(response.status, response.text).toBe(200);
    const result = (response.json as AlertBody).results?.[0];
    expect(result?.status).toBe('success');
    return result as NonNullable<AlertBody['results']>[number];
  }

  async function keyIdOfOrder(orderid: string | undefined): Promise<number | null> {
    const row = await t.app.services.db
      .selectFrom('order_log')
      .select('api_key_id')
      .where('broker_order_id', '=', orderid ?? '')
      .executeTakeFirst();
    return row?.api_key_id ?? null;
  }

  async function activeKeyId(): Promise<number> {
    const row = await t.app.services.db
      .selectFrom('api_keys')
      .select('id')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('reads the key once, then serves alerts from memory; a rotation reaches the next alert', async () => {
    const first = await alert();
    expect(first.orderid).toBeDefined();
    statements.length = 0;
    await alert();
    expect(statements.filter((text) => /from "api_keys"/.test(text))).toEqual([]);
    const before = await activeKeyId();
    await expect.poll(() => keyIdOfOrder(first.orderid)).toBe(before);

    await t.app.services.accounts.rotateApiKey(userId);
    const after = await activeKeyId();
    expect(after).not.toBe(before);
    const next = await alert();
    await expect.poll(() => keyIdOfOrder(next.orderid)).toBe(after);
  });

  it('an order-mode switch reaches the next alert: semi-auto queues it, auto places it again', async () => {
    expect((await web.post('/web/apikey/mode', { mode: 'semi_auto' })).status).toBe(200);
    const queued = await alert();
    expect(queued.pending_order_id).toEqual(expect.any(Number));
    expect(queued.orderid).toBeUndefined();
    expect((await web.post('/web/apikey/mode', { mode: 'auto' })).status).toBe(200);
    expect((await alert()).orderid).toBeDefined();
  });

  it('a semi-auto alert’s order, approved in the Action Center, is logged under its alert', async () => {
    expect((await web.post('/web/apikey/mode', { mode: 'semi_auto' })).status).toBe(200);
    const response = await t.post(url, { symbol: 'SBIN', action: 'BUY' });
    expect(response.status, response.text).toBe(200);
    const body = response.json as AlertBody;
    const pendingOrderId = body.results?.[0]?.pending_order_id;
    expect(pendingOrderId).toEqual(expect.any(Number));
    expect(body.alert_id).toEqual(expect.any(String));
    expect((await web.post('/web/apikey/mode', { mode: 'auto' })).status).toBe(200);
    // Nothing placed yet: the alert has no order in the log.
    const ofAlert = () =>
      t.app.services.db
        .selectFrom('order_log')
        .select(['status', 'broker_order_id'])
        .where('request_id', '=', body.alert_id ?? '')
        .execute();
    expect(await ofAlert()).toEqual([]);
    // The Action Center shows which alert queued it.
    const listed = await web.get('/web/action-center?status=pending');
    expect(listed.status, listed.text).toBe(200);
    const entry = pendingOrdersResponseSchema
      .parse(listed.json)
      .data.orders.find((order) => order.id === pendingOrderId);
    expect(entry?.request_id).toBe(body.alert_id);
    const approved = await web.post(`/web/action-center/${pendingOrderId}/approve`);
    expect(approved.status, approved.text).toBe(200);
    const orderid = approvePendingOrderResponseSchema.parse(approved.json).broker_order_id;
    expect(orderid).toEqual(expect.any(String));
    // The approved placement carries the alert's id, as an auto-mode alert's order does.
    await expect.poll(ofAlert).toEqual([{ status: 'accepted', broker_order_id: orderid }]);
  });

  it("another process's change, once announced, reaches the next alert", async () => {
    // Written to the database without this process knowing: the cached mode still applies…
    await setApiKeyOrderMode(t.app.services.db, await activeKeyId(), 'semi_auto');
    expect((await alert()).orderid).toBeDefined();
    // …until the change is announced, as every process that changes keys does.
    await t.database.notify(API_KEYS_CHANNEL);
    await expect
      .poll(async () => (await alert()).pending_order_id, { timeout: 2_000 })
      .toEqual(expect.any(Number));
  });
});
