import type { SimulatorBroker } from '@openalgo/brokers-simulator';
import { getSetting, listAnalyzerLogs } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { analyzerStatusResponseSchema, analyzerToggleResponseSchema } from '@openalgo/shared-types';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyzerModeService } from '../../services/analyzer-mode.js';
import type { SandboxAnalyzerTargets } from '../../services/orders/sandbox-targets.js';
import { orderBook, placeOrder } from '../../testing/order-helpers.js';
import { describeRouteContracts, UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp, tradingHoursClock } from '../../testing/test-app.js';

/**
 * The analyzer switch (api-v1 §4.6, §5): persisted, global, applied per request at arrival,
 * and the mode switch routing orders, books and funds to the analyzer's own broker.
 */
describe.each(testBackends())('analyzer routes and the mode switch on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { env: UNLIMITED_RATES, now: tradingHoursClock() });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const toggle = (mode: unknown) => t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode });
  const live = () => t.app.services.broker as SimulatorBroker;
  const sandbox = () => (t.app.services.analyzerTargets as SandboxAnalyzerTargets).sandbox;

  describe('contracts', () => {
    describeRouteContracts(
      () => t,
      [
        {
          path: 'analyzer',
          envelope: 'E1',
          valid: () => ({}),
          response: analyzerStatusResponseSchema,
          missing: 'apikey',
          wrong: { patch: { apikey: 5 }, errors: { apikey: ['Not a valid string.'] } },
        },
        {
          path: 'analyzer/toggle',
          envelope: 'E1',
          valid: () => ({ mode: 'false' }),
          response: analyzerToggleResponseSchema,
          missing: 'mode',
          wrong: { patch: { mode: 'maybe' }, errors: { mode: ['Not a valid boolean.'] } },
        },
      ],
    );
  });

  it('starts live; the toggle is persisted and answers the spec shape', async () => {
    const status = await t.post('/api/v1/analyzer', { apikey: t.apiKey });
    expect(status.json).toEqual({
      status: 'success',
      data: { mode: 'live', analyze_mode: false, total_logs: 0 },
    });
    const on = await toggle(true);
    expect(on.json).toEqual({
      status: 'success',
      data: {
        mode: 'analyze',
        analyze_mode: true,
        total_logs: 0,
        message: 'Analyzer mode switched to analyze',
      },
    });
    expect(await getSetting(t.database.db, 'analyze_mode')).toBe(true);
    expect((await t.post('/api/v1/analyzer', { apikey: t.apiKey })).json).toMatchObject({
      data: { mode: 'analyze', analyze_mode: true },
    });
  });

  it('in analyzer mode orders, books and funds go to the analyzer, marked, never to the broker', async () => {
    const liveOrders = live().exchange.listOrders().length;
    const placed = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 4 });
    expect(placed.status, placed.text).toBe(200);
    expect(placed.json).toEqual({ status: 'success', orderid: expect.any(String), mode: 'analyze' });
    expect(live().exchange.listOrders().length).toBe(liveOrders);
    const orderid = (placed.json as { orderid: string }).orderid;
    const stored = (
      await sandbox().views.orderBook((await t.app.services.accounts.findAdmin()).id)
    ).orders.map((order) => order.orderid);
    expect(stored).toContain(orderid);

    const book = await t.post('/api/v1/orderbook', { apikey: t.apiKey });
    expect(book.json).toMatchObject({ status: 'success', mode: 'analyze' });
    const [row] = (book.json as { data: { orders: Array<Record<string, unknown>> } }).data.orders;
    expect(row).toMatchObject({
      symbol: 'SBIN',
      quantity: 4,
      order_status: 'complete',
      filled_quantity: 4,
      pending_quantity: 0,
      rejection_reason: '',
    });
    expect(row?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((book.json as { data: { statistics: Record<string, number> } }).data.statistics).toMatchObject({
      total_trigger_pending_orders: 0,
    });

    const funds = await t.post('/api/v1/funds', { apikey: t.apiKey });
    const data = (funds.json as { data: Record<string, unknown>; mode: string }).data;
    expect((funds.json as { mode: string }).mode).toBe('analyze');
    expect(typeof data.availablecash).toBe('number');
    expect(data.availablecash as number).toBeGreaterThan(9_900_000);

    const positions = await t.post('/api/v1/positionbook', { apikey: t.apiKey });
    expect(positions.json).toMatchObject({
      status: 'success',
      mode: 'analyze',
      total_pnl: expect.any(Number),
    });
    expect((positions.json as { data: Array<Record<string, unknown>> }).data[0]).toMatchObject({
      symbol: 'SBIN',
      quantity: 4,
      lot_size: 1,
    });

    const status = await t.post('/api/v1/orderstatus', {
      apikey: t.apiKey,
      strategy: 'test',
      orderid: (placed.json as { orderid: string }).orderid,
    });
    expect(status.json).toMatchObject({
      mode: 'analyze',
      data: { price_type: 'MARKET', pricetype: 'MARKET' },
    });
    const missing = await t.post('/api/v1/orderstatus', { apikey: t.apiKey, strategy: 'test', orderid: '1' });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ status: 'error', message: 'Order 1 not found', mode: 'analyze' });

    const close = await t.post('/api/v1/closeposition', { apikey: t.apiKey, strategy: 'test' });
    expect(close.json).toEqual({
      status: 'success',
      message: 'Closed 1 positions',
      closed_positions: 1,
      failed_closures: 0,
      mode: 'analyze',
    });
    const nothing = await t.post('/api/v1/cancelallorder', { apikey: t.apiKey, strategy: 'test' });
    expect(nothing.json).toEqual({
      status: 'success',
      message: 'No open orders to cancel',
      canceled_orders: [],
      failed_cancellations: [],
      mode: 'analyze',
    });
    const smart = await t.post('/api/v1/placesmartorder', {
      apikey: t.apiKey,
      strategy: 'test',
      exchange: 'NSE',
      symbol: 'SBIN',
      action: 'SELL',
      quantity: 0,
      position_size: 0,
    });
    expect(smart.json).toEqual({
      status: 'success',
      message: 'No OpenPosition Found. Not placing Exit order.',
      mode: 'analyze',
    });
    // Every request served in analyzer mode is in the analyzer log, with its answer, without the key.
    expect((await t.post('/api/v1/analyzer', { apikey: t.apiKey })).json).toMatchObject({
      data: { total_logs: 9 },
    });
    const logged = await listAnalyzerLogs(t.database.db);
    expect(logged.map((row) => row.api_type).reverse()).toEqual([
      'placeorder',
      'orderbook',
      'funds',
      'positionbook',
      'orderstatus',
      'orderstatus',
      'closeposition',
      'cancelallorder',
      'placesmartorder',
    ]);
    const placement = logged.at(-1);
    expect(placement?.request).toMatchObject({ symbol: 'SBIN', action: 'BUY', quantity: 4 });
    expect(placement?.request).not.toHaveProperty('apikey');
    expect(placement?.response).toEqual(placed.json);
    expect(logged.find((row) => row.status === 'error')?.response).toEqual(missing.json);
  });

  it('validation errors carry the mode where the contract says, placeorder never', async () => {
    const place = await placeOrder(t, { symbol: 'SBIN', action: 'HOLD', quantity: 1 });
    expect(place.json).toEqual({
      status: 'error',
      message: "{'action': ['Must be one of: BUY, SELL, buy, sell.']}",
    });
    const cancel = await t.post('/api/v1/cancelorder', { apikey: t.apiKey, strategy: 'test' });
    expect(cancel.json).toEqual({
      status: 'error',
      message: "{'orderid': ['Missing data for required field.']}",
      mode: 'analyze',
    });
    const funds = await t.post('/api/v1/funds', { apikey: t.apiKey, extra: 1 });
    expect(funds.json).toEqual({ status: 'error', message: { extra: ['Unknown field.'] } });
    // The switch's own routes never carry a top-level mode.
    const toggleError = await toggle('maybe');
    expect(toggleError.json).toEqual({ status: 'error', message: "{'mode': ['Not a valid boolean.']}" });
  });

  it('a second instance on the same database starts in the stored mode; off goes live again', async () => {
    const second = new AnalyzerModeService({
      db: t.database.db,
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    await second.start(t.database);
    try {
      expect(second.isOn).toBe(true);
    } finally {
      await second.close();
    }
    const off = await toggle('false');
    expect(off.json).toMatchObject({
      data: { mode: 'live', analyze_mode: false, message: 'Analyzer mode switched to live' },
    });
    const placed = await placeOrder(t, { symbol: 'ITC', action: 'BUY', quantity: 1 });
    expect(placed.json).toEqual({ status: 'success', orderid: expect.any(String) });
    const book = await orderBook(t);
    expect(book.map((order) => order.symbol)).toEqual(['ITC']);
  });
});
