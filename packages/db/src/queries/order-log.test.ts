import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import {
  completeOrders,
  countOrderLog,
  findOrderLog,
  listUnfinishedOrders,
  type RecordOrderInput,
  recordOrders,
} from './order-log.js';

const order = (id: string, extra: Partial<RecordOrderInput> = {}): RecordOrderInput => ({
  id,
  userId: 1,
  apiKeyId: 7,
  requestId: `req_${id}`,
  idempotencyKey: null,
  mode: 'live',
  broker: 'simulator',
  operation: 'placeorder',
  strategy: 'test',
  exchange: 'NSE',
  symbol: 'SBIN',
  request: { symbol: 'SBIN', quantity: 1, price: '500.05' },
  createdAt: new Date('2026-04-08T09:15:00Z'),
  ...extra,
});

describe.each(testBackends())('order log on %s', (backend) => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('records many orders in one statement and reports idempotency conflicts', async () => {
    const first = await recordOrders(handle.db, [
      order('ord_a'),
      order('ord_b', { idempotencyKey: 'key-1' }),
      order('ord_c', { mode: 'analyze' }),
    ]);
    expect([...first].sort()).toEqual(['ord_a', 'ord_b', 'ord_c']);
    // The same key of the same API key loses; another API key may use it.
    const second = await recordOrders(handle.db, [
      order('ord_d', { idempotencyKey: 'key-1' }),
      order('ord_e', { idempotencyKey: 'key-1', apiKeyId: 8 }),
    ]);
    expect([...second]).toEqual(['ord_e']);
    expect(await findOrderLog(handle.db, 'ord_d')).toBeUndefined();
    const stored = await findOrderLog(handle.db, 'ord_b');
    expect(stored).toMatchObject({
      status: 'pending',
      idempotency_key: 'key-1',
      request: order('x').request,
    });
    expect(await countOrderLog(handle.db, { mode: 'analyze' })).toBe(1);
  });

  it('completes many orders in one statement, keeping json and times exact', async () => {
    const completedAt = new Date('2026-04-08T09:15:01.250Z');
    await completeOrders(handle.db, [
      {
        id: 'ord_a',
        status: 'accepted',
        brokerOrderId: '250408000989443',
        response: { http_status: 200, body: { status: 'success', orderid: '250408000989443' } },
        error: null,
        completedAt,
      },
      {
        id: 'ord_b',
        status: 'rejected',
        brokerOrderId: null,
        response: null,
        error: "Insufficient funds: it's 0",
        completedAt,
      },
    ]);
    const accepted = await findOrderLog(handle.db, 'ord_a');
    expect(accepted).toMatchObject({
      status: 'accepted',
      broker_order_id: '250408000989443',
      response: { http_status: 200, body: { status: 'success', orderid: '250408000989443' } },
      error: null,
    });
    expect(accepted?.completed_at?.getTime()).toBe(completedAt.getTime());
    expect(await findOrderLog(handle.db, 'ord_b')).toMatchObject({
      status: 'rejected',
      response: null,
      error: "Insufficient funds: it's 0",
    });
    const unfinished = await listUnfinishedOrders(handle.db);
    expect(unfinished.map((row) => row.id).sort()).toEqual(['ord_c', 'ord_e']);
  });
});
