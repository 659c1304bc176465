import { type FakeKiteServer, startFakeKiteServer } from '@openalgo/brokers-zerodha/fake-server';
import { recordOrders } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../../testing/order-helpers.js';
import { UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { zerodhaEnv } from '../../testing/zerodha-env.js';

/**
 * Order safety against a real broker API (the fake Kite over HTTP, BROKER=zerodha): the order
 * log row exists before the broker answers, a placement that times out is never re-sent but
 * found in the order book by its tag, and unfinished rows are settled the same way.
 */
describe.each(testBackends())('order safety with the fake Kite on %s', (backend) => {
  let fake: FakeKiteServer;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeKiteServer({ instrumentCount: 1_000, heartbeatMs: 0 });
    t = await startTestApp(backend, {
      env: {
        ...UNLIMITED_RATES,
        ...zerodhaEnv(fake),
        BROKER_ORDER_TIMEOUT_MS: '300',
        ORDER_RECONCILE_WINDOW_MS: '30000',
      },
    });
    const admin = await t.app.services.accounts.findAdmin();
    const session = await t.app.services.brokerSessions.store(admin.id, {
      broker: 'zerodha',
      brokerUserId: fake.userId,
      accessToken: fake.control.createSession(),
    });
    const status = await t.app.services.masterContract.load(
      t.app.services.brokerGateway.toAdapterSession(session),
    );
    expect(status.state).toBe('done');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const placements = () =>
    fake.requests.filter((request) => request.method === 'POST' && request.path === '/orders/regular');
  const rowOf = (id: string) =>
    t.database.db.selectFrom('order_log').selectAll().where('id', '=', id).executeTakeFirst();

  async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error('condition not met in time');
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('places through Kite with our client order id in the tag', async () => {
    const response = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1 });
    expect(response.status, response.text).toBe(200);
    const { orderid } = response.json as { orderid: string };
    const [sent] = placements().slice(-1);
    const tag = new Map(sent?.form ?? []).get('tag');
    expect(tag).toMatch(/^[a-z0-9]{19}$/);
    await t.app.services.orderJournal.flush();
    expect(await rowOf(`ord_${tag}`)).toMatchObject({
      status: 'accepted',
      broker_order_id: orderid,
      broker: 'zerodha',
    });
  });

  it('a placement the broker answers late: recorded first, never re-sent, reconciled from the order book', async () => {
    const before = placements().length;
    fake.control.delayNext({ method: 'POST', path: '/orders/regular', ms: 1_200 });
    const pending = placeOrder(
      t,
      { symbol: 'INFY', action: 'BUY', quantity: 2 },
      { 'idempotency-key': 'slow-1' },
    );

    // Kite has the request but has not answered: the order is already in the log.
    await waitFor(async () => (placements().length === before + 1 ? true : undefined));
    const [recorded] = await t.database.db
      .selectFrom('order_log')
      .selectAll()
      .where('idempotency_key', '=', 'slow-1')
      .execute();
    expect(recorded).toMatchObject({ status: 'pending', symbol: 'INFY', broker_order_id: null });
    if (!recorded) {
      return;
    }

    const response = await pending;
    expect(response.status).toBe(504);
    expect(response.json).toEqual({
      status: 'error',
      message:
        "The broker did not confirm the order in time. It is being reconciled against the broker's order book: check the order book before placing it again.",
    });
    await t.app.services.orderJournal.flush();
    expect(await rowOf(recorded.id)).toMatchObject({ status: 'unknown' });

    // Kite placed it after all: the background reconciliation finds it by its tag.
    const settled = await waitFor(async () => {
      await t.app.services.orderJournal.flush();
      const row = await rowOf(recorded.id);
      return row?.status === 'accepted' ? row : undefined;
    });
    const kiteOrder = fake.control.order(settled.broker_order_id ?? '');
    expect(kiteOrder).toMatchObject({ tag: recorded.id.slice(4), tradingsymbol: 'INFY', quantity: 2 });
    expect(placements().length).toBe(before + 1);

    // A retry with the same key answers the reconciled order, without sending anything.
    const retry = await placeOrder(
      t,
      { symbol: 'INFY', action: 'BUY', quantity: 2 },
      { 'idempotency-key': 'slow-1' },
    );
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ status: 'success', orderid: settled.broker_order_id });
    expect(placements().length).toBe(before + 1);
  });

  it('start-up reconciliation settles rows a stopped process left unfinished', async () => {
    const admin = await t.app.services.accounts.findAdmin();
    // A placement that reached Kite but whose completion was never written.
    const reached = 'recon00000000000001';
    const { adapter, context } = t.app.services.brokerGateway.call(
      await t.app.services.brokerSessions.getActive(admin.id),
    );
    const instrument = t.app.services.symbols.resolve('RELIANCE', 'NSE');
    expect(instrument).toBeDefined();
    const ack = await adapter.orders.placeOrder(
      {
        instrument: instrument as NonNullable<typeof instrument>,
        action: 'SELL',
        quantity: 1,
        product: 'MIS',
        priceType: 'MARKET',
        price: '0',
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY',
        clientOrderId: reached,
      },
      context,
    );
    const row = (id: string, clientOrderId: string, createdAt: Date) => ({
      id,
      userId: admin.id,
      apiKeyId: null,
      requestId: null,
      idempotencyKey: null,
      mode: 'live' as const,
      broker: 'zerodha',
      operation: 'placeorder',
      strategy: 'test',
      exchange: 'NSE',
      symbol: 'RELIANCE',
      request: { client_order_id: clientOrderId },
      createdAt,
    });
    await recordOrders(t.database.db, [
      row(`ord_${reached}`, reached, new Date()),
      // Never reached Kite and long past the window: not placed.
      row('ord_recon00000000000002', 'recon00000000000002', new Date(Date.now() - 3_600_000)),
    ]);
    const counts = await t.app.services.reconciler.reconcileUnfinished();
    expect(counts).toMatchObject({ accepted: 1, failed: 1 });
    expect(await rowOf(`ord_${reached}`)).toMatchObject({ status: 'accepted', broker_order_id: ack.orderId });
    expect(await rowOf('ord_recon00000000000002')).toMatchObject({
      status: 'failed',
      error: "The order was not found in the broker's order book: it was not placed.",
    });
  });

  it("a broker 200 whose body says it failed is an error; Kite's 4xx keep their status", async () => {
    fake.control.failNext({
      method: 'POST',
      path: '/orders/regular',
      status: 200,
      errorType: 'OrderException',
      message: 'Order rejected by the exchange',
    });
    const refused = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1 });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.json).toEqual({ status: 'error', message: 'Order rejected by the exchange' });
    fake.control.failNext({
      method: 'POST',
      path: '/orders/regular',
      status: 400,
      errorType: 'InputException',
      message: 'Invalid price',
    });
    const input = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1 });
    expect(input.status).toBe(400);
    expect(input.json).toEqual({ status: 'error', message: 'Invalid price' });
    // An RMS rejection after acceptance: placed, and the book says rejected (as Kite reports it).
    fake.control.rejectNextOrder('RMS: margin exceeds');
    const accepted = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1 });
    const { orderid } = accepted.json as { orderid: string };
    const status = await t.post('/api/v1/orderstatus', { apikey: t.apiKey, strategy: 'test', orderid });
    expect(status.json).toMatchObject({ data: { orderid, order_status: 'rejected' } });
  });
});
