import { jsonb } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrategyService } from '../../services/strategies/strategy-service.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

// Tuesday 2026-11-24, times in IST set per test.
const at = (hhmm: string) => {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return Date.UTC(2026, 10, 24, (hours ?? 0) - 5, (minutes ?? 0) - 30);
};

interface PositionRow {
  symbol: string;
  exchange: string;
  product: string;
  quantity: number | string;
}

describe.each(testBackends())(
  'strategy and ChartInk webhooks over HTTP, through the real order path in analyzer mode, on %s',
  (kind) => {
    let t: TestApp;
    let now = at('10:00');
    let service: StrategyService;
    let userId: number;

    beforeAll(async () => {
      t = await startTestApp(kind, { now: () => now });
      service = t.app.services.strategies;
      userId = (await t.app.services.accounts.findAdmin()).id;
      const toggled = await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true });
      expect(toggled.status).toBe(200);
    }, 120_000);

    afterAll(async () => {
      await t?.close();
    });

    /** The analyzer position of one symbol, as a client reads it from `/positionbook`. */
    async function netQuantity(symbol: string, exchange: string, product: string): Promise<number> {
      const response = await t.post('/api/v1/positionbook', { apikey: t.apiKey });
      expect(response.status).toBe(200);
      const body = response.json as { mode?: string; data: PositionRow[] };
      expect(body.mode).toBe('analyze');
      const row = body.data.find(
        (position) =>
          position.symbol === symbol && position.exchange === exchange && position.product === product,
      );
      return row ? Number(row.quantity) : 0;
    }

    /** Every order the strategy engine placed, from the order log (mode, strategy, symbol, quantity). */
    async function placedOrders() {
      // Rows follow their orders in the journal's next batch.
      await t.app.services.orderJournal.flush();
      return t.app.services.db
        .selectFrom('order_log')
        .select(['mode', 'strategy', 'symbol', 'request', 'status'])
        .where('operation', 'in', ['placeorder', 'placesmartorder'])
        .orderBy('created_at')
        .execute();
    }

    async function createStrategy(
      name: string,
      platform: 'tradingview' | 'gocharting' | 'amibroker' | 'chartink',
      mode: 'LONG' | 'SHORT' | 'BOTH' = 'LONG',
    ) {
      const strategy = await service.create(userId, {
        name,
        platform,
        is_intraday: true,
        trading_mode: mode,
        start_time: '09:20',
        end_time: '15:00',
        squareoff_time: '15:15',
        is_active: true,
      });
      return strategy;
    }

    it('TradingView: a valid alert places the mapped quantity; wrong secret refused; malformed → 400 and nothing placed', async () => {
      const strategy = await createStrategy('tv breakout', 'tradingview');
      await service.addSymbols(userId, strategy.id, [
        { symbol: 'SBIN', exchange: 'NSE', quantity: 15, product: 'MIS' },
      ]);
      const url = `/strategy/webhook/${strategy.webhook_id}`;
      const ok = await t.post(url, { symbol: 'SBIN', action: 'buy' });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({
        status: 'success',
        results: [{ symbol: 'SBIN', action: 'BUY', status: 'success' }],
      });
      const placed = (await placedOrders()).at(-1);
      expect(placed).toMatchObject({ mode: 'analyze', strategy: 'tv breakout', symbol: 'SBIN' });
      expect(placed?.request).toMatchObject({
        action: 'BUY',
        quantity: 15,
        pricetype: 'MARKET',
        product: 'MIS',
      });
      expect(await netQuantity('SBIN', 'NSE', 'MIS')).toBe(15);

      const placedBefore = (await placedOrders()).length;
      expect(
        (await t.post('/strategy/webhook/not-a-real-id', { symbol: 'SBIN', action: 'BUY' })).status,
      ).toBe(404);
      const malformed = await t.post(url, { symbol: 'SBIN', action: 'HOLD' });
      expect(malformed.status).toBe(400);
      expect((malformed.json as { message: string }).message).toMatch(/Invalid alert payload/);
      expect((await t.post(url, '{"symbol": ')).status).toBe(400);
      expect((await placedOrders()).length).toBe(placedBefore);

      // TradingView sends text/plain when it does not recognise the JSON.
      const text = await t.request(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"symbol":"SBIN","action":"SELL"}',
      });
      expect(text.status).toBe(200);
      expect(await netQuantity('SBIN', 'NSE', 'MIS')).toBe(0);
      const history = await service.alerts(strategy.id);
      expect(history.map((alert) => alert.status).sort()).toEqual(['executed', 'executed', 'rejected']);
    });

    it('configuration changes reach the next alert at once (mappings added, strategy paused)', async () => {
      now = at('10:05');
      const strategy = await createStrategy('changes apply', 'tradingview');
      await service.addSymbols(userId, strategy.id, [
        { symbol: 'AXISBANK', exchange: 'NSE', quantity: 2, product: 'MIS' },
      ]);
      const url = `/strategy/webhook/${strategy.webhook_id}`;
      expect((await t.post(url, { symbol: 'AXISBANK', action: 'BUY' })).status).toBe(200);
      // Not mapped yet: skipped. Mapped right after: the very next alert trades it.
      const unmapped = await t.post(url, { symbol: 'MARUTI', action: 'BUY' });
      expect((unmapped.json as { status: string }).status).toBe('error');
      await service.addSymbols(userId, strategy.id, [
        { symbol: 'MARUTI', exchange: 'NSE', quantity: 3, product: 'MIS' },
      ]);
      // Past the duplicate window, so the same alert counts as a new one.
      now = at('10:06');
      const mapped = await t.post(url, { symbol: 'MARUTI', action: 'BUY' });
      expect(mapped.json).toMatchObject({
        status: 'success',
        results: [{ symbol: 'MARUTI', status: 'success' }],
      });
      expect(await netQuantity('MARUTI', 'NSE', 'MIS')).toBe(3);
      now = at('10:07');
      await service.update(userId, strategy.id, { is_active: false });
      const paused = await t.post(url, { symbol: 'AXISBANK', action: 'SELL' });
      expect(paused.status).toBe(400);
      expect(paused.json).toMatchObject({ status: 'error', message: 'Strategy is inactive' });
      expect(await netQuantity('AXISBANK', 'NSE', 'MIS')).toBe(2);
      await service.remove(userId, strategy.id);
      expect((await t.post(url, { symbol: 'AXISBANK', action: 'SELL' })).status).toBe(404);
    });

    it('a duplicate alert within the window executes once', async () => {
      const strategy = await createStrategy('dupes', 'gocharting');
      await service.addSymbols(userId, strategy.id, [
        { symbol: 'INFY', exchange: 'NSE', quantity: 4, product: 'MIS' },
      ]);
      const url = `/strategy/webhook/${strategy.webhook_id}`;
      const responses = await Promise.all(
        [1, 2, 3].map(() => t.post(url, { symbol: 'INFY', action: 'BUY' })),
      );
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(
        responses.filter((response) =>
          (response.json as { message: string }).message.startsWith('Duplicate'),
        ),
      ).toHaveLength(2);
      expect(await netQuantity('INFY', 'NSE', 'MIS')).toBe(4);
      now += 6_000;
      await t.post(url, { symbol: 'INFY', action: 'BUY' });
      expect(await netQuantity('INFY', 'NSE', 'MIS')).toBe(8);
    });

    it('Amibroker position-size style (BOTH) walks the position to the target; SHORT and COVER work end to end', async () => {
      const both = await createStrategy('ami both', 'amibroker', 'BOTH');
      await service.addSymbols(userId, both.id, [
        { symbol: 'TCS', exchange: 'NSE', quantity: 1, product: 'MIS' },
      ]);
      const url = `/strategy/webhook/${both.webhook_id}`;
      await t.post(url, { symbol: 'TCS', action: 'SELL', position_size: '-6' });
      expect(await netQuantity('TCS', 'NSE', 'MIS')).toBe(-6);
      now += 6_000;
      await t.post(url, { symbol: 'TCS', action: 'BUY', position_size: 3 });
      expect(await netQuantity('TCS', 'NSE', 'MIS')).toBe(3);

      const short = await createStrategy('shorts', 'tradingview', 'SHORT');
      await service.addSymbols(userId, short.id, [
        { symbol: 'ITC', exchange: 'NSE', quantity: 20, product: 'MIS' },
      ]);
      const shortUrl = `/strategy/webhook/${short.webhook_id}`;
      expect((await t.post(shortUrl, { symbol: 'ITC', action: 'SHORT' })).status).toBe(200);
      expect(await netQuantity('ITC', 'NSE', 'MIS')).toBe(-20);
      now += 6_000;
      expect((await t.post(shortUrl, { symbol: 'ITC', action: 'COVER' })).status).toBe(200);
      expect(await netQuantity('ITC', 'NSE', 'MIS')).toBe(0);
    });

    it('ChartInk: scan-name action, bulk CSV mappings, unmapped stocks skipped', async () => {
      const strategy = await createStrategy('chartink momentum', 'chartink');
      const rows = service.parseSymbolCsv(
        'SYMBOL,EXCHANGE,QTY,PRODUCT\nRELIANCE,NSE,2,MIS\nHDFCBANK,NSE,3,MIS\n',
      );
      await service.addSymbols(userId, strategy.id, rows);
      expect(() => service.parseSymbolCsv('X,NSE,0,MIS')).toThrow(/quantity/);
      const url = `/chartink/webhook/${strategy.webhook_id}`;
      const response = await t.post(url, {
        stocks: 'RELIANCE,HDFCBANK,ACC',
        trigger_prices: '1400.5,1700,2000',
        triggered_at: '10:05 am',
        scan_name: 'Momentum BUY',
        scan_url: 'momentum-buy',
        alert_name: 'Alert for Momentum BUY',
        webhook_url: 'http://example.invalid',
      });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        status: 'success',
        message: '2 of 2 orders accepted (unmapped, skipped: ACC)',
      });
      expect(await netQuantity('RELIANCE', 'NSE', 'MIS')).toBe(2);
      expect(await netQuantity('HDFCBANK', 'NSE', 'MIS')).toBe(3);
      expect((await t.post(url, { stocks: 'RELIANCE', scan_name: 'no action word' })).status).toBe(400);
      // The same webhook id is not valid on the strategy path.
      expect(
        (await t.post(`/strategy/webhook/${strategy.webhook_id}`, { symbol: 'RELIANCE', action: 'BUY' }))
          .status,
      ).toBe(404);
    });

    it('intraday square-off fires at its time under a fake clock, once', async () => {
      const strategy = await createStrategy('squares', 'tradingview');
      await service.addSymbols(userId, strategy.id, [
        { symbol: 'LT', exchange: 'NSE', quantity: 5, product: 'MIS' },
      ]);
      now = at('11:00');
      await t.post(`/strategy/webhook/${strategy.webhook_id}`, { symbol: 'LT', action: 'BUY' });
      expect(await netQuantity('LT', 'NSE', 'MIS')).toBe(5);
      now = at('15:14');
      await service.runSquareOff();
      expect(await netQuantity('LT', 'NSE', 'MIS')).toBe(5);
      now = at('15:15');
      expect(await service.runSquareOff()).toBeGreaterThanOrEqual(1);
      expect(await netQuantity('LT', 'NSE', 'MIS')).toBe(0);
      expect(await service.runSquareOff()).toBe(0);
      // After square-off time, entries are refused and recorded.
      const late = await t.post(`/strategy/webhook/${strategy.webhook_id}`, { symbol: 'LT', action: 'BUY' });
      expect(late.status).toBe(400);
      expect((late.json as { message: string }).message).toMatch(/no new entries after 15:00/);
    });

    it('executes fresh unfinished alerts after a restart and expires stale ones', async () => {
      now = at('11:30');
      const strategy = await createStrategy('recovery', 'tradingview');
      await service.addSymbols(userId, strategy.id, [
        { symbol: 'WIPRO', exchange: 'NSE', quantity: 10, product: 'MIS' },
      ]);
      const db = t.app.services.db;
      // Simulate a crash after the alerts were stored but before they ran.
      await db
        .insertInto('strategy_alerts')
        .values([
          {
            id: 'alr_fresh',
            strategy_id: strategy.id,
            received_at: new Date(now - 5_000),
            payload: jsonb({ symbol: 'WIPRO', action: 'BUY' }),
            dedupe_key: 'a',
            status: 'processing',
          },
          {
            id: 'alr_stale',
            strategy_id: strategy.id,
            received_at: new Date(now - 600_000),
            payload: jsonb({ symbol: 'WIPRO', action: 'BUY' }),
            dedupe_key: 'b',
            status: 'received',
          },
        ])
        .execute();
      expect(await service.recoverUnfinished()).toEqual({ executed: 1, expired: 1, interrupted: 0 });
      expect(await netQuantity('WIPRO', 'NSE', 'MIS')).toBe(10);
      const statuses = Object.fromEntries(
        (await service.alerts(strategy.id)).map((alert) => [alert.id, alert.status]),
      );
      expect(statuses).toMatchObject({ alr_fresh: 'executed', alr_stale: 'expired' });
    });
  },
);
