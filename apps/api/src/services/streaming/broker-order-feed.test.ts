import { type FakeKiteServer, startFakeKiteServer } from '@openalgo/brokers-zerodha/fake-server';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../../testing/order-helpers.js';
import { UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { zerodhaEnv } from '../../testing/zerodha-env.js';
import type { AppEventName, OrderEvent } from '../events.js';

/**
 * The live broker's order stream onto the event bus, against the fake Kite (BROKER=zerodha):
 * what happens at Kite after our call answered (a resting order filled, an order placed in
 * Kite's own app, a cancellation) is announced as an order event of the admin, once per state;
 * the stream follows a new login's token and ends with the session.
 */
describe.each(testBackends())('broker order updates from the fake Kite on %s', (backend) => {
  let fake: FakeKiteServer;
  let t: TestApp;
  const seen: Array<{ name: AppEventName; event: OrderEvent }> = [];

  const login = async () => {
    const admin = await t.app.services.accounts.findAdmin();
    return t.app.services.brokerSessions.store(admin.id, {
      broker: 'zerodha',
      brokerUserId: fake.userId,
      accessToken: fake.control.createSession(),
    });
  };

  async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const tickerTokens = () => fake.control.tickerClients().map((client) => client.accessToken);

  beforeAll(async () => {
    fake = await startFakeKiteServer({ instrumentCount: 1_000, heartbeatMs: 0 });
    t = await startTestApp(backend, {
      env: {
        ...UNLIMITED_RATES,
        ...zerodhaEnv(fake),
      },
    });
    for (const name of [
      'order.placed',
      'order.updated',
      'order.filled',
      'order.rejected',
      'order.cancelled',
    ] as const) {
      t.app.services.events.on(name, (event) => seen.push({ name, event }));
    }
    const session = await login();
    const status = await t.app.services.masterContract.load(
      t.app.services.brokerGateway.toAdapterSession(session),
    );
    expect(status.state).toBe('done');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const eventsOf = (orderid: string) =>
    seen
      .filter((entry) => entry.event.orderid === orderid)
      .map((entry) => [entry.name, entry.event.order_status]);

  it('opens the ticker under the stored session', async () => {
    const feed = t.app.services.brokerOrderFeed;
    expect(feed).not.toBeNull();
    await feed?.refresh();
    const admin = await t.app.services.accounts.findAdmin();
    const session = await t.app.services.brokerSessions.getActive(admin.id);
    await until(
      () => (tickerTokens().includes(session?.accessToken ?? '') ? true : undefined),
      'a ticker socket',
    );
    expect(feed?.isOpen).toBe(true);
  });

  it('announces the fill of a resting order that Kite matched after the placement answered', async () => {
    fake.control.setPrice('NSE', 'SBIN', '600');
    const placed = await placeOrder(t, {
      symbol: 'SBIN',
      action: 'BUY',
      quantity: 4,
      pricetype: 'LIMIT',
      price: '595.5',
    });
    expect(placed.status, placed.text).toBe(200);
    const { orderid } = placed.json as { orderid: string };
    fake.control.fillOrder(orderid, { quantity: 1, price: '595.5' });
    fake.control.setPrice('NSE', 'SBIN', '595');
    const filled = await until(
      () => seen.find((entry) => entry.name === 'order.filled' && entry.event.orderid === orderid),
      'the fill',
    );
    expect(filled.event).toMatchObject({
      mode: 'live',
      broker: 'zerodha',
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 4,
      price: 595.5,
      pricetype: 'LIMIT',
      product: 'MIS',
      order_status: 'complete',
      filled_quantity: 4,
      pending_quantity: 0,
    });
    // (1 at 595.5 + 3 at 595) / 4
    expect(filled.event.average_price).toBe(595.125);
    const partial = seen.find(
      (entry) => entry.event.orderid === orderid && entry.event.filled_quantity === 1,
    );
    expect(partial).toMatchObject({
      name: 'order.updated',
      event: { order_status: 'open', pending_quantity: 3 },
    });
    // Each state once and in order: Kite's echo of the placement gives way to the api's own event.
    expect(eventsOf(orderid)).toEqual([
      ['order.placed', 'open'],
      ['order.updated', 'open'],
      ['order.filled', 'complete'],
    ]);
  });

  it('ends on the fill when Kite filled a MARKET order before the placement answered', async () => {
    const placed = await placeOrder(t, { symbol: 'SBIN', action: 'SELL', quantity: 4 });
    expect(placed.status, placed.text).toBe(200);
    const { orderid } = placed.json as { orderid: string };
    await until(
      () => (eventsOf(orderid).at(-1)?.[1] === 'complete' ? true : undefined),
      'the fill as the last word',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const states = eventsOf(orderid);
    expect(states.at(-1)).toEqual(['order.filled', 'complete']);
    expect(states.filter(([name]) => name === 'order.placed')).toHaveLength(1);
    expect(states.filter(([name]) => name === 'order.updated')).toHaveLength(0);
    expect(seen.filter((entry) => entry.event.orderid === orderid).at(-1)?.event).toMatchObject({
      filled_quantity: 4,
      average_price: 595,
    });
  });

  it("announces an order placed and cancelled in Kite's own app", async () => {
    const admin = await t.app.services.accounts.findAdmin();
    const session = await t.app.services.brokerSessions.getActive(admin.id);
    const response = await fetch(`${fake.baseUrl}/orders/regular`, {
      method: 'POST',
      headers: {
        'x-kite-version': '3',
        authorization: `token ${fake.apiKey}:${session?.accessToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        exchange: 'NSE',
        tradingsymbol: 'INFY',
        transaction_type: 'SELL',
        order_type: 'LIMIT',
        quantity: '2',
        price: '99999',
        product: 'CNC',
      }),
    });
    expect(response.status).toBe(200);
    const orderid = ((await response.json()) as { data: { order_id: string } }).data.order_id;
    await until(
      () => seen.find((entry) => entry.event.orderid === orderid && entry.event.order_status === 'open'),
      'the open order',
    );
    const cancelled = await fetch(`${fake.baseUrl}/orders/regular/${orderid}`, {
      method: 'DELETE',
      headers: { 'x-kite-version': '3', authorization: `token ${fake.apiKey}:${session?.accessToken}` },
    });
    expect(cancelled.status).toBe(200);
    const event = await until(
      () => seen.find((entry) => entry.name === 'order.cancelled' && entry.event.orderid === orderid),
      'the cancellation',
    );
    expect(event.event).toMatchObject({
      userId: admin.id,
      symbol: 'INFY',
      action: 'SELL',
      quantity: 2,
      product: 'CNC',
      order_status: 'cancelled',
      pending_quantity: 0,
    });
    expect(eventsOf(orderid)).toEqual([
      ['order.updated', 'open'],
      ['order.cancelled', 'cancelled'],
    ]);
  });

  it("announces Kite's rejection with its reason", async () => {
    fake.control.rejectNextOrder('RMS: margin exceeds');
    const placed = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1 });
    const { orderid } = placed.json as { orderid: string };
    const rejected = await until(
      () =>
        seen.find(
          (entry) =>
            entry.name === 'order.rejected' &&
            entry.event.orderid === orderid &&
            entry.event.rejection_reason,
        ),
      'the rejection',
    );
    expect(rejected.event.rejection_reason).toMatch(/margin exceeds/);
  });

  it("follows a new login's token and ends with the session", async () => {
    const feed = t.app.services.brokerOrderFeed;
    const fresh = await login();
    await feed?.refresh();
    await until(
      () => (tickerTokens().length === 1 && tickerTokens()[0] === fresh.accessToken ? true : undefined),
      'the ticker under the new token only',
    );
    const admin = await t.app.services.accounts.findAdmin();
    await t.app.services.brokerSessions.revoke(admin.id);
    await feed?.refresh();
    expect(feed?.isOpen).toBe(false);
    await until(() => (tickerTokens().length === 0 ? true : undefined), 'no ticker socket');
  });
});
