import type { SimulatorBroker } from '@openalgo/brokers-simulator';
import { testBackends } from '@openalgo/db/testing';
import {
  optionsMultiOrderResponseSchema,
  optionsOrderResponseSchema,
  pnlSymbolsResponseSchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../services/events.js';
import type { SandboxAnalyzerTargets } from '../../services/orders/sandbox-targets.js';
import { orderBook } from '../../testing/order-helpers.js';
import { describeRouteContracts, INVALID_KEY, UNLIMITED_RATES } from '../../testing/route-contract.js';
import { startTestApp, type TestApp, tradingHoursClock } from '../../testing/test-app.js';

/**
 * Options orders (api-v1 §4.1.10–4.1.11) and the analyzer's `/pnl/symbols` (§4.6.3) over real
 * HTTP against the simulator broker: each route's contract, the strike an offset lands on, the
 * BUY-before-SELL order of a multi-leg strategy, and analyzer mode.
 */
describe.each(testBackends())('options orders on %s', (backend) => {
  let t: TestApp;
  /** The second NIFTY option expiry (the first may be today, past its cut-off). */
  let expiry: string;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      env: { ...UNLIMITED_RATES, ORDER_CHILD_INTERVAL_MS: '5' },
      // Inside market hours: the analyzer refuses new MIS exposure after its square-off time.
      now: tradingHoursClock(),
    });
    const response = await t.post('/api/v1/expiry', {
      apikey: t.apiKey,
      symbol: 'NIFTY',
      exchange: 'NFO',
      instrumenttype: 'options',
    });
    expiry = ((response.json as { data: string[] }).data[1] ?? '').replaceAll('-', '');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const live = () => t.app.services.broker as SimulatorBroker;
  const sandbox = () => (t.app.services.analyzerTargets as SandboxAnalyzerTargets).sandbox;
  const toggle = (mode: boolean) => t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode });
  const optionsOrder = (body: Record<string, unknown>) =>
    t.post('/api/v1/optionsorder', {
      apikey: t.apiKey,
      strategy: 'options',
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      expiry_date: expiry,
      action: 'BUY',
      quantity: 75,
      ...body,
    });
  const multiOrder = (legs: Array<Record<string, unknown>>) =>
    t.post('/api/v1/optionsmultiorder', {
      apikey: t.apiKey,
      strategy: 'strangle',
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      expiry_date: expiry,
      legs,
    });

  /** The option an offset should land on, from the listed strikes and the LTP the server used. */
  const expectedSymbol = (ltp: number, offset: string, optionType: 'CE' | 'PE') => {
    const strikes = t.app.services.symbols
      .derivativesOf('NIFTY', 'NFO')
      .filter((row) => row.expiry.replaceAll('-', '') === expiry && row.symbol.endsWith(optionType))
      .map((row) => Number(row.strike))
      .sort((a, b) => a - b);
    let atm = 0;
    for (const [index, strike] of strikes.entries()) {
      if (Math.abs(strike - ltp) < Math.abs((strikes[atm] ?? 0) - ltp)) {
        atm = index;
      }
    }
    const steps = offset === 'ATM' ? 0 : Number(offset.slice(3));
    const towardsLower = offset.startsWith('ITM') === (optionType === 'CE');
    const strike = strikes[atm + (towardsLower ? -steps : steps)];
    return `NIFTY${expiry}${strike}${optionType}`;
  };

  describe('contracts', () => {
    describeRouteContracts(
      () => t,
      [
        {
          path: 'optionsorder',
          envelope: 'E3',
          valid: () => ({
            strategy: 'test',
            underlying: 'NIFTY',
            exchange: 'NSE_INDEX',
            expiry_date: expiry,
            offset: 'atm',
            option_type: 'ce',
            action: 'buy',
            quantity: '75',
          }),
          response: optionsOrderResponseSchema,
          expectSuccess: (json) =>
            expect(json).toEqual({
              status: 'success',
              orderid: expect.any(String),
              symbol: expect.stringMatching(new RegExp(`^NIFTY${expiry}\\d+CE$`)),
              exchange: 'NFO',
              underlying: 'NIFTY',
              underlying_ltp: expect.any(Number),
              offset: 'ATM',
              option_type: 'CE',
            }),
          missing: 'offset',
          wrong: { patch: { product: 'CNC' }, errors: { product: ['Must be one of: MIS, NRML.'] } },
        },
        {
          path: 'optionsmultiorder',
          envelope: 'E3',
          valid: () => ({
            strategy: 'test',
            underlying: 'NIFTY',
            exchange: 'NSE_INDEX',
            expiry_date: expiry,
            legs: [{ offset: 'OTM2', option_type: 'PE', action: 'BUY', quantity: 75 }],
          }),
          response: optionsMultiOrderResponseSchema,
          expectSuccess: (json) =>
            expect(json).toMatchObject({
              status: 'success',
              underlying: 'NIFTY',
              results: [{ leg: 1, status: 'success', exchange: 'NFO', product: 'MIS', mode: 'live' }],
            }),
          missing: 'legs',
          wrong: {
            patch: { legs: [{ offset: 'ATM', option_type: 'XE', action: 'BUY', quantity: 75 }] },
            errors: { legs: { '0': { option_type: ['Must be one of: CE, PE, ce, pe.'] } } },
          },
        },
      ],
    );

    it('a multi-order needs 1 to 20 legs', async () => {
      for (const legs of [[], Array.from({ length: 21 }, () => ({ offset: 'ATM', option_type: 'CE' }))]) {
        const response = await multiOrder(legs);
        expect(response.status).toBe(400);
        expect(response.json).toEqual({
          status: 'error',
          message: 'Validation error',
          errors: { legs: ['Legs must contain 1 to 20 items.'] },
        });
      }
    });
  });

  describe('scenarios', () => {
    it('ATM, ITM2 and OTM3 land on the right strike for CE and PE, and the order is in the book', async () => {
      for (const optionType of ['CE', 'PE'] as const) {
        for (const offset of ['ATM', 'ITM2', 'OTM3']) {
          const response = await optionsOrder({ offset, option_type: optionType.toLowerCase() });
          expect(response.status, response.text).toBe(200);
          const answer = optionsOrderResponseSchema.parse(response.json) as {
            orderid: string;
            symbol: string;
            underlying_ltp: number;
          };
          expect(answer.symbol, `${offset} ${optionType}`).toBe(
            expectedSymbol(answer.underlying_ltp, offset, optionType),
          );
          expect(response.json).toMatchObject({ exchange: 'NFO', offset, option_type: optionType });
          const row = (await orderBook(t)).find((order) => order.orderid === answer.orderid);
          expect(row).toMatchObject({
            symbol: answer.symbol,
            exchange: 'NFO',
            action: 'BUY',
            quantity: 75,
            product: 'MIS',
            order_status: 'complete',
          });
        }
      }
    });

    it('answers resolution and placement errors as the contract words them, placing nothing', async () => {
      const sent = live().exchange.listOrders().length;
      const badOffset = await optionsOrder({ offset: 'ATM1', option_type: 'CE' });
      expect(badOffset.status).toBe(400);
      expect(badOffset.json).toEqual({
        status: 'error',
        message: 'Offset must be ATM, ITM1-ITM50, or OTM1-OTM50',
      });
      const outOfRange = await optionsOrder({ offset: 'OTM50', option_type: 'CE' });
      expect(outOfRange.status).toBe(400);
      expect(outOfRange.json).toEqual({
        status: 'error',
        message: 'Offset OTM50 is out of range for available strikes. Please use a smaller offset.',
      });
      const noExpiry = await optionsOrder({ offset: 'ATM', option_type: 'CE', expiry_date: undefined });
      expect(noExpiry.status).toBe(400);
      expect((noExpiry.json as { message: string }).message).toMatch(/^Expiry date required/);
      const lots = await optionsOrder({ offset: 'ATM', option_type: 'CE', quantity: 70 });
      expect(lots.status).toBe(400);
      expect(lots.json).toEqual({ status: 'error', message: 'Quantity must be in multiples of lot size 75' });
      const tooMany = await optionsOrder({ offset: 'ATM', option_type: 'CE', quantity: 7575, splitsize: 75 });
      expect(tooMany.json).toEqual({
        status: 'error',
        message: 'Total number of orders would exceed maximum limit of 100',
      });
      expect(live().exchange.listOrders().length).toBe(sent);
    });

    it('a LIMIT options order below the market rests open in the book (the bench body)', async () => {
      const response = await optionsOrder({
        offset: 'OTM2',
        option_type: 'CE',
        pricetype: 'LIMIT',
        product: 'NRML',
        price: '0.05',
      });
      expect(response.status, response.text).toBe(200);
      const { orderid } = response.json as { orderid: string };
      expect((await orderBook(t)).find((order) => order.orderid === orderid)).toMatchObject({
        pricetype: 'LIMIT',
        price: 0.05,
        product: 'NRML',
        order_status: 'open',
      });
    });

    it('splits an options order into children of splitsize', async () => {
      const response = await optionsOrder({
        offset: 'OTM1',
        option_type: 'PE',
        quantity: 225,
        splitsize: 150,
      });
      expect(response.status, response.text).toBe(200);
      expect(response.json).toEqual({
        status: 'success',
        symbol: expect.stringMatching(/PE$/),
        exchange: 'NFO',
        underlying: 'NIFTY',
        underlying_ltp: expect.any(Number),
        offset: 'OTM1',
        option_type: 'PE',
        total_quantity: 225,
        split_size: 150,
        results: [
          { order_num: 1, quantity: 150, status: 'success', orderid: expect.any(String) },
          { order_num: 2, quantity: 75, status: 'success', orderid: expect.any(String) },
        ],
      });
    });

    it('a multi-order places every BUY leg before any SELL leg, one result per leg in leg order', async () => {
      const before = live().exchange.listOrders().length;
      const response = await multiOrder([
        { offset: 'ATM', option_type: 'CE', action: 'SELL', quantity: 75, product: 'NRML' },
        { offset: 'OTM3', option_type: 'CE', action: 'BUY', quantity: 75, product: 'NRML' },
        { offset: 'ATM', option_type: 'PE', action: 'sell', quantity: 75, product: 'NRML' },
        { offset: 'OTM3', option_type: 'pe', action: 'BUY', quantity: 150, splitsize: 75, product: 'NRML' },
        { offset: 'ITM99', option_type: 'CE', action: 'BUY', quantity: 75 },
      ]);
      expect(response.status, response.text).toBe(200);
      const answer = optionsMultiOrderResponseSchema.parse(response.json) as {
        underlying_ltp: number;
        results: Array<Record<string, unknown>>;
      };
      const ltp = answer.underlying_ltp;
      expect(answer.results.map((result) => result.leg)).toEqual([1, 2, 3, 4, 5]);
      expect(answer.results[0]).toEqual({
        leg: 1,
        symbol: expectedSymbol(ltp, 'ATM', 'CE'),
        exchange: 'NFO',
        product: 'NRML',
        offset: 'ATM',
        option_type: 'CE',
        action: 'SELL',
        status: 'success',
        orderid: expect.any(String),
        mode: 'live',
      });
      expect(answer.results[1]).toMatchObject({ symbol: expectedSymbol(ltp, 'OTM3', 'CE'), action: 'BUY' });
      expect(answer.results[2]).toMatchObject({
        symbol: expectedSymbol(ltp, 'ATM', 'PE'),
        status: 'success',
      });
      expect(answer.results[3]).toEqual({
        leg: 4,
        symbol: expectedSymbol(ltp, 'OTM3', 'PE'),
        exchange: 'NFO',
        product: 'NRML',
        offset: 'OTM3',
        option_type: 'PE',
        action: 'BUY',
        status: 'success',
        total_quantity: 150,
        split_size: 75,
        split_results: [
          { order_num: 1, quantity: 75, status: 'success', orderid: expect.any(String) },
          { order_num: 2, quantity: 75, status: 'success', orderid: expect.any(String) },
        ],
        mode: 'live',
      });
      // A failing leg is reported and does not stop the others.
      expect(answer.results[4]).toEqual({
        leg: 5,
        offset: 'ITM99',
        option_type: 'CE',
        action: 'BUY',
        status: 'error',
        message: 'Offset must be ATM, ITM1-ITM50, or OTM1-OTM50',
      });
      // The broker received the BUY legs (3 orders) before the SELL legs (2 orders).
      const received = live()
        .exchange.listOrders()
        .slice(before)
        .map((order) => order.action);
      expect(received).toEqual(['BUY', 'BUY', 'BUY', 'SELL', 'SELL']);
    });

    it('semi-auto keys queue options orders instead of placing them', async () => {
      const admin = await t.app.services.accounts.findAdmin();
      const key = await t.database.db
        .selectFrom('api_keys')
        .select('id')
        .where('user_id', '=', admin.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      const setMode = async (mode: 'auto' | 'semi_auto') => {
        await t.database.db
          .updateTable('api_keys')
          .set({ order_mode: mode })
          .where('id', '=', key.id)
          .execute();
        t.app.services.apiKeys.invalidate();
      };
      await setMode('semi_auto');
      try {
        const sent = live().exchange.listOrders().length;
        const queued = [
          await optionsOrder({ offset: 'ATM', option_type: 'CE' }),
          await multiOrder([{ offset: 'ATM', option_type: 'CE', action: 'BUY', quantity: 75 }]),
        ];
        for (const response of queued) {
          expect(response.status, response.text).toBe(200);
          expect(response.json).toEqual({
            status: 'success',
            message: 'Order queued for approval in Action Center',
            mode: 'semi_auto',
            pending_order_id: expect.any(Number),
          });
        }
        expect(live().exchange.listOrders().length).toBe(sent);
        const { orders } = await t.app.services.actionCenter.list(admin.id, 'pending');
        const ids = queued.map(
          (response) => (response.json as { pending_order_id: number }).pending_order_id,
        );
        expect(ids.map((id) => orders.find((order) => order.id === id)?.api_type)).toEqual([
          'optionsorder',
          'optionsmultiorder',
        ]);
        for (const id of ids) {
          await t.app.services.actionCenter.reject(admin.id, id, 'test');
        }
      } finally {
        await setMode('auto');
      }
    });

    it('in analyzer mode options orders go to the analyzer, and /pnl/symbols reports their P&L', async () => {
      const live_ = await t.post('/api/v1/pnl/symbols', { apikey: t.apiKey });
      expect(live_.status).toBe(400);
      expect(live_.json).toEqual({
        status: 'error',
        message: 'This endpoint is only available in sandbox/analyzer mode',
      });
      // Live mode answers before validating (api-v1 §4.6.3).
      expect((await t.post('/api/v1/pnl/symbols', { apikey: INVALID_KEY, surplus: 1 })).json).toEqual(
        live_.json,
      );

      expect((await toggle(true)).status).toBe(200);
      try {
        const liveOrders = live().exchange.listOrders().length;
        const placedInAnalyzer: OrderEvent[] = [];
        const stop = t.app.services.events.on('order.placed', (event) => {
          if (event.mode === 'analyze') {
            placedInAnalyzer.push(event);
          }
        });
        const single = await optionsOrder({ offset: 'ITM2', option_type: 'CE' });
        expect(single.status, single.text).toBe(200);
        const placed = single.json as { orderid: string; symbol: string; mode: string };
        expect(placed.mode).toBe('analyze');
        const admin = await t.app.services.accounts.findAdmin();
        const stored = (await sandbox().views.orderBook(admin.id)).orders.map((order) => order.orderid);
        expect(stored).toContain(placed.orderid);

        const multi = await multiOrder([
          { offset: 'OTM1', option_type: 'PE', action: 'SELL', quantity: 75, product: 'NRML' },
          { offset: 'OTM4', option_type: 'PE', action: 'BUY', quantity: 75, product: 'NRML' },
        ]);
        expect(multi.status, multi.text).toBe(200);
        expect(multi.json).toMatchObject({
          status: 'success',
          mode: 'analyze',
          results: [
            { leg: 1, status: 'success', mode: 'analyze' },
            { leg: 2, status: 'success', mode: 'analyze' },
          ],
        });
        stop();
        expect(placedInAnalyzer.map((event) => event.action)).toEqual(['BUY', 'BUY', 'SELL']);
        expect(live().exchange.listOrders().length).toBe(liveOrders);

        const pnl = await t.post('/api/v1/pnl/symbols', { apikey: t.apiKey });
        expect(pnl.status, pnl.text).toBe(200);
        const report = pnlSymbolsResponseSchema.parse(pnl.json);
        expect(report.mode).toBe('analyze');
        expect(report.data.find((row) => row.symbol === placed.symbol)).toMatchObject({
          exchange: 'NFO',
          product: 'MIS',
          quantity: 75,
        });
        const sum = (key: 'pnl' | 'unrealized_pnl') =>
          Math.round(report.data.reduce((total, row) => total + row[key], 0) * 100) / 100;
        expect(report.total_pnl).toBeCloseTo(sum('pnl'), 2);
        expect(report.total_unrealized_pnl).toBeCloseTo(sum('unrealized_pnl'), 2);

        const badKey = await t.post('/api/v1/pnl/symbols', { apikey: INVALID_KEY });
        expect(badKey.status).toBe(403);
        expect(badKey.json).toEqual({ status: 'error', message: 'Invalid API key', mode: 'analyze' });
        const unknown = await t.post('/api/v1/pnl/symbols', { apikey: t.apiKey, surplus: 1 });
        expect(unknown.status).toBe(400);
        expect(unknown.json).toEqual({ status: 'error', message: { surplus: ['Unknown field.'] } });
        const missing = await t.post('/api/v1/pnl/symbols', {});
        expect(missing.json).toEqual({
          status: 'error',
          message: { apikey: ['Missing data for required field.'] },
        });
        for (const text of ['{"apikey": ', '']) {
          const response = await t.post('/api/v1/pnl/symbols', text);
          expect(response.status).toBe(400);
          expect(response.json).toEqual({ status: 'error', message: 'Request body must be a JSON object' });
        }

        // A valid key is enough: the analyzer's books are read without any broker session.
        const sessionless = t.app.services.modeSwitch.targetFor(
          { userId: admin.id, apiKeyId: null, orderMode: 'auto', session: null },
          'analyze',
        );
        const positions = await sessionless.portfolio.fetchPositions(sessionless.context);
        expect(positions.map((position) => position.symbol)).toContain(placed.symbol);
      } finally {
        expect((await toggle(false)).status).toBe(200);
      }
    });
  });
});
