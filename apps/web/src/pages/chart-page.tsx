import { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { useApiQuery } from '../api/api-context.js';
import { marketOperations } from '../api/operations.js';
import { type Bar, CandleChart } from '../components/chart-canvas.js';
import { LivePrice } from '../components/live-price.js';
import { useOrderTicket } from '../components/order-ticket.js';
import { ErrorState, Loading } from '../components/states.js';
import { intervalSeconds, istDaysAgo } from '../lib/ist-date.js';
import { useTick, useWatch } from '../live/live-context.js';

const INTERVALS = ['1m', '5m', '15m', '1h', 'D'] as const;

/** Candles from history, the forming bar moved by live ticks. */
export function ChartPage() {
  const params = useParams();
  const exchange = params.exchange ?? 'NSE';
  const symbol = decodeURIComponent(params.symbol ?? '');
  const [interval, setInterval] = useState<(typeof INTERVALS)[number]>('5m');
  const ticket = useOrderTicket();
  const now = useMemo(() => Date.now(), []);
  const history = useApiQuery(
    marketOperations.history,
    {
      symbol,
      exchange: exchange as never,
      interval,
      start_date: istDaysAgo(now, interval === 'D' ? 365 : 5),
      end_date: istDaysAgo(now, 0),
    },
    { staleTime: 60_000, retry: false },
  );
  useWatch([{ exchange, symbol }]);
  const tick = useTick(exchange, symbol);
  const [bars, setBars] = useState<Bar[]>([]);
  useEffect(() => {
    ticket.select({ exchange, symbol });
  }, [ticket, exchange, symbol]);
  useEffect(() => {
    if (history.data) {
      setBars(
        history.data.data.map((candle) => ({
          time: candle.timestamp,
          open: candle.open,
          high: candle.high,
          low: candle.low,
          close: candle.close,
        })),
      );
    }
  }, [history.data]);
  useEffect(() => {
    if (!tick) {
      return;
    }
    // Display edge: the chart library draws JS numbers.
    const price = Number(tick.ltp);
    const step = intervalSeconds(interval);
    const bucket = Math.floor(tick.at / 1000 / step) * step;
    setBars((current) => {
      const last = current[current.length - 1];
      if (!last || bucket > last.time) {
        return [...current, { time: bucket, open: price, high: price, low: price, close: price }];
      }
      const updated = {
        ...last,
        close: price,
        high: Math.max(last.high, price),
        low: Math.min(last.low, price),
      };
      return [...current.slice(0, -1), updated];
    });
  }, [tick, interval]);
  return (
    <div className="page">
      <div className="page-header">
        <h1>
          {symbol} <span className="muted small">{exchange}</span>
        </h1>
        <LivePrice exchange={exchange} symbol={symbol} />
        <div className="spacer" />
        <div className="segmented inline" role="tablist" aria-label="Interval">
          {INTERVALS.map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={interval === value}
              className={`segment ${interval === value ? 'active' : ''}`}
              onClick={() => setInterval(value)}
            >
              {value}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="buy"
          onClick={() => ticket.open({ exchange, symbol, action: 'BUY' })}
        >
          Buy
        </button>
        <button
          type="button"
          className="sell"
          onClick={() => ticket.open({ exchange, symbol, action: 'SELL' })}
        >
          Sell
        </button>
      </div>
      {history.isPending ? (
        <Loading label="Loading candles…" />
      ) : history.error ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : (
        <CandleChart bars={bars} label={`${symbol} ${interval} candles`} />
      )}
    </div>
  );
}
