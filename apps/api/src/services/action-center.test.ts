import { OpenAlgoError } from '@openalgo/broker-sdk';
import { insertUser, listPendingOrderEvents } from '@openalgo/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@openalgo/db/testing';
import { createSandbox, type Sandbox, sandboxSession } from '@openalgo/sandbox';
import { ScriptedTickSource, testInstrument } from '@openalgo/sandbox/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionCenter, type ActionCenterEvent, type ExecutePendingOrder } from './action-center.js';

const logger = pino({ level: 'silent' });
const SBIN = testInstrument('SBIN', 'NSE');

describe.each(testBackends())('Action Center on %s', (backend) => {
  let database: TestDatabase;
  let sandbox: Sandbox;
  let center: ActionCenter;
  let userId: number;
  let clock = Date.UTC(2026, 10, 24, 4, 30); // 10:00 IST
  const now = () => clock;
  const events: ActionCenterEvent[] = [];
  let executions = 0;

  /** Approved orders go through a real order path: here, the sandbox's placement. */
  const execute: ExecutePendingOrder = async ({ userId: owner, orderData }) => {
    executions += 1;
    try {
      const ack = await sandbox.orders.placeOrder(
        {
          instrument: SBIN,
          action: orderData.action === 'SELL' ? 'SELL' : 'BUY',
          quantity: Number(orderData.quantity),
          product: 'MIS',
          priceType: 'MARKET',
          price: '0',
          triggerPrice: '0',
          disclosedQuantity: 0,
          validity: 'DAY',
          clientOrderId: 'approved',
        },
        { session: sandboxSession(owner, now()), logger, now, resolveBrokerInstrument: () => undefined },
      );
      return {
        statusCode: 200,
        body: { status: 'success', orderid: ack.orderId, mode: 'analyze' },
        mode: 'analyze',
      };
    } catch (error) {
      const message = OpenAlgoError.isInstance(error) ? error.message : String(error);
      return { statusCode: 400, body: { status: 'error', message, mode: 'analyze' }, mode: 'analyze' };
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    const ticks = new ScriptedTickSource(now);
    sandbox = createSandbox({ database, ticks, logger, now, isScheduled: false, quoteRetryDelaysMs: [] });
    await sandbox.start();
    ticks.tick('NSE', 'SBIN', 500);
    userId = (await insertUser(database.db, { username: 'trader', password_hash: 'x' })).id;
    center = new ActionCenter({
      db: database.db,
      now,
      logger,
      execute,
      ttlMs: 10 * 60_000,
      onEvent: (event) => events.push(event),
    });
  }, 120_000);

  afterAll(async () => {
    await sandbox?.stop();
    await database?.close();
  });

  const request = (quantity: number) => ({
    apikey: 'must-not-be-stored',
    strategy: 'tv',
    symbol: 'SBIN',
    exchange: 'NSE',
    action: 'BUY',
    quantity: String(quantity),
    pricetype: 'MARKET',
    product: 'MIS',
  });

  it('queues an order with OpenAlgo’s answer and without the API key', async () => {
    const answer = await center.queue(userId, 'placeorder', request(1));
    expect(answer).toEqual({
      status: 'success',
      message: 'Order queued for approval in Action Center',
      mode: 'semi_auto',
      pending_order_id: expect.any(Number),
    });
    const { orders, statistics } = await center.list(userId);
    const row = orders.find((order) => order.id === answer.pending_order_id);
    expect(row).toMatchObject({
      status: 'pending',
      api_type: 'placeorder',
      symbol: 'SBIN',
      action: 'BUY',
      quantity: '1',
      price_type: 'MARKET',
      product_type: 'MIS',
      created_at_ist: '2026-11-24 10:00:00 IST',
      expires_at_ist: '2026-11-24 10:10:00 IST',
    });
    expect(row?.order_data).not.toHaveProperty('apikey');
    expect(statistics.total_pending).toBeGreaterThanOrEqual(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'pending_order_created' }));
  });

  it('places an order exactly once however many approvals race for it', async () => {
    const { pending_order_id: id } = await center.queue(userId, 'placeorder', request(2));
    const before = executions;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => center.approve(userId, id, `approver-${index}`)),
    );
    expect(results.filter((result) => result.body.status === 'success')).toHaveLength(1);
    expect(results.filter((result) => result.body.message === 'Failed to approve order')).toHaveLength(5);
    expect(executions - before).toBe(1);
    const winner = results.find((result) => result.body.status === 'success');
    const orderid = String(winner?.body.broker_order_id);
    expect(await sandbox.views.orderStatus(userId, orderid)).toMatchObject({
      order_status: 'complete',
      quantity: 2,
    });
    const audit = await listPendingOrderEvents(database.db, id);
    expect(audit.map((event) => event.action)).toEqual(['queued', 'approved', 'executed']);
    const row = (await center.list(userId, 'approved')).orders.find((order) => order.id === id);
    expect(row).toMatchObject({ status: 'approved', execution_status: 'executed', broker_order_id: orderid });
    expect(row?.approved_at_ist).toBe('2026-11-24 10:00:00 IST');
  });

  it('lets a pending order expire rather than execute late', async () => {
    const { pending_order_id: id } = await center.queue(userId, 'placeorder', request(3));
    clock += 10 * 60_000;
    try {
      const result = await center.approve(userId, id, 'owner');
      expect(result).toEqual({
        statusCode: 400,
        body: { status: 'error', message: 'Order has expired and can no longer be approved' },
      });
      const row = (await center.list(userId, 'expired')).orders.find((order) => order.id === id);
      expect(row?.status).toBe('expired');
      expect((await listPendingOrderEvents(database.db, id)).map((event) => event.action)).toEqual([
        'queued',
        'expired',
      ]);
    } finally {
      clock -= 10 * 60_000;
    }
  });

  it('rejects with a reason, records a failed execution as failed, and deletes only finished rows', async () => {
    const rejected = await center.queue(userId, 'placeorder', request(1));
    expect(await center.delete(userId, rejected.pending_order_id, 'owner')).toMatchObject({
      statusCode: 400,
    });
    expect((await center.reject(userId, rejected.pending_order_id, 'owner', '  ')).body.status).toBe(
      'success',
    );
    expect(
      (await center.list(userId, 'rejected')).orders.find((order) => order.id === rejected.pending_order_id),
    ).toMatchObject({ rejected_reason: 'No reason provided', rejected_by: 'owner' });
    expect(await center.approve(userId, rejected.pending_order_id, 'owner')).toMatchObject({
      statusCode: 400,
    });

    const tooBig = await center.queue(userId, 'placeorder', request(10_000_000));
    const result = await center.approve(userId, tooBig.pending_order_id, 'owner');
    expect(result.body).toMatchObject({ status: 'warning', message: 'Order approved but execution failed' });
    expect(String(result.body.error)).toMatch(/^Insufficient funds/);
    expect(
      (await center.list(userId, 'approved')).orders.find((order) => order.id === tooBig.pending_order_id),
    ).toMatchObject({ execution_status: 'failed', broker_status: 'rejected' });
    expect((await center.delete(userId, rejected.pending_order_id, 'owner')).body.status).toBe('success');
  });

  it('approves all, each once, and says so when there is nothing to approve', async () => {
    for (const quantity of [1, 2, 3]) {
      await center.queue(userId, 'placeorder', request(quantity));
    }
    const result = await center.approveAll(userId, 'owner');
    expect(result.body).toMatchObject({ status: 'success', approved_count: 3, executed_count: 3 });
    expect(await center.count(userId)).toBe(0);
    expect((await center.approveAll(userId, 'owner')).body).toEqual({
      status: 'info',
      message: 'No pending orders to approve',
    });
  });

  it('never lets another user approve someone else’s order', async () => {
    const other = (await insertUser(database.db, { username: 'other', password_hash: 'x' })).id;
    const { pending_order_id: id } = await center.queue(userId, 'placeorder', request(1));
    expect((await center.approve(other, id, 'other')).body.message).toBe('Failed to approve order');
    expect((await center.list(userId)).orders.some((order) => order.id === id)).toBe(true);
  });
});
