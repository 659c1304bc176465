import { Link } from 'react-router';
import { useApiQuery } from '../api/api-context.js';
import type { PositionRow } from '../api/contracts/account.js';
import { accountOperations, analyzerOperations, authOperations } from '../api/operations.js';
import { PositionsTable } from '../components/books.js';
import { ErrorState, Loading } from '../components/states.js';
import { TotalPnl } from '../components/total-pnl.js';
import { formatMoney, formatSigned, toneOf } from '../lib/format.js';
import { useWatch } from '../live/live-context.js';

function Stat({ label, value, signed }: { label: string; value: string | undefined; signed?: boolean }) {
  return (
    <div className="card stat">
      <span className="muted">{label}</span>
      <strong className={signed ? `tone-${toneOf(value)}` : ''}>
        {signed ? formatSigned(value) : formatMoney(value)}
      </strong>
    </div>
  );
}

function OpenPositions({ positions }: { positions: PositionRow[] }) {
  const open = positions.filter((position) => position.quantity !== 0);
  useWatch(open);
  return <PositionsTable positions={open} />;
}

export function DashboardPage() {
  const funds = useApiQuery(accountOperations.funds, {}, { refetchInterval: 30_000 });
  const positions = useApiQuery(accountOperations.positionBook, {}, { refetchInterval: 15_000 });
  const analyzer = useApiQuery(analyzerOperations.status, {}, { staleTime: 30_000, retry: false });
  const apiKey = useApiQuery(authOperations.apiKey, undefined, { staleTime: 30_000, retry: false });
  const isAnalyzer = analyzer.data?.data.analyze_mode ?? false;
  const orderMode = apiKey.data?.data.order_mode;
  return (
    <div className="page">
      <div className="page-header">
        <h1>Dashboard</h1>
        {analyzer.data ? (
          <span
            className={`badge ${isAnalyzer ? 'badge-analyzer' : 'badge-live'}`}
            data-testid="dashboard-mode"
          >
            {isAnalyzer ? 'Analyzer mode' : 'Live mode'}
          </span>
        ) : null}
        {orderMode ? (
          <span className={`badge ${orderMode === 'semi_auto' ? 'badge-semi' : 'badge-auto'}`}>
            {orderMode === 'semi_auto' ? 'Semi-auto' : 'Auto'}
          </span>
        ) : null}
      </div>
      {funds.error ? (
        <ErrorState error={funds.error} onRetry={() => void funds.refetch()} />
      ) : funds.isPending ? (
        <Loading label="Loading funds…" />
      ) : (
        <div className="cards">
          <Stat label="Available cash" value={funds.data.data.availablecash} />
          <Stat label="Used margin" value={funds.data.data.utiliseddebits} />
          <Stat label="Collateral" value={funds.data.data.collateral} />
          <Stat label="Realised P&L" value={funds.data.data.m2mrealized} signed />
          <div className="card stat">
            <span className="muted">Day P&L (live)</span>
            <TotalPnl positions={positions.data?.data ?? []} testId="dashboard-day-pnl" />
          </div>
        </div>
      )}
      <section>
        <div className="page-header">
          <h2>Open positions</h2>
          <div className="spacer" />
          <Link to="/positions">All positions</Link>
        </div>
        {positions.error ? (
          <ErrorState error={positions.error} onRetry={() => void positions.refetch()} />
        ) : positions.isPending ? (
          <Loading />
        ) : (
          <OpenPositions positions={positions.data.data} />
        )}
      </section>
      <nav className="quick-links" aria-label="Shortcuts">
        <Link to="/watchlist">Watchlist</Link>
        <Link to="/orders">Order book</Link>
        <Link to="/pnl">P&L tracker</Link>
        <Link to="/action-center">Action Center</Link>
        <Link to="/logs">Logs</Link>
      </nav>
    </div>
  );
}
