import type { SimulatorBroker } from '@openalgo/brokers-simulator';
import { listLatencyLogs } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import {
  basketOrderResponseSchema,
  cancelAllOrderResponseSchema,
  cancelOrderResponseSchema,
  closePositionResponseSchema,
  gttOrderBookResponseSchema,
  gttOrderResponseSchema,
  modifyOrderResponseSchema,
  placeGttOrderResponseSchema,
  placeOrderResponseSchema,
  placeSmartOrderResponseSchema,
  splitOrderResponseSchema,
} from '@openalgo/shared-types';
import { roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../services/events.js';
import {
  lastPrice,
  openQuantity,
  orderBook,
  placeOrder,
  placeRestingOrder,
  restingBuyPrice,
} from '../../testing/order-helpers.js';
import { describeRouteContracts, UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

/**
 * The orders group of /api/v1 (api-v1 §4.1) over real HTTP against the simulator broker:
 * every route's contract, then the scenarios that prove the order path.
 */
describe.each(testBackends())('orders routes on %s', (backend) => {
  let t: TestApp;
  const events: Array<{ name: string; event: OrderEvent }> = [];

  beforeAll(async () => {
    t = await startTestApp(backend, {
      env: {
        ...UNLIMITED_RATES,
        ORDER_CHILD_INTERVAL_MS: '5',
        BASKET_BATCH_SIZE: '2',
        BASKET_BATCH_INTERVAL_MS: '5',
      },
    });
    for (const name of ['order.placed', 'order.rejected', 'order.cancelled', 'order.updated'] as const) {
      t.app.services.events.on(name, (event) => events.push({ name, event }));
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const broker = () => t.app.services.broker as SimulatorBroker;
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

  describe('contracts', () => {
    describeRouteContracts(
      () => t,
      [
        {
          path: 'placeorder',
          envelope: 'E1',
          valid: () => ({ strategy: 'test', exchange: 'NSE', symbol: 'SBIN', action: 'buy', quantity: '1' }),
          response: placeOrderResponseSchema,
          expectSuccess: (json) => expect(json).toEqual({ status: 'success', orderid: expect.any(String) }),
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
          wrong: {
            patch: { exchange: 'nse' },
            errors: {
              exchange: [
                'Must be one of: NSE, BSE, NFO, BFO, CDS, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.',
              ],
            },
          },
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
        },
        {
          path: 'cancelorder',
          envelope: 'E1',
          valid: async () => ({ strategy: 'test', orderid: await placeRestingOrder(t) }),
          response: cancelOrderResponseSchema,
          missing: 'strategy',
          wrong: { patch: { orderid: 1 }, errors: { orderid: ['Not a valid string.'] } },
        },
        {
          path: 'cancelallorder',
          envelope: 'E1',
          valid: () => ({ strategy: 'test' }),
          response: cancelAllOrderResponseSchema,
          missing: 'strategy',
          wrong: { patch: { strategy: null }, errors: { strategy: ['Field may not be null.'] } },
        },
        {
          path: 'closeposition',
          envelope: 'E1',
          valid: () => ({ strategy: 'test' }),
          response: closePositionResponseSchema,
          missing: 'strategy',
          wrong: { patch: { strategy: 7 }, errors: { strategy: ['Not a valid string.'] } },
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
        },
        {
          path: 'gttorderbook',
          envelope: 'E2',
          valid: () => ({}),
          response: gttOrderBookResponseSchema,
          missing: 'apikey',
          wrong: { patch: { apikey: '' }, errors: { apikey: ['Length must be between 1 and 256.'] } },
        },
      ],
    );
  });

  describe('scenarios', () => {
    it('place → status → books: the same order everywhere, recorded and timed', async () => {
      const placed = await placeOrder(t, { symbol: 'RELIANCE', action: 'BUY', quantity: 3 });
      expect(placed.status, placed.text).toBe(200);
      const { orderid } = placed.json as { orderid: string };

      const status = await t.post('/api/v1/orderstatus', { apikey: t.apiKey, strategy: 'test', orderid });
      expect(status.status).toBe(200);
      const data = (status.json as { data: Record<string, unknown> }).data;
      expect(data).toMatchObject({
        orderid,
        symbol: 'RELIANCE',
        exchange: 'NSE',
        action: 'BUY',
        quantity: 3,
        pricetype: 'MARKET',
        product: 'MIS',
        order_status: 'complete',
        price: 0,
      });
      expect(data.average_price as number).toBeGreaterThan(0);

      const book = await t.post('/api/v1/orderbook', { apikey: t.apiKey });
      const { orders, statistics } = (
        book.json as { data: { orders: Array<{ orderid: string }>; statistics: Record<string, number> } }
      ).data;
      expect(orders.find((order) => order.orderid === orderid)).toMatchObject({ order_status: 'complete' });
      expect((statistics.total_buy_orders ?? 0) + (statistics.total_sell_orders ?? 0)).toBe(orders.length);

      const trades = await t.post('/api/v1/tradebook', { apikey: t.apiKey });
      const trade = (
        trades.json as {
          data: Array<{ orderid: string; quantity: number; average_price: number; trade_value: number }>;
        }
      ).data.find((row) => row.orderid === orderid);
      expect(trade).toMatchObject({ quantity: 3, average_price: data.average_price });
      expect(trade?.trade_value).toBeCloseTo(3 * (data.average_price as number), 2);
      expect(await openQuantity(t, 'RELIANCE')).toBe(3);

      // The order log has the placement, completed with the broker's id; latency was logged.
      await t.app.services.orderJournal.flush();
      await t.app.services.latencyLog.flush();
      const row = await t.database.db
        .selectFrom('order_log')
        .selectAll()
        .where('broker_order_id', '=', orderid)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        operation: 'placeorder',
        status: 'accepted',
        mode: 'live',
        symbol: 'RELIANCE',
      });
      expect(row.request).not.toHaveProperty('apikey');
      const latency = await listLatencyLogs(t.database.db, { operation: 'placeorder' });
      const timing = latency.find((entry) => entry.order_id === orderid);
      expect(timing).toMatchObject({ broker: 'simulator', mode: 'live', status: 'accepted' });
      expect(timing?.platform_ms).toBeGreaterThanOrEqual(0);
      expect(timing?.total_ms).toBeGreaterThanOrEqual(timing?.broker_ms ?? Number.NaN);
      expect(events.find((entry) => entry.event.orderid === orderid)).toMatchObject({
        name: 'order.placed',
        event: { symbol: 'RELIANCE', action: 'BUY', quantity: 3, mode: 'live' },
      });
    });

    it('refuses orders the symbol master rules out, before anything is sent', async () => {
      const sent = broker().exchange.listOrders().length;
      const unknown = await placeOrder(t, { symbol: 'NOSUCH', action: 'BUY', quantity: 1 });
      expect(unknown.status).toBe(400);
      expect(unknown.json).toEqual({ status: 'error', message: 'Symbol NOSUCH not found on NSE' });
      const nrml = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1, product: 'NRML' });
      expect(nrml.json).toEqual({
        status: 'error',
        message: 'NRML product not allowed for NSE equity. Use CNC for delivery or MIS for intraday.',
      });
      const offTick = await placeOrder(t, {
        symbol: 'SBIN',
        action: 'BUY',
        quantity: 1,
        pricetype: 'LIMIT',
        price: '700.03',
      });
      expect(offTick.json).toEqual({
        status: 'error',
        message: 'Price 700.03 is not a multiple of the tick size 0.05',
      });
      const future = t.app.services.symbols
        .derivativesOf('NIFTY', 'NFO')
        .find((row) => row.instrumenttype === 'FUT');
      expect(future).toBeDefined();
      const lots = await placeOrder(t, {
        symbol: future?.symbol,
        exchange: 'NFO',
        action: 'BUY',
        quantity: (future?.lotsize ?? 1) + 1,
        product: 'NRML',
      });
      expect(lots.status).toBe(400);
      expect(lots.json).toEqual({
        status: 'error',
        message: `Quantity must be in multiples of lot size ${future?.lotsize}`,
      });
      const index = await placeOrder(t, {
        symbol: 'NIFTY',
        exchange: 'NSE_INDEX',
        action: 'BUY',
        quantity: 1,
      });
      expect(index.json).toEqual({ status: 'error', message: 'NIFTY is an index and cannot be traded' });
      expect(broker().exchange.listOrders().length).toBe(sent);
    });

    it("passes the broker's refusal through as an error, and records it", async () => {
      const refused = await placeOrder(t, {
        symbol: 'MARUTI',
        action: 'BUY',
        quantity: 100_000,
        product: 'CNC',
      });
      expect(refused.status).toBe(400);
      expect((refused.json as { message: string }).message).toMatch(/^Insufficient funds/);
      await t.app.services.orderJournal.flush();
      const row = await t.database.db
        .selectFrom('order_log')
        .selectAll()
        .where('symbol', '=', 'MARUTI')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'rejected', broker_order_id: null });
      expect(row.error).toMatch(/^Insufficient funds/);
      expect(events.some((entry) => entry.name === 'order.rejected' && entry.event.symbol === 'MARUTI')).toBe(
        true,
      );
    });

    it('smart orders walk a position to its target and stop when it matches', async () => {
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
      const ordersOf = async () => (await orderBook(t)).filter((order) => order.symbol === 'HDFCBANK');
      // Flat, target 0, quantity > 0: a fresh entry with the request's action and quantity.
      expect((await smart('BUY', 5, 0)).status).toBe(200);
      expect(await openQuantity(t, 'HDFCBANK')).toBe(5);
      // BUY 5 with target 0 and a long of 5: an exit, SELL 5.
      expect((await smart('BUY', 5, 0)).status).toBe(200);
      expect(await openQuantity(t, 'HDFCBANK')).toBe(0);
      for (const [target, expectedAction, expectedQuantity] of [
        [10, 'BUY', 10],
        [25, 'BUY', 15],
        [-5, 'SELL', 30],
        [0, 'BUY', 5],
      ] as const) {
        const before = (await ordersOf()).length;
        const response = await smart('SELL', 1, target);
        expect(response.status, response.text).toBe(200);
        expect(response.json).toEqual({ status: 'success', orderid: expect.any(String) });
        const after = await ordersOf();
        const latest = after.at(-1);
        expect(after.length).toBe(before + 1);
        expect(latest).toMatchObject({ action: expectedAction, quantity: expectedQuantity });
        expect(await openQuantity(t, 'HDFCBANK')).toBe(target);
      }
      const noAction = { status: 'success', message: 'Positions Already Matched. No Action needed.' };
      // Flat with a zero quantity: nothing to do.
      expect((await smart('BUY', 0, 0)).json).toEqual(noAction);
      expect((await smart('SELL', 9, 3)).json).toEqual({ status: 'success', orderid: expect.any(String) });
      // Already at the target: nothing, whatever the request's action and quantity.
      expect((await smart('SELL', 9, 3)).json).toEqual(noAction);
      expect(await openQuantity(t, 'HDFCBANK')).toBe(3);
      // Positions in other products are not the smart order's business.
      expect(await openQuantity(t, 'HDFCBANK', 'CNC')).toBe(0);
    });

    it('serializes a burst of identical smart orders: the position moves once', async () => {
      const body = {
        apikey: t.apiKey,
        strategy: 'test',
        exchange: 'NSE',
        symbol: 'AXISBANK',
        action: 'BUY',
        quantity: 1,
        position_size: 7,
      };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => t.post('/api/v1/placesmartorder', body)),
      );
      expect(answers.filter((answer) => 'orderid' in (answer.json as object))).toHaveLength(1);
      expect(await openQuantity(t, 'AXISBANK')).toBe(7);
    });

    it('a basket answers one result per leg, BUY legs first, failures per leg', async () => {
      const response = await t.post('/api/v1/basketorder', {
        apikey: t.apiKey,
        strategy: 'basket',
        orders: [
          { exchange: 'NSE', symbol: 'TATASTEEL', action: 'SELL', quantity: 2 },
          { exchange: 'NSE', symbol: 'NTPC', action: 'buy', quantity: 3 },
          { exchange: 'NSE', symbol: 'NOSUCH', action: 'BUY', quantity: 1 },
          { exchange: 'NSE', symbol: 'ONGC', action: 'BUY', quantity: 4, product: 'CNC' },
          { exchange: 'NSE', symbol: 'ZOMATO', action: 'BUY', quantity: 1 },
        ],
      });
      expect(response.status, response.text).toBe(200);
      const { results } = response.json as { results: Array<Record<string, unknown>> };
      expect(results).toHaveLength(5);
      expect(results).toEqual(
        expect.arrayContaining([
          { symbol: 'NTPC', exchange: 'NSE', product: 'MIS', status: 'success', orderid: expect.any(String) },
          { symbol: 'ONGC', exchange: 'NSE', product: 'CNC', status: 'success', orderid: expect.any(String) },
          {
            symbol: 'TATASTEEL',
            exchange: 'NSE',
            product: 'MIS',
            status: 'success',
            orderid: expect.any(String),
          },
          {
            symbol: 'ZOMATO',
            exchange: 'NSE',
            product: 'MIS',
            status: 'success',
            orderid: expect.any(String),
          },
          { symbol: 'NOSUCH', status: 'error', message: 'Symbol NOSUCH not found on NSE' },
        ]),
      );
      // In the order the broker received them: the SELL leg after every BUY leg.
      const received = broker()
        .exchange.listOrders()
        .map((order) => order.instrument.symbol);
      const sentAt = (symbol: string) => received.lastIndexOf(symbol);
      for (const buy of ['NTPC', 'ONGC', 'ZOMATO']) {
        expect(sentAt('TATASTEEL')).toBeGreaterThan(sentAt(buy));
      }
      expect(await openQuantity(t, 'TATASTEEL')).toBe(-2);
      const empty = await t.post('/api/v1/basketorder', { apikey: t.apiKey, strategy: 'basket', orders: [] });
      expect(empty.json).toEqual({ status: 'success', results: [] });
    });

    it('a split order places floor(q/size) children plus the remainder, in order', async () => {
      const before = await openQuantity(t, 'POWERGRID');
      const response = await t.post('/api/v1/splitorder', {
        apikey: t.apiKey,
        strategy: 'split',
        exchange: 'NSE',
        symbol: 'POWERGRID',
        action: 'BUY',
        quantity: 105,
        splitsize: 20,
      });
      expect(response.status, response.text).toBe(200);
      const json = response.json as {
        total_quantity: number;
        split_size: number;
        results: Array<Record<string, unknown>>;
      };
      expect(json.total_quantity).toBe(105);
      expect(json.split_size).toBe(20);
      expect(json.results.map((result) => [result.order_num, result.quantity, result.status])).toEqual([
        [1, 20, 'success'],
        [2, 20, 'success'],
        [3, 20, 'success'],
        [4, 20, 'success'],
        [5, 20, 'success'],
        [6, 5, 'success'],
      ]);
      expect(await openQuantity(t, 'POWERGRID')).toBe(before + 105);
      const whole = await t.post('/api/v1/splitorder', {
        apikey: t.apiKey,
        strategy: 'split',
        exchange: 'NSE',
        symbol: 'POWERGRID',
        action: 'SELL',
        quantity: 5,
        splitsize: 50,
      });
      expect((whole.json as { results: unknown[] }).results).toEqual([
        { order_num: 1, quantity: 5, status: 'success', orderid: expect.any(String) },
      ]);
      const tooMany = await t.post('/api/v1/splitorder', {
        apikey: t.apiKey,
        strategy: 'split',
        exchange: 'NSE',
        symbol: 'POWERGRID',
        action: 'BUY',
        quantity: 1001,
        splitsize: 10,
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.json).toEqual({
        status: 'error',
        message: 'Total number of orders would exceed maximum limit of 100',
      });
    });

    it('modify and cancel change the order in the book; cancelling twice is refused', async () => {
      const orderid = await placeRestingOrder(t, 'BEL', 2);
      const newPrice = await restingBuyPrice(t, 'BEL');
      const modified = await t.post('/api/v1/modifyorder', {
        apikey: t.apiKey,
        strategy: 'test',
        exchange: 'NSE',
        symbol: 'BEL',
        orderid,
        action: 'BUY',
        product: 'MIS',
        pricetype: 'LIMIT',
        price: newPrice,
        quantity: 4,
        disclosed_quantity: 0,
        trigger_price: 0,
      });
      expect(modified.json).toEqual({ status: 'success', orderid });
      expect((await orderBook(t)).find((order) => order.orderid === orderid)).toMatchObject({
        quantity: 4,
        price: Number(newPrice),
        order_status: 'open',
      });
      const cancelled = await t.post('/api/v1/cancelorder', { apikey: t.apiKey, strategy: 'test', orderid });
      expect(cancelled.json).toEqual({ status: 'success', orderid });
      expect((await orderBook(t)).find((order) => order.orderid === orderid)?.order_status).toBe('cancelled');
      const again = await t.post('/api/v1/cancelorder', { apikey: t.apiKey, strategy: 'test', orderid });
      expect(again.status).toBe(400);
      expect((again.json as { message: string }).message).toMatch(/cannot be cancelled/);
      const missing = await t.post('/api/v1/cancelorder', {
        apikey: t.apiKey,
        strategy: 'test',
        orderid: '999',
      });
      expect(missing.status).toBe(404);
      expect(
        events.some((entry) => entry.name === 'order.cancelled' && entry.event.orderid === orderid),
      ).toBe(true);
    });

    it('cancel-all leaves no open order; close-position leaves every position flat', async () => {
      await placeRestingOrder(t, 'COALINDIA');
      await placeRestingOrder(t, 'BPCL');
      await placeOrder(t, { symbol: 'WIPRO', action: 'SELL', quantity: 3 });
      const cancelAll = await t.post('/api/v1/cancelallorder', { apikey: t.apiKey, strategy: 'test' });
      expect(cancelAll.status).toBe(200);
      const json = cancelAll.json as {
        message: string;
        canceled_orders: string[];
        failed_cancellations: unknown[];
      };
      expect(json.canceled_orders.length).toBeGreaterThanOrEqual(2);
      expect(json.failed_cancellations).toEqual([]);
      expect(json.message).toBe(`Canceled ${json.canceled_orders.length} orders. Failed to cancel 0 orders.`);
      const book = await orderBook(t);
      expect(
        book.filter((order) => order.order_status === 'open' || order.order_status === 'trigger pending'),
      ).toEqual([]);
      for (const orderid of json.canceled_orders) {
        expect(book.find((order) => order.orderid === orderid)?.order_status).toBe('cancelled');
      }

      const close = await t.post('/api/v1/closeposition', { apikey: t.apiKey, strategy: 'test' });
      expect(close.json).toEqual({ status: 'success', message: 'All Open Positions Squared Off' });
      const positions = await t.post('/api/v1/positionbook', { apikey: t.apiKey });
      const rows = (positions.json as { data: Array<{ symbol: string; quantity: number }> }).data;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.quantity !== 0)).toEqual([]);
    });

    it('GTT: place, list, modify, cancel (single and OCO)', async () => {
      const ltp = await lastPrice(t, 'ITC');
      const tick = (factor: string) => roundToTick(toDecimal(ltp).mul(factor), '0.05', 'nearest').toString();
      const placed = await t.post('/api/v1/placegttorder', {
        apikey: t.apiKey,
        strategy: 'gtt',
        trigger_type: 'oco',
        exchange: 'NSE',
        symbol: 'ITC',
        action: 'SELL',
        product: 'CNC',
        quantity: 10,
        price: 0,
        triggerprice_sl: tick('0.9'),
        stoploss: tick('0.89'),
        triggerprice_tg: tick('1.1'),
        target: tick('1.11'),
      });
      expect(placed.status, placed.text).toBe(200);
      const triggerId = (placed.json as { trigger_id: string }).trigger_id;
      const book = await t.post('/api/v1/gttorderbook', { apikey: t.apiKey });
      const row = (book.json as { data: Array<Record<string, unknown>> }).data.find(
        (gtt) => gtt.trigger_id === triggerId,
      );
      expect(row).toMatchObject({
        trigger_type: 'two-leg',
        status: 'active',
        symbol: 'ITC',
        exchange: 'NSE',
        trigger_prices: [Number(tick('0.9')), Number(tick('1.1'))],
        legs: [
          { action: 'SELL', quantity: 10, price: Number(tick('0.89')), pricetype: 'LIMIT', product: 'CNC' },
          { action: 'SELL', quantity: 10, price: Number(tick('1.11')), pricetype: 'LIMIT', product: 'CNC' },
        ],
      });
      const cancelled = await t.post('/api/v1/cancelgttorder', {
        apikey: t.apiKey,
        strategy: 'gtt',
        trigger_id: triggerId,
      });
      expect(cancelled.json).toEqual({ status: 'success', trigger_id: triggerId });
      const after = await t.post('/api/v1/gttorderbook', { apikey: t.apiKey });
      expect(
        (after.json as { data: Array<{ trigger_id: string }> }).data.map((gtt) => gtt.trigger_id),
      ).not.toContain(triggerId);
    });

    it('an Idempotency-Key retry answers the first result; the broker sees one order', async () => {
      const sent = () =>
        broker()
          .exchange.listOrders()
          .filter((order) => order.instrument.symbol === 'TITAN').length;
      const before = sent();
      const body = { symbol: 'TITAN', action: 'BUY', quantity: 1 };
      const first = await placeOrder(t, body, { 'idempotency-key': 'retry-1' });
      expect(first.status).toBe(200);
      const retry = await placeOrder(t, body, { 'idempotency-key': 'retry-1' });
      expect(retry.json).toEqual(first.json);
      // Concurrent duplicates of a new key: still one order.
      const burst = await Promise.all(
        Array.from({ length: 6 }, () => placeOrder(t, body, { 'idempotency-key': 'burst-1' })),
      );
      const ids = new Set(burst.map((response) => (response.json as { orderid: string }).orderid));
      expect(ids.size).toBe(1);
      expect(sent()).toBe(before + 2);
      // The same key with another body is refused, not placed.
      const other = await placeOrder(t, { ...body, quantity: 2 }, { 'idempotency-key': 'retry-1' });
      expect(other.status).toBe(422);
      expect(sent()).toBe(before + 2);
      // After the in-process cache is gone (a restart), the stored result still answers.
      await t.app.services.orderJournal.flush();
      const row = await t.database.db
        .selectFrom('order_log')
        .selectAll()
        .where('idempotency_key', '=', 'retry-1')
        .executeTakeFirstOrThrow();
      const call = {
        auth: {
          apiKeyId: row.api_key_id ?? 0,
          userId: row.user_id ?? 0,
          orderMode: 'auto' as const,
          session: null,
        },
        mode: 'live' as const,
        requestId: null,
        receivedAt: 0,
      };
      const { orderid } = first.json as { orderid: string };
      expect(
        t.app.services.orders.replay(row, JSON.stringify({ ...body, operation: 'placeorder' }), call.mode),
      ).toMatchObject({ statusCode: 422 });
      const replayed = t.app.services.orders.replay(
        row,
        '{"action":"BUY","disclosed_quantity":0,"exchange":"NSE","operation":"placeorder","price":"0","pricetype":"MARKET","product":"MIS","quantity":1,"strategy":"test","symbol":"TITAN","trigger_price":"0"}',
        'live',
      );
      expect(replayed).toEqual({
        ok: true,
        statusCode: 200,
        orderId: orderid,
        body: { status: 'success', orderid },
      });
      const badKey = await placeOrder(t, body, { 'idempotency-key': 'x'.repeat(300) });
      expect(badKey.status).toBe(400);
    });

    it('an idempotent smart order is not re-decided on retry', async () => {
      const body = {
        apikey: t.apiKey,
        strategy: 'test',
        exchange: 'NSE',
        symbol: 'TECHM',
        action: 'BUY',
        quantity: 1,
        position_size: 4,
      };
      const first = await t.post('/api/v1/placesmartorder', body, { 'idempotency-key': 'smart-1' });
      const retry = await t.post('/api/v1/placesmartorder', body, { 'idempotency-key': 'smart-1' });
      expect(first.json).toEqual({ status: 'success', orderid: expect.any(String) });
      expect(retry.json).toEqual(first.json);
      expect(await openQuantity(t, 'TECHM')).toBe(4);
    });

    it('semi-auto keys may not modify or cancel; placements wait in the Action Center', async () => {
      const admin = await t.app.services.accounts.findAdmin();
      const key = await t.database.db
        .selectFrom('api_keys')
        .select('id')
        .where('user_id', '=', admin.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      await t.database.db
        .updateTable('api_keys')
        .set({ order_mode: 'semi_auto' })
        .where('id', '=', key.id)
        .execute();
      t.app.services.apiKeys.invalidate();
      try {
        const cancel = await t.post('/api/v1/cancelorder', {
          apikey: t.apiKey,
          strategy: 'test',
          orderid: '1',
        });
        expect(cancel.status).toBe(403);
        expect(cancel.json).toEqual({
          status: 'error',
          message:
            'Cancel order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.',
        });
        const close = await t.post('/api/v1/closeposition', { apikey: t.apiKey, strategy: 'test' });
        expect(close.status).toBe(403);
        const sent = broker().exchange.listOrders().length;
        const queued = await placeOrder(t, { symbol: 'SBIN', action: 'BUY', quantity: 1 });
        expect(queued.status).toBe(200);
        expect(queued.json).toEqual({
          status: 'success',
          message: 'Order queued for approval in Action Center',
          mode: 'semi_auto',
          pending_order_id: expect.any(Number),
        });
        expect(broker().exchange.listOrders().length).toBe(sent);
        const { orders } = await t.app.services.actionCenter.list(admin.id, 'pending');
        const pending = orders.find(
          (order) => order.id === (queued.json as { pending_order_id: number }).pending_order_id,
        );
        expect(pending).toMatchObject({ api_type: 'placeorder', symbol: 'SBIN', quantity: 1 });
        await t.app.services.actionCenter.reject(admin.id, pending?.id ?? 0, 'test');
      } finally {
        await t.database.db
          .updateTable('api_keys')
          .set({ order_mode: 'auto' })
          .where('id', '=', key.id)
          .execute();
        t.app.services.apiKeys.invalidate();
      }
    });
  });
});
