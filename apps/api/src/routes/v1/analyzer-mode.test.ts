import type { SimulatorBroker } from '@openalgo/brokers-simulator';
import { testBackends } from '@openalgo/db/testing';
import {
  basketOrderResponseSchema,
  cancelAllOrderResponseSchema,
  cancelOrderResponseSchema,
  closePositionResponseSchema,
  fundsResponseSchema,
  gttOrderBookResponseSchema,
  gttOrderResponseSchema,
  holdingsResponseSchema,
  modifyOrderResponseSchema,
  openPositionResponseSchema,
  orderBookResponseSchema,
  orderStatusResponseSchema,
  placeGttOrderResponseSchema,
  placeOrderResponseSchema,
  placeSmartOrderResponseSchema,
  positionBookResponseSchema,
  splitOrderResponseSchema,
  tradeBookResponseSchema,
} from '@openalgo/shared-types';
import { roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxAnalyzerTargets } from '../../services/orders/sandbox-targets.js';
import {
  lastPrice,
  openQuantity,
  orderBook,
  placeOrder,
  placeRestingOrder,
  restingBuyPrice,
} from '../../testing/order-helpers.js';
import { describeRouteContracts, UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp, tradingHoursClock } from '../../testing/test-app.js';

/**
 * The orders and account groups of /api/v1 with analyzer mode on: the same route contracts as
 * live, and the order-path scenarios, served by the sandbox (priced by the embedded simulator)
 * over real HTTP. Every answer carries `"mode":"analyze"`, nothing reaches the live broker,
 * and the sandbox's ledger balances at the end.
 */
describe.each(testBackends())('orders and account routes in analyzer mode on %s', (backend) => {
  let t: TestApp;
  let userId: number;
  let liveOrders: number;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      env: { ...UNLIMITED_RATES, ORDER_CHILD_INTERVAL_MS: '5' },
      now: tradingHoursClock(),
    });
    userId = (await t.app.services.accounts.findAdmin()).id;
    const toggled = await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true });
    expect(toggled.status).toBe(200);
    liveOrders = broker().exchange.listOrders().length;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const broker = () => t.app.services.broker as SimulatorBroker;
  const sandbox = () => (t.app.services.analyzerTargets as SandboxAnalyzerTargets).sandbox;
  const gttBody = () => ({
    strategy: 'test',
    trigger_type: 'SINGLE',
    exchange: 'NSE',
    symbol: 'INFY',
    action: 'BUY',
    product: 'CNC',
    quantity: 1,
    price: 1000,
    triggerprice_sl: 1000,
  });
  const apikeyOnly = (path: string) => ({
    path,
    envelope: 'E2' as const,
    valid: () => ({}),
    missing: 'apikey',
    wrong: { patch: { apikey: 12 }, errors: { apikey: ['Not a valid string.'] } },
  });
  let filledOrderId = '';

  describe('contracts', () => {
    beforeAll(async () => {
      const placed = await placeOrder(t, { symbol: 'INFY', action: 'BUY', quantity: 2 });
      expect(placed.status, placed.text).toBe(200);
      filledOrderId = (placed.json as { orderid: string }).orderid;
    });

    describeRouteContracts(
      () => t,
      [
        {
          path: 'placeorder',
          envelope: 'E1',
          valid: () => ({ strategy: 'test', exchange: 'NSE', symbol: 'SBIN', action: 'buy', quantity: '1' }),
          response: placeOrderResponseSchema,
          expectSuccess: (json) =>
            expect(json).toEqual({ status: 'success', orderid: expect.any(String), mode: 'analyze' }),
          missing: 'symbol',
          wrong: { patch: { action: 'HOLD' }, errors: { action: ['Must be one of: BUY, SELL, buy, sell.'] } },
        },
        {
          path: 'placesmartorder',
          envelope: 'E1',
          valid: () => ({
            strategy: 'test',
            exchange: 'NSE',
            symbol: 'WIPRO',
            action: 'BUY',
            quantity: 1,
            position_size: 0,
          }),
          response: placeSmartOrderResponseSchema,
          missing: 'position_size',
          wrong: {
            patch: { pricetype: 'STOP' },
            errors: { pricetype: ['Must be one of: MARKET, LIMIT, SL, SL-M.'] },
          },
          marksValidationErrors: true,
        },
        {
          path: 'basketorder',
          envelope: 'E1',
          valid: () => ({
            strategy: 'test',
            orders: [{ exchange: 'NSE', symbol: 'ITC', action: 'BUY', quantity: 1 }],
          }),
          response: basketOrderResponseSchema,
          missing: 'orders',
          wrong: {
            patch: {
              orders: [{ exchange: 'NSE', symbol: 'ITC', action: 'BUY', quantity: 1, product: 'DELIVERY' }],
            },
            errors: { orders: { '0': { product: ['Must be one of: MIS, NRML, CNC.'] } } },
          },
          marksValidationErrors: true,
        },
        {
          path: 'splitorder',
          envelope: 'E1',
          valid: () => ({
            strategy: 'test',
            exchange: 'NSE',
            symbol: 'ITC',
            action: 'BUY',
            quantity: 3,
            splitsize: 2,
          }),
          response: splitOrderResponseSchema,
          missing: 'splitsize',
          wrong: { patch: { splitsize: 'two' }, errors: { splitsize: ['Not a valid integer.'] } },
          marksValidationErrors: true,
        },
        {
          path: 'modifyorder',
          envelope: 'E1',
          valid: async () => ({
            strategy: 'test',
            exchange: 'NSE',
            symbol: 'SBIN',
            orderid: await placeRestingOrder(t),
            action: 'BUY',
            product: 'MIS',
            pricetype: 'LIMIT',
            price: await restingBuyPrice(t, 'SBIN'),
            quantity: 2,
            disclosed_quantity: 0,
            trigger_price: 0,
          }),
          response: modifyOrderResponseSchema,
          missing: 'trigger_price',
          wrong: { patch: { orderid: 12345 }, errors: { orderid: ['Not a valid string.'] } },
          marksValidationErrors: true,
        },
        {
          path: 'cancelorder',
          envelope: 'E1',
          valid: async () => ({ strategy: 'test', orderid: await placeRestingOrder(t) }),
          response: cancelOrderResponseSchema,
          missing: 'strategy',
          wrong: { patch: { orderid: 1 }, errors: { orderid: ['Not a valid string.'] } },
          marksValidationErrors: true,
        },
        {
          path: 'cancelallorder',
          envelope: 'E1',
          valid: () => ({ strategy: 'test' }),
          response: cancelAllOrderResponseSchema,
          missing: 'strategy',
          wrong: { patch: { strategy: null }, errors: { strategy: ['Field may not be null.'] } },
          marksValidationErrors: true,
        },
        {
          path: 'closeposition',
          envelope: 'E1',
          valid: () => ({ strategy: 'test' }),
          response: closePositionResponseSchema,
          missing: 'strategy',
          wrong: { patch: { strategy: 7 }, errors: { strategy: ['Not a valid string.'] } },
          marksValidationErrors: true,
        },
        {
          path: 'placegttorder',
          envelope: 'E1',
          valid: gttBody,
          response: placeGttOrderResponseSchema,
          missing: 'trigger_type',
          wrong: {
            patch: { product: 'MIS' },
            errors: {
              product: ['GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only.'],
            },
          },
          isUnknownFieldIgnored: true,
          marksValidationErrors: true,
        },
        {
          path: 'modifygttorder',
          envelope: 'E1',
          valid: async () => {
            const placed = await t.post('/api/v1/placegttorder', { apikey: t.apiKey, ...gttBody() });
            const triggerId = (placed.json as { trigger_id: string }).trigger_id;
            return { ...gttBody(), trigger_id: triggerId, price: 1010, triggerprice_sl: 1010 };
          },
          response: gttOrderResponseSchema,
          missing: 'trigger_id',
          wrong: { patch: { trigger_id: '' }, errors: { trigger_id: ['Shorter than minimum length 1.'] } },
          isUnknownFieldIgnored: true,
          marksValidationErrors: true,
        },
        {
          path: 'cancelgttorder',
          envelope: 'E1',
          valid: async () => {
            const placed = await t.post('/api/v1/placegttorder', { apikey: t.apiKey, ...gttBody() });
            return { strategy: 'test', trigger_id: (placed.json as { trigger_id: string }).trigger_id };
          },
          response: gttOrderResponseSchema,
          missing: 'trigger_id',
          wrong: { patch: { trigger_id: 99 }, errors: { trigger_id: ['Not a valid string.'] } },
          marksValidationErrors: true,
        },
        { ...apikeyOnly('gttorderbook'), response: gttOrderBookResponseSchema },
        {
          ...apikeyOnly('funds'),
          response: fundsResponseSchema,
          expectSuccess: (json) => {
            // The sandbox's funds are numbers (api-v1 §4.2.1 analyzer body).
            const data = (json as { data: Record<string, unknown> }).data;
            for (const field of [
              'availablecash',
              'collateral',
              'm2mrealized',
              'm2munrealized',
              'utiliseddebits',
            ]) {
              expect(typeof data[field], field).toBe('number');
            }
          },
        },
        { ...apikeyOnly('orderbook'), response: orderBookResponseSchema },
        { ...apikeyOnly('tradebook'), response: tradeBookResponseSchema },
        { ...apikeyOnly('positionbook'), response: positionBookResponseSchema },
        { ...apikeyOnly('holdings'), response: holdingsResponseSchema },
        {
          path: 'orderstatus',
          envelope: 'E1',
          valid: () => ({ strategy: 'test', orderid: filledOrderId }),
          response: orderStatusResponseSchema,
          missing: 'orderid',
          wrong: { patch: { orderid: 261201000000001 }, errors: { orderid: ['Not a valid string.'] } },
          marksValidationErrors: true,
        },
        {
          path: 'openposition',
          envelope: 'E1',
          valid: () => ({ strategy: 'test', symbol: 'INFY', exchange: 'NSE', product: 'MIS' }),
          response: openPositionResponseSchema,
          missing: 'product',
          wrong: { patch: { product: 'mis' }, errors: { product: ['Must be one of: MIS, NRML, CNC.'] } },
          marksValidationErrors: true,
        },
      ],
      { mode: 'analyze' },
    );
  });

  describe('scenarios', () => {
    it('place → status → books → funds: one sandbox order everywhere, filled at the simulator’s ask', async () => {
      const ltp = toDecimal(await lastPrice(t, 'RELIANCE'));
      const placed = await placeOrder(t, { symbol: 'RELIANCE', action: 'BUY', quantity: 3 });
      expect(placed.json).toEqual({ status: 'success', orderid: expect.any(String), mode: 'analyze' });
      const { orderid } = placed.json as { orderid: string };
      const status = await t.post('/api/v1/orderstatus', { apikey: t.apiKey, strategy: 'test', orderid });
      const data = (status.json as { data: Record<string, unknown>; mode: string }).data;
      expect((status.json as { mode: string }).mode).toBe('analyze');
      expect(data).toMatchObject({
        orderid,
        symbol: 'RELIANCE',
        action: 'BUY',
        quantity: 3,
        order_status: 'complete',
      });
      const fill = toDecimal(String(data.average_price));
      // Within a tick-scale band of the quote just read (the simulator moves between calls).
      expect(fill.sub(ltp).abs().div(ltp).lt('0.02')).toBe(true);

      const trades = await t.post('/api/v1/tradebook', { apikey: t.apiKey });
      expect((trades.json as { mode: string }).mode).toBe('analyze');
      const trade = (trades.json as { data: Array<Record<string, unknown>> }).data.find(
        (row) => row.orderid === orderid,
      );
      expect(trade).toMatchObject({ quantity: 3, average_price: data.average_price });
      expect(await openQuantity(t, 'RELIANCE')).toBe(3);

      const funds = await t.post('/api/v1/funds', { apikey: t.apiKey });
      const cash = (funds.json as { data: { availablecash: number; utiliseddebits: number } }).data;
      // ₹1 crore starting capital; MIS margin (5× leverage) reserved for the open positions.
      expect(cash.utiliseddebits).toBeGreaterThan(0);
      expect(cash.availablecash).toBeLessThan(10_000_000);
      expect(broker().exchange.listOrders().length).toBe(liveOrders);
    });

    it('refuses what the sandbox rules out, marked, and keeps a CNC short sale as a rejected order', async () => {
      const tooBig = await placeOrder(t, {
        symbol: 'MARUTI',
        action: 'BUY',
        quantity: 100_000,
        product: 'CNC',
      });
      expect(tooBig.status).toBe(400);
      expect(tooBig.json).toMatchObject({ status: 'error', mode: 'analyze' });
      expect((tooBig.json as { message: string }).message).toMatch(/^Insufficient funds/);
      const unknown = await placeOrder(t, { symbol: 'NOSUCH', action: 'BUY', quantity: 1 });
      expect(unknown.status).toBe(400);
      expect((unknown.json as { message: string }).message).toBe('Symbol NOSUCH not found on NSE');
      const shortSale = await placeOrder(t, { symbol: 'TCS', action: 'SELL', quantity: 1, product: 'CNC' });
      expect(shortSale.status).toBe(400);
      expect(shortSale.json).toMatchObject({ status: 'error', mode: 'analyze' });
      const rejected = (await orderBook(t)).find(
        (order) => order.symbol === 'TCS' && order.order_status === 'rejected',
      );
      expect(rejected).toBeDefined();
    });

    it('a resting LIMIT waits, is modified and cancelled; cancel-all empties the book', async () => {
      const orderid = await placeRestingOrder(t, 'SBIN', 2);
      const resting = (await orderBook(t)).find((order) => order.orderid === orderid);
      expect(resting).toMatchObject({ order_status: 'open', pricetype: 'LIMIT', quantity: 2 });
      const price = await restingBuyPrice(t, 'SBIN');
      const modified = await t.post('/api/v1/modifyorder', {
        apikey: t.apiKey,
        strategy: 'test',
        exchange: 'NSE',
        symbol: 'SBIN',
        orderid,
        action: 'BUY',
        product: 'MIS',
        pricetype: 'LIMIT',
        price,
        quantity: 3,
        disclosed_quantity: 0,
        trigger_price: 0,
      });
      expect(modified.json).toMatchObject({ status: 'success', orderid, mode: 'analyze' });
      expect((await orderBook(t)).find((order) => order.orderid === orderid)).toMatchObject({ quantity: 3 });
      const cancelled = await t.post('/api/v1/cancelorder', { apikey: t.apiKey, strategy: 'test', orderid });
      expect(cancelled.json).toMatchObject({ status: 'success', orderid, mode: 'analyze' });
      const again = await t.post('/api/v1/cancelorder', { apikey: t.apiKey, strategy: 'test', orderid });
      expect(again.status).toBe(400);
      expect(again.json).toMatchObject({ status: 'error', mode: 'analyze' });

      const others = [await placeRestingOrder(t, 'ITC'), await placeRestingOrder(t, 'WIPRO')];
      const all = await t.post('/api/v1/cancelallorder', { apikey: t.apiKey, strategy: 'test' });
      expect(all.json).toMatchObject({ status: 'success', mode: 'analyze' });
      expect((all.json as { canceled_orders: string[] }).canceled_orders).toEqual(
        expect.arrayContaining(others),
      );
      expect((await orderBook(t)).filter((order) => order.order_status === 'open')).toEqual([]);
    });

    it('a LIMIT below the market fills from the simulator’s ticks, at its limit', async () => {
      const instrument = t.app.services.symbols.resolve('HINDUNILVR', 'NSE');
      const tick = toDecimal(instrument?.tickSize ?? '0.05');
      // The market holds still (no timer ticks) until the test moves it.
      broker().exchange.stop();
      try {
        const ltp = toDecimal(await lastPrice(t, 'HINDUNILVR'));
        const limit = roundToTick(ltp.sub(tick), tick.toString(), 'down').toString();
        const placed = await placeOrder(t, {
          symbol: 'HINDUNILVR',
          action: 'BUY',
          quantity: 1,
          pricetype: 'LIMIT',
          price: limit,
        });
        const { orderid } = placed.json as { orderid: string };
        const statusOf = () => sandbox().views.orderStatus(userId, orderid);
        expect((await statusOf()).order_status).toBe('open');
        // The market trades through the limit: the order fills at its limit, not at the lower price.
        const below = roundToTick(ltp.mul('0.99'), tick.toString(), 'down').toString();
        broker().control.movePrice('HINDUNILVR', 'NSE', below);
        for (let round = 0; round < 100 && (await statusOf()).order_status === 'open'; round += 1) {
          broker().exchange.advance(50);
          await sandbox().idle();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const status = await t.post('/api/v1/orderstatus', { apikey: t.apiKey, strategy: 'test', orderid });
        expect(status.json).toMatchObject({
          mode: 'analyze',
          data: { order_status: 'complete', average_price: Number(limit) },
        });
      } finally {
        broker().exchange.start(200);
      }
    }, 120_000);

    it('smart orders walk a position to its target; close-position flattens every position', async () => {
      const smart = (action: string, quantity: number, positionSize: number) =>
        t.post('/api/v1/placesmartorder', {
          apikey: t.apiKey,
          strategy: 'test',
          exchange: 'NSE',
          symbol: 'HDFCBANK',
          product: 'MIS',
          action,
          quantity,
          position_size: positionSize,
        });
      expect((await smart('BUY', 5, 0)).json).toMatchObject({ status: 'success', mode: 'analyze' });
      expect(await openQuantity(t, 'HDFCBANK')).toBe(5);
      for (const target of [10, -5, 3]) {
        const response = await smart('SELL', 1, target);
        expect(response.json, response.text).toEqual({
          status: 'success',
          orderid: expect.any(String),
          mode: 'analyze',
        });
        expect(await openQuantity(t, 'HDFCBANK')).toBe(target);
      }
      expect((await smart('SELL', 9, 3)).json).toEqual({
        status: 'success',
        message: 'Positions Already Matched. No Action needed.',
        mode: 'analyze',
      });
      const closed = await t.post('/api/v1/closeposition', { apikey: t.apiKey, strategy: 'test' });
      expect(closed.json).toMatchObject({ status: 'success', mode: 'analyze', failed_closures: 0 });
      const positions = await t.post('/api/v1/positionbook', { apikey: t.apiKey });
      const open = (positions.json as { data: Array<{ quantity: number }> }).data.filter(
        (row) => Number(row.quantity) !== 0,
      );
      expect(open).toEqual([]);
    });

    it('a basket puts BUY legs before SELL legs; a split places its children in order', async () => {
      const basket = await t.post('/api/v1/basketorder', {
        apikey: t.apiKey,
        strategy: 'basket',
        orders: [
          { exchange: 'NSE', symbol: 'TATASTEEL', action: 'SELL', quantity: 2 },
          { exchange: 'NSE', symbol: 'NTPC', action: 'BUY', quantity: 3 },
          { exchange: 'NSE', symbol: 'NOSUCH', action: 'BUY', quantity: 1 },
        ],
      });
      expect(basket.json).toMatchObject({ status: 'success', mode: 'analyze' });
      const results = (basket.json as { results: Array<Record<string, unknown>> }).results;
      expect(results.map((result) => [result.symbol, result.status])).toEqual([
        ['NTPC', 'success'],
        ['NOSUCH', 'error'],
        ['TATASTEEL', 'success'],
      ]);
      expect(await openQuantity(t, 'TATASTEEL')).toBe(-2);
      const split = await t.post('/api/v1/splitorder', {
        apikey: t.apiKey,
        strategy: 'test',
        exchange: 'NSE',
        symbol: 'POWERGRID',
        action: 'BUY',
        quantity: 5,
        splitsize: 2,
      });
      expect(split.json).toMatchObject({
        status: 'success',
        total_quantity: 5,
        split_size: 2,
        mode: 'analyze',
      });
      expect(
        (split.json as { results: Array<{ order_num: number; quantity: number }> }).results.map((row) => [
          row.order_num,
          row.quantity,
        ]),
      ).toEqual([
        [1, 2],
        [2, 2],
        [3, 1],
      ]);
      expect(await openQuantity(t, 'POWERGRID')).toBe(5);
    });

    it('GTTs are placed, listed, modified and cancelled in the sandbox', async () => {
      const placed = await t.post('/api/v1/placegttorder', { apikey: t.apiKey, ...gttBody() });
      expect(placed.json).toMatchObject({
        status: 'success',
        trigger_id: expect.any(String),
        mode: 'analyze',
      });
      const triggerId = (placed.json as { trigger_id: string }).trigger_id;
      const book = await t.post('/api/v1/gttorderbook', { apikey: t.apiKey });
      expect(book.json).toMatchObject({ status: 'success', mode: 'analyze' });
      expect(JSON.stringify(book.json)).toContain(triggerId);
      const modified = await t.post('/api/v1/modifygttorder', {
        apikey: t.apiKey,
        ...gttBody(),
        trigger_id: triggerId,
        price: 990,
        triggerprice_sl: 990,
      });
      expect(modified.json).toMatchObject({ status: 'success', trigger_id: triggerId, mode: 'analyze' });
      const cancelled = await t.post('/api/v1/cancelgttorder', {
        apikey: t.apiKey,
        strategy: 'test',
        trigger_id: triggerId,
      });
      expect(cancelled.json).toMatchObject({ status: 'success', trigger_id: triggerId, mode: 'analyze' });
    });

    it('nothing reached the live broker, and the sandbox ledger balances', async () => {
      await sandbox().idle();
      expect(broker().exchange.listOrders().length).toBe(liveOrders);
      const reconciliation = await sandbox().reconcile(userId);
      expect(reconciliation.problems).toEqual([]);
      expect(reconciliation.isBalanced).toBe(true);
    });
  });
});
