import { describe, expect, it } from 'vitest';
import { buildPnlCurve, candleSecondOfDay, maxDrawdown, tradeSecondOfDay } from './pnl-curve.js';

// 2026-12-01 09:15 IST = 03:45 UTC.
const t0915 = Date.UTC(2026, 11, 1, 3, 45) / 1000;

describe('buildPnlCurve', () => {
  it('marks each trade from its minute on, long and short, and finds the drawdown', () => {
    expect(candleSecondOfDay(t0915)).toBe(9 * 3600 + 15 * 60);
    expect(tradeSecondOfDay('2026-12-01 09:16:30')).toBe(9 * 3600 + 16 * 60 + 30);
    expect(tradeSecondOfDay('01-Dec-2026 09:16:30')).toBe(9 * 3600 + 16 * 60 + 30);
    const candles = new Map([
      [
        'NSE:SBIN',
        [
          { timestamp: t0915, close: 800 },
          { timestamp: t0915 + 60, close: 802 },
          { timestamp: t0915 + 120, close: 799 },
          { timestamp: t0915 + 180, close: 805.5 },
        ],
      ],
    ]);
    const trades = [
      {
        symbol: 'SBIN',
        exchange: 'NSE',
        action: 'BUY',
        quantity: 10,
        average_price: '801',
        timestamp: '09:16:30',
      },
      {
        symbol: 'SBIN',
        exchange: 'NSE',
        action: 'SELL',
        quantity: 4,
        average_price: '800',
        timestamp: '09:17:10',
      },
    ];
    const points = buildPnlCurve(trades, candles);
    // 09:15 nothing yet; 09:16: 10 × (802 − 801); 09:17: 10 × (799 − 801) − 4 × (799 − 800);
    // 09:18: 10 × (805.5 − 801) − 4 × (805.5 − 800).
    expect(points.map((point) => point.pnl.toString())).toEqual(['0', '10', '-16', '23']);
    expect(maxDrawdown(points).toString()).toBe('26');
  });
});
