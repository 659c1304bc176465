import { type Dec, toDecimal } from '@openalgo/shared-types/decimal';

/**
 * Today's P&L curve, rebuilt from the trade book and 1-minute candles (as OpenAlgo's P&L
 * tracker does): at each minute, every trade done by then is marked to that minute's close.
 */

export interface CurveTrade {
  symbol: string;
  exchange: string;
  action: string;
  quantity: number;
  average_price: string;
  timestamp?: string | undefined;
}

export interface CurveCandle {
  /** Epoch seconds of the bar's start. */
  timestamp: number;
  close: number;
}

export interface CurvePoint {
  time: number;
  pnl: Dec;
}

const IST_OFFSET_SECONDS = 19_800;

/** Seconds since IST midnight of a broker timestamp (`13:58:03`, `2026-12-01 13:58:03`, `01-Dec-2026 13:58:03`). */
export function tradeSecondOfDay(timestamp: string | undefined): number | null {
  const match = /(\d{1,2}):(\d{2}):(\d{2})/.exec(timestamp ?? '');
  if (!match) {
    return null;
  }
  return Number(match[1]) * 3_600 + Number(match[2]) * 60 + Number(match[3]);
}

export function candleSecondOfDay(epochSeconds: number): number {
  return (((epochSeconds + IST_OFFSET_SECONDS) % 86_400) + 86_400) % 86_400;
}

export function buildPnlCurve(
  trades: readonly CurveTrade[],
  candles: ReadonlyMap<string, readonly CurveCandle[]>,
): CurvePoint[] {
  const times = new Set<number>();
  for (const series of candles.values()) {
    for (const candle of series) {
      times.add(candle.timestamp);
    }
  }
  const ordered = [...times].sort((a, b) => a - b);
  const lastClose = new Map<string, string>();
  const byTime = new Map<string, Map<number, number>>();
  for (const [key, series] of candles) {
    byTime.set(key, new Map(series.map((candle) => [candle.timestamp, candle.close])));
  }
  const points: CurvePoint[] = [];
  for (const time of ordered) {
    const barEnd = candleSecondOfDay(time) + 60;
    for (const [key, series] of byTime) {
      const close = series.get(time);
      if (close !== undefined) {
        lastClose.set(key, String(close));
      }
    }
    let total = toDecimal(0);
    for (const trade of trades) {
      const at = tradeSecondOfDay(trade.timestamp);
      const key = `${trade.exchange}:${trade.symbol}`;
      const mark = lastClose.get(key);
      if (at === null || at > barEnd || mark === undefined) {
        continue;
      }
      const signed = trade.action === 'SELL' ? -trade.quantity : trade.quantity;
      total = total.plus(toDecimal(mark).minus(trade.average_price).mul(signed));
    }
    points.push({ time, pnl: total });
  }
  return points;
}

/** The largest fall from a running peak (a positive amount, or 0). */
export function maxDrawdown(points: readonly CurvePoint[]): Dec {
  let peak: Dec | null = null;
  let worst = toDecimal(0);
  for (const point of points) {
    if (peak === null || point.pnl.gt(peak)) {
      peak = point.pnl;
    }
    const fall = peak.minus(point.pnl);
    if (fall.gt(worst)) {
      worst = fall;
    }
  }
  return worst;
}
