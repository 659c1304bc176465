import type { StrategyRow, StrategySymbolRow } from '@openalgo/db';
import { describe, expect, it } from 'vitest';
import { actionFromScanName, dedupeKeyFor, planChartinkAlert, planStrategyAlert } from './alert-plan.js';

function strategy(overrides: Partial<StrategyRow> = {}): StrategyRow {
  return {
    id: 1,
    user_id: 1,
    name: 'tv',
    platform: 'tradingview',
    kind: 'webhook',
    webhook_id: 'w',
    is_active: true,
    is_intraday: true,
    trading_mode: 'LONG',
    start_time: '09:20',
    end_time: '15:00',
    squareoff_time: '15:15',
    last_squareoff_date: null,
    created_at: new Date(0),
    updated_at: new Date(0),
    ...overrides,
  };
}

const mapping = (symbol: string, exchange = 'NSE', quantity = 10, product = 'MIS'): StrategySymbolRow => ({
  id: 1,
  strategy_id: 1,
  symbol,
  exchange,
  quantity,
  product,
  created_at: new Date(0),
});

describe('planning strategy alerts', () => {
  it('LONG: BUY enters with the mapped quantity, SELL flattens', () => {
    expect(
      planStrategyAlert(strategy(), [mapping('SBIN')], { symbol: 'SBIN', action: 'BUY' }, '10:00'),
    ).toEqual({
      ok: true,
      skipped: [],
      orders: [
        { kind: 'order', symbol: 'SBIN', exchange: 'NSE', product: 'MIS', action: 'BUY', quantity: 10 },
      ],
    });
    expect(
      planStrategyAlert(strategy(), [mapping('SBIN')], { symbol: 'SBIN', action: 'SELL' }, '10:00'),
    ).toMatchObject({
      ok: true,
      orders: [{ kind: 'smart', action: 'SELL', positionSize: 0 }],
    });
    expect(
      planStrategyAlert(
        strategy(),
        [mapping('SBIN')],
        { symbol: 'SBIN', action: 'BUY', position_size: -7 },
        '10:00',
      ),
    ).toMatchObject({
      orders: [{ quantity: 7 }],
    });
    expect(
      planStrategyAlert(strategy(), [mapping('SBIN')], { symbol: 'SBIN', action: 'SHORT' }, '10:00'),
    ).toEqual({
      ok: false,
      status: 400,
      message: 'SHORT is not allowed: this strategy trades LONG only',
    });
  });

  it('SHORT: SELL/SHORT enter short, BUY/COVER flatten', () => {
    const short = strategy({ trading_mode: 'SHORT' });
    expect(
      planStrategyAlert(short, [mapping('SBIN')], { symbol: 'SBIN', action: 'SHORT' }, '10:00'),
    ).toMatchObject({
      orders: [{ kind: 'order', action: 'SELL', quantity: 10 }],
    });
    expect(
      planStrategyAlert(short, [mapping('SBIN')], { symbol: 'SBIN', action: 'COVER' }, '10:00'),
    ).toMatchObject({
      orders: [{ kind: 'smart', action: 'BUY', positionSize: 0 }],
    });
  });

  it('BOTH: smart orders to the signed target, sign checked', () => {
    const both = strategy({ trading_mode: 'BOTH' });
    expect(
      planStrategyAlert(
        both,
        [mapping('SBIN')],
        { symbol: 'SBIN', action: 'SELL', position_size: -20 },
        '10:00',
      ),
    ).toMatchObject({
      orders: [{ kind: 'smart', action: 'SELL', positionSize: -20 }],
    });
    expect(
      planStrategyAlert(both, [mapping('SBIN')], { symbol: 'SBIN', action: 'BUY' }, '10:00'),
    ).toMatchObject({
      ok: false,
      message: 'position_size is required for strategies that trade BOTH directions',
    });
    expect(
      planStrategyAlert(
        both,
        [mapping('SBIN')],
        { symbol: 'SBIN', action: 'BUY', position_size: -1 },
        '10:00',
      ),
    ).toMatchObject({
      ok: false,
      message: 'BUY needs position_size ≥ 0',
    });
    expect(
      planStrategyAlert(both, [mapping('SBIN')], { symbol: 'SBIN', action: 'COVER' }, '10:00'),
    ).toMatchObject({
      orders: [{ kind: 'smart', action: 'BUY', positionSize: 0 }],
    });
  });

  it('enforces the intraday window: entries until end, exits until square-off', () => {
    const plan = (action: 'BUY' | 'SELL', time: string) =>
      planStrategyAlert(strategy(), [mapping('SBIN')], { symbol: 'SBIN', action }, time);
    expect(plan('BUY', '09:10')).toMatchObject({
      ok: false,
      message: 'Outside trading window: orders start at 09:20 IST',
    });
    expect(plan('BUY', '15:05')).toMatchObject({
      ok: false,
      message: 'Outside trading window: no new entries after 15:00 IST',
    });
    expect(plan('SELL', '15:05')).toMatchObject({ ok: true });
    expect(plan('SELL', '15:20')).toMatchObject({
      ok: false,
      message: 'Outside trading window: exits end at 15:15 IST',
    });
    expect(
      planStrategyAlert(
        strategy({ is_intraday: false }),
        [mapping('SBIN')],
        { symbol: 'SBIN', action: 'BUY' },
        '23:00',
      ),
    ).toMatchObject({ ok: true });
  });

  it('refuses unmapped and ambiguous symbols', () => {
    expect(
      planStrategyAlert(strategy(), [mapping('SBIN')], { symbol: 'INFY', action: 'BUY' }, '10:00'),
    ).toMatchObject({
      ok: false,
      message: 'No symbol mapping for INFY in this strategy',
    });
    const twice = [mapping('SBIN', 'NSE'), mapping('SBIN', 'BSE')];
    expect(planStrategyAlert(strategy(), twice, { symbol: 'SBIN', action: 'BUY' }, '10:00')).toMatchObject({
      ok: false,
    });
    expect(
      planStrategyAlert(strategy(), twice, { symbol: 'SBIN', action: 'BUY', exchange: 'BSE' }, '10:00'),
    ).toMatchObject({
      orders: [{ exchange: 'BSE' }],
    });
  });
});

describe('planning ChartInk alerts', () => {
  const chartink = strategy({ kind: 'chartink', platform: 'chartink' });
  const mappings = [mapping('SBIN', 'NSE', 10), mapping('INFY', 'NSE', 3, 'CNC')];

  it('reads the action from the scan name', () => {
    expect(actionFromScanName('Intraday Buy breakout')).toBe('BUY');
    expect(actionFromScanName('SHORT on weakness')).toBe('SHORT');
    expect(actionFromScanName('cover shorts')).toBe('COVER');
    expect(actionFromScanName('sell-off exit')).toBe('SELL');
    expect(actionFromScanName('momentum scan')).toBeNull();
  });

  it('plans one order per mapped stock and skips the rest', () => {
    const plan = planChartinkAlert(
      chartink,
      mappings,
      { stocks: 'SBIN,INFY,TCS', trigger_prices: '500,1400,3000', scan_name: 'Buy scan' },
      '10:00',
    );
    expect(plan).toEqual({
      ok: true,
      skipped: ['TCS'],
      orders: [
        { kind: 'order', symbol: 'SBIN', exchange: 'NSE', product: 'MIS', action: 'BUY', quantity: 10 },
        { kind: 'order', symbol: 'INFY', exchange: 'NSE', product: 'CNC', action: 'BUY', quantity: 3 },
      ],
    });
    expect(
      planChartinkAlert(chartink, mappings, { stocks: 'SBIN', scan_name: 'Cover' }, '10:00'),
    ).toMatchObject({
      orders: [{ kind: 'smart', action: 'BUY', positionSize: 0 }],
    });
    expect(planChartinkAlert(chartink, mappings, { stocks: 'TCS', scan_name: 'Buy' }, '10:00')).toMatchObject(
      { ok: false },
    );
    expect(
      planChartinkAlert(chartink, mappings, { stocks: 'SBIN', scan_name: 'Buy' }, '15:30'),
    ).toMatchObject({ ok: false });
  });

  it('keys duplicates by content, whatever the key order', () => {
    expect(dedupeKeyFor({ a: 1, b: { d: 2, c: 3 } })).toBe(dedupeKeyFor({ b: { c: 3, d: 2 }, a: 1 }));
    expect(dedupeKeyFor({ a: 1 })).not.toBe(dedupeKeyFor({ a: 2 }));
  });
});
