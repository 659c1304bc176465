import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { operationKey, useApi, useApiQuery } from '../api/api-context.js';
import { accountOperations, marketOperations } from '../api/operations.js';
import { LineChart } from '../components/chart-canvas.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { TotalPnl } from '../components/total-pnl.js';
import { formatMoney } from '../lib/format.js';
import { istDaysAgo } from '../lib/ist-date.js';
import { buildPnlCurve, type CurveCandle, maxDrawdown } from '../lib/pnl-curve.js';
import { useWatch } from '../live/live-context.js';

/** Today's intraday P&L curve and its worst peak-to-trough fall. */
export function PnlPage() {
  const client = useApi();
  const trades = useApiQuery(accountOperations.tradeBook, {}, { refetchInterval: 60_000 });
  const positions = useApiQuery(accountOperations.positionBook, {}, { refetchInterval: 15_000 });
  const today = useMemo(() => istDaysAgo(Date.now(), 0), []);
  const symbols = useMemo(() => {
    const seen = new Map<string, { symbol: string; exchange: string }>();
    for (const trade of trades.data?.data ?? []) {
      seen.set(`${trade.exchange}:${trade.symbol}`, { symbol: trade.symbol, exchange: trade.exchange });
    }
    return [...seen.values()];
  }, [trades.data]);
  useWatch(symbols);
  const histories = useQueries({
    queries: symbols.map((entry) => {
      const body = {
        symbol: entry.symbol,
        exchange: entry.exchange as never,
        interval: '1m' as const,
        start_date: today,
        end_date: today,
      };
      return {
        queryKey: operationKey(marketOperations.history.path, body),
        queryFn: () => client.call(marketOperations.history, body),
        staleTime: 60_000,
        retry: false,
      };
    }),
  });
  const isLoadingHistory = histories.some((query) => query.isPending);
  const points = useMemo(() => {
    const candles = new Map<string, CurveCandle[]>();
    symbols.forEach((entry, index) => {
      const data = histories[index]?.data?.data;
      if (data) {
        candles.set(`${entry.exchange}:${entry.symbol}`, data);
      }
    });
    return buildPnlCurve(trades.data?.data ?? [], candles);
  }, [histories, symbols, trades.data]);
  if (trades.isPending) {
    return <Loading />;
  }
  if (trades.error) {
    return <ErrorState error={trades.error} onRetry={() => void trades.refetch()} />;
  }
  return (
    <div className="page">
      <div className="page-header">
        <h1>P&L tracker</h1>
        <div className="spacer" />
        <span className="muted">
          Now <TotalPnl positions={positions.data?.data ?? []} />
        </span>
        <span className="muted">Max drawdown {formatMoney(maxDrawdown(points))}</span>
      </div>
      {symbols.length === 0 ? (
        <Empty title="No trades today">The curve starts with your first fill.</Empty>
      ) : isLoadingHistory ? (
        <Loading label="Loading minute candles…" />
      ) : (
        <LineChart
          label="Intraday P&L"
          // Display edge: the chart draws JS numbers.
          points={points.map((point) => ({ time: point.time, value: Number(point.pnl.toFixed(2)) }))}
        />
      )}
    </div>
  );
}
