import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import {
  claimPendingOrder,
  countPendingOrders,
  deletePendingOrder,
  expirePendingOrders,
  finishPendingOrder,
  insertPendingOrder,
  listPendingOrders,
  rejectPendingOrder,
} from './pending-orders.js';
import { insertUser } from './users.js';

describe.each(testBackends())('pending orders on %s', (backend) => {
  let handle: TestDatabase;
  let userId: number;
  let otherId: number;
  const t0 = new Date('2026-11-24T05:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
    userId = (await insertUser(handle.db, { username: 'owner', password_hash: 'x' })).id;
    otherId = (await insertUser(handle.db, { username: 'other', password_hash: 'x' })).id;
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  function queue(expiresInMs = 60_000) {
    return insertPendingOrder(handle.db, {
      userId,
      apiType: 'placeorder',
      orderData: { symbol: 'SBIN', quantity: '1' },
      createdAt: t0,
      expiresAt: later(expiresInMs),
    });
  }

  it('lets exactly one of many concurrent approvers claim a row', async () => {
    const row = await queue();
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        claimPendingOrder(handle.db, { userId, id: row.id, approvedBy: `approver-${index}`, now: later(1) }),
      ),
    );
    expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
    expect(
      await rejectPendingOrder(handle.db, {
        userId,
        id: row.id,
        rejectedBy: 'x',
        reason: 'r',
        now: later(2),
      }),
    ).toBeUndefined();
    const finished = await finishPendingOrder(handle.db, {
      id: row.id,
      status: 'executed',
      executedAt: later(3),
      executionMode: 'analyze',
      brokerOrderId: '26112400000001',
      brokerStatus: 'complete',
      result: { status: 'success' },
      error: null,
    });
    expect(finished).toMatchObject({ status: 'executed', broker_order_id: '26112400000001' });
  });

  it('refuses to claim an expired, foreign or rejected row', async () => {
    const row = await queue(1_000);
    expect(
      await claimPendingOrder(handle.db, { userId: otherId, id: row.id, approvedBy: 'x', now: later(1) }),
    ).toBeUndefined();
    expect(
      await claimPendingOrder(handle.db, { userId, id: row.id, approvedBy: 'x', now: later(1_000) }),
    ).toBeUndefined();
    expect((await expirePendingOrders(handle.db, later(1_000))).map((expired) => expired.id)).toContain(
      row.id,
    );
    const rejectable = await queue();
    const rejected = await rejectPendingOrder(handle.db, {
      userId,
      id: rejectable.id,
      rejectedBy: 'owner',
      reason: 'too big',
      now: later(5),
    });
    expect(rejected).toMatchObject({ status: 'rejected', rejected_reason: 'too big' });
    expect(
      await claimPendingOrder(handle.db, { userId, id: rejectable.id, approvedBy: 'x', now: later(6) }),
    ).toBeUndefined();
  });

  it('counts live pending rows and deletes only finished ones', async () => {
    const pending = await queue();
    const before = await countPendingOrders(handle.db, userId, later(10));
    expect(before).toBeGreaterThanOrEqual(1);
    expect(await deletePendingOrder(handle.db, userId, pending.id)).toBeUndefined();
    await rejectPendingOrder(handle.db, {
      userId,
      id: pending.id,
      rejectedBy: 'o',
      reason: 'no',
      now: later(11),
    });
    expect((await deletePendingOrder(handle.db, userId, pending.id))?.id).toBe(pending.id);
    expect(await countPendingOrders(handle.db, userId, later(12))).toBe(before - 1);
    expect(
      (await listPendingOrders(handle.db, userId, ['rejected'])).some((row) => row.id === pending.id),
    ).toBe(false);
  });
});
