import { wsOrderUpdateFrameSchema, wsTickDataSchema } from '@openalgo/shared-types';
import { HubClient, marketTopic, orderTopic } from '@openalgo/stream-bus';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeRestingOrder } from '../../testing/order-helpers.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

const kinds = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
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

describe.each(kinds)('the api as market-data hub (%s)', (kind) => {
  let t: TestApp;
  let client: HubClient;
  const ticks: Array<{ topic: string; data: unknown }> = [];
  const orders: unknown[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind);
    const hub = t.app.services.hub;
    if (!hub) {
      throw new Error('the hub is on by default');
    }
    client = new HubClient({
      publishUrl: hub.publishEndpoint,
      controlUrl: hub.controlEndpoint,
      logger: pino({ level: 'silent' }),
    });
    client.onMarket((topic, _rich, payload) =>
      ticks.push({ topic, data: JSON.parse(payload.toString('utf8')) }),
    );
    client.onOrder((_userId, payload) => orders.push(JSON.parse(payload.toString('utf8'))));
    client.start();
  });

  afterAll(async () => {
    client.close();
    await t.close();
  });

  it('authenticates proxies with the real API keys and resolves from the symbol master', async () => {
    await expect(client.request('authenticate', { apiKey: t.apiKey })).resolves.toMatchObject({
      ok: true,
      username: 'admin',
      info: { broker: 'simulator' },
    });
    await expect(client.request('authenticate', { apiKey: '0'.repeat(64) })).resolves.toMatchObject({
      ok: false,
    });
    const { results } = await client.request('resolve', {
      entries: [
        { symbol: 'SBIN', exchange: 'NSE' },
        { symbol: 'NOPE', exchange: 'NSE' },
      ],
      mode: 1,
    });
    expect(results.map((result) => result.ok)).toEqual([true, false]);
  });

  it('streams the simulator feed under the admin session once someone subscribes', async () => {
    const topic = marketTopic('NSE', 'SBIN', 2);
    client.subscribe(topic);
    const tick = await eventually(() => ticks.find((entry) => entry.topic === topic), 'an SBIN quote tick');
    expect(wsTickDataSchema.parse(tick.data)).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', mode: 2 });
    expect(t.app.services.hub?.status().state).toBe('connected');
    client.unsubscribe(topic);
  });

  it('publishes the order events of the bus as sequenced order updates of their user', async () => {
    const admin = await t.app.services.accounts.findAdmin();
    client.subscribe(orderTopic(admin.id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const orderid = await placeRestingOrder(t, 'INFY');
    const update = await eventually(
      () =>
        orders
          .map((frame) => wsOrderUpdateFrameSchema.parse(frame))
          .find((frame) => frame.orderid === orderid),
      'the order update of the placed order',
    );
    expect(update).toMatchObject({
      user_id: 'admin',
      mode: 'live',
      broker: 'simulator',
      symbol: 'INFY',
      action: 'BUY',
    });
    const replay = await client.request('orders', { userId: admin.id, since: 0 });
    expect(replay.updates.map((frame) => frame.orderid)).toContain(orderid);
    expect(replay.seq).toBe(update.seq);
  });
});
