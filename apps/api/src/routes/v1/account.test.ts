import { testBackends } from '@openalgo/db/testing';
import {
  fundsResponseSchema,
  holdingsResponseSchema,
  marginResponseSchema,
  openPositionResponseSchema,
  orderBookResponseSchema,
  orderStatusResponseSchema,
  positionBookResponseSchema,
  tradeBookResponseSchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQuantity, placeOrder, placeRestingOrder } from '../../testing/order-helpers.js';
import { describeRouteContracts, UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

/** The account group of /api/v1 (api-v1 §4.2) over real HTTP against the simulator broker. */
describe.each(testBackends())('account routes on %s', (backend) => {
  let t: TestApp;
  let filledOrderId: string;

  beforeAll(async () => {
    t = await startTestApp(backend, { env: UNLIMITED_RATES });
    const placed = await placeOrder(t, { symbol: 'INFY', action: 'BUY', quantity: 2 });
    filledOrderId = (placed.json as { orderid: string }).orderid;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const apikeyOnly = (path: string, envelope: 'E1' | 'E2' = 'E2') => ({
    path,
    envelope,
    valid: () => ({}),
    missing: 'apikey',
    wrong: { patch: { apikey: 12 }, errors: { apikey: ['Not a valid string.'] } },
  });

  describe('contracts', () => {
    describeRouteContracts(
      () => t,
      [
        {
          ...apikeyOnly('funds'),
          response: fundsResponseSchema,
          expectSuccess: (json) => {
            const data = (json as { data: Record<string, unknown> }).data;
            // The reference broker's funds: 2-decimal strings.
            for (const field of [
              'availablecash',
              'collateral',
              'm2mrealized',
              'm2munrealized',
              'utiliseddebits',
            ]) {
              expect(data[field]).toMatch(/^-?\d+\.\d{2}$/);
            }
            expect(json).not.toHaveProperty('mode');
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
        },
        {
          path: 'openposition',
          envelope: 'E1',
          valid: () => ({ strategy: 'test', symbol: 'INFY', exchange: 'NSE', product: 'MIS' }),
          response: openPositionResponseSchema,
          missing: 'product',
          wrong: { patch: { product: 'mis' }, errors: { product: ['Must be one of: MIS, NRML, CNC.'] } },
        },
        {
          path: 'margin',
          envelope: 'E1',
          valid: () => ({
            positions: [
              {
                symbol: 'SBIN',
                exchange: 'NSE',
                action: 'BUY',
                quantity: '10',
                product: 'MIS',
                pricetype: 'MARKET',
              },
            ],
          }),
          response: marginResponseSchema,
          missing: 'positions',
          wrong: {
            patch: {
              positions: [
                {
                  symbol: 'SBIN',
                  exchange: 'NSE',
                  action: 'BUY',
                  quantity: 10,
                  product: 'MIS',
                  pricetype: 'MARKET',
                },
              ],
            },
            errors: { positions: { '0': { quantity: ['Not a valid string.'] } } },
          },
        },
      ],
    );
  });

  describe('books', () => {
    it('the order book carries every order and integer statistics that add up', async () => {
      const restingId = await placeRestingOrder(t, 'ITC', 5);
      const response = await t.post('/api/v1/orderbook', { apikey: t.apiKey });
      const { orders, statistics } = (
        response.json as {
          data: { orders: Array<Record<string, unknown>>; statistics: Record<string, number> };
        }
      ).data;
      const resting = orders.find((order) => order.orderid === restingId);
      expect(resting).toMatchObject({ symbol: 'ITC', pricetype: 'LIMIT', order_status: 'open', quantity: 5 });
      expect(resting?.timestamp).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
      expect(orders.find((order) => order.orderid === filledOrderId)).toMatchObject({
        price: 0,
        pricetype: 'MARKET',
      });
      const count = (predicate: (order: Record<string, unknown>) => boolean) =>
        orders.filter(predicate).length;
      expect(statistics).toEqual({
        total_buy_orders: count((order) => order.action === 'BUY'),
        total_sell_orders: count((order) => order.action === 'SELL'),
        total_completed_orders: count((order) => order.order_status === 'complete'),
        total_open_orders: count((order) => order.order_status === 'open'),
        total_rejected_orders: count((order) => order.order_status === 'rejected'),
      });
      for (const value of Object.values(statistics)) {
        expect(Number.isInteger(value)).toBe(true);
      }
    });

    it('positions: average as a 2-decimal string, LTP and P&L as numbers; openposition 0 when flat', async () => {
      const response = await t.post('/api/v1/positionbook', { apikey: t.apiKey });
      const row = (response.json as { data: Array<Record<string, unknown>> }).data.find(
        (item) => item.symbol === 'INFY',
      );
      expect(row).toMatchObject({ exchange: 'NSE', product: 'MIS', quantity: 2 });
      expect(row?.average_price).toMatch(/^\d+\.\d{2}$/);
      expect(typeof row?.ltp).toBe('number');
      expect(typeof row?.pnl).toBe('number');
      expect(await openQuantity(t, 'INFY')).toBe(2);
      const flat = await t.post('/api/v1/openposition', {
        apikey: t.apiKey,
        strategy: 'test',
        symbol: 'INFY',
        exchange: 'NSE',
        product: 'NRML',
      });
      expect(flat.json).toEqual({ status: 'success', quantity: 0 });
    });

    it('holdings: statistics are the sums of the rows', async () => {
      const response = await t.post('/api/v1/holdings', { apikey: t.apiKey });
      const { holdings, statistics } = (
        response.json as {
          data: {
            holdings: Array<{ quantity: number; average_price: number; ltp: number; pnl: number }>;
            statistics: Record<string, number>;
          };
        }
      ).data;
      expect(holdings.length).toBeGreaterThan(0);
      const invested = holdings.reduce((sum, row) => sum + row.average_price * row.quantity, 0);
      const value = holdings.reduce((sum, row) => sum + row.ltp * row.quantity, 0);
      const pnl = holdings.reduce((sum, row) => sum + row.pnl, 0);
      expect(statistics.totalinvvalue).toBeCloseTo(invested, 1);
      expect(statistics.totalholdingvalue).toBeCloseTo(value, 1);
      expect(statistics.totalprofitandloss).toBeCloseTo(pnl, 1);
      expect(statistics.totalpnlpercentage).toBeCloseTo((pnl / invested) * 100, 1);
    });

    it('order status: the average price of a fill, 404 for an order the broker does not know', async () => {
      const status = await t.post('/api/v1/orderstatus', {
        apikey: t.apiKey,
        strategy: 'test',
        orderid: filledOrderId,
      });
      const data = (status.json as { data: Record<string, unknown> }).data;
      expect(data).toMatchObject({
        orderid: filledOrderId,
        order_status: 'complete',
        quantity: 2,
        pricetype: 'MARKET',
      });
      expect(data.average_price as number).toBeGreaterThan(0);
      expect(data).not.toHaveProperty('price_type');
      const missing = await t.post('/api/v1/orderstatus', {
        apikey: t.apiKey,
        strategy: 'test',
        orderid: '42',
      });
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ status: 'error', message: 'Order 42 not found' });
    });

    it('margin: the broker computes it; position errors name the position', async () => {
      const ok = await t.post('/api/v1/margin', {
        apikey: t.apiKey,
        positions: [
          {
            symbol: 'SBIN',
            exchange: 'NSE',
            action: 'buy',
            quantity: '10',
            product: 'MIS',
            pricetype: 'MARKET',
          },
          {
            symbol: 'INFY',
            exchange: 'NSE',
            action: 'SELL',
            quantity: '5',
            product: 'CNC',
            pricetype: 'LIMIT',
            price: '1500',
          },
        ],
      });
      expect(ok.status, ok.text).toBe(200);
      const data = (ok.json as { data: Record<string, number> }).data;
      expect(data.total_margin_required).toBeGreaterThan(0);
      expect(data.total_margin_required).toBeCloseTo(
        (data.span_margin ?? 0) + (data.exposure_margin ?? 0),
        1,
      );
      const position = (patch: Record<string, unknown>) => ({
        apikey: t.apiKey,
        positions: [
          {
            symbol: 'SBIN',
            exchange: 'NSE',
            action: 'BUY',
            quantity: '10',
            product: 'MIS',
            pricetype: 'MARKET',
          },
          {
            symbol: 'SBIN',
            exchange: 'NSE',
            action: 'BUY',
            quantity: '10',
            product: 'MIS',
            pricetype: 'MARKET',
            ...patch,
          },
        ],
      });
      expect((await t.post('/api/v1/margin', position({ quantity: '0' }))).json).toEqual({
        status: 'error',
        message: 'Position 2: Quantity must be a positive number',
      });
      expect((await t.post('/api/v1/margin', position({ quantity: 'ten' }))).json).toEqual({
        status: 'error',
        message: 'Position 2: Invalid quantity format',
      });
      expect((await t.post('/api/v1/margin', position({ price: '-5' }))).json).toEqual({
        status: 'error',
        message: 'Position 2: Price cannot be negative',
      });
      const tooMany = await t.post('/api/v1/margin', {
        apikey: t.apiKey,
        positions: Array.from({ length: 51 }, () => ({
          symbol: 'SBIN',
          exchange: 'NSE',
          action: 'BUY',
          quantity: '1',
          product: 'MIS',
          pricetype: 'MARKET',
        })),
      });
      expect(tooMany.json).toEqual({
        status: 'error',
        message: "{'positions': ['Positions must contain 1 to 50 items.']}",
      });
    });

    it('each book is one broker call', async () => {
      const gateway = t.app.services.broker;
      const calls: string[] = [];
      const original = { orders: gateway.orders.fetchOrders, positions: gateway.portfolio.fetchPositions };
      gateway.orders.fetchOrders = async (context) => {
        calls.push('fetchOrders');
        return original.orders(context);
      };
      gateway.portfolio.fetchPositions = async (context) => {
        calls.push('fetchPositions');
        return original.positions(context);
      };
      try {
        await t.post('/api/v1/orderbook', { apikey: t.apiKey });
        await t.post('/api/v1/positionbook', { apikey: t.apiKey });
        await t.post('/api/v1/openposition', {
          apikey: t.apiKey,
          strategy: 'test',
          symbol: 'INFY',
          exchange: 'NSE',
          product: 'MIS',
        });
      } finally {
        gateway.orders.fetchOrders = original.orders;
        gateway.portfolio.fetchPositions = original.positions;
      }
      expect(calls).toEqual(['fetchOrders', 'fetchPositions', 'fetchPositions']);
    });
  });
});
