import { useApiQuery } from '../api/api-context.js';
import { accountOperations } from '../api/operations.js';
import { HoldingsTable } from '../components/books.js';
import { QueryView } from '../components/states.js';
import { formatMoney, formatSigned, toneOf } from '../lib/format.js';

export function HoldingsPage() {
  const holdings = useApiQuery(accountOperations.holdings, {}, { refetchInterval: 60_000 });
  return (
    <div className="page">
      <div className="page-header">
        <h1>Holdings</h1>
        <div className="spacer" />
        <button type="button" onClick={() => void holdings.refetch()}>
          Refresh
        </button>
      </div>
      <QueryView query={holdings}>
        {(data) => (
          <>
            <div className="cards">
              <div className="card stat">
                <span className="muted">Invested</span>
                <strong>{formatMoney(data.data.statistics.totalinvvalue)}</strong>
              </div>
              <div className="card stat">
                <span className="muted">Current value</span>
                <strong>{formatMoney(data.data.statistics.totalholdingvalue)}</strong>
              </div>
              <div className="card stat">
                <span className="muted">P&L</span>
                <strong className={`tone-${toneOf(data.data.statistics.totalprofitandloss)}`}>
                  {formatSigned(data.data.statistics.totalprofitandloss)}
                </strong>
              </div>
            </div>
            <HoldingsTable holdings={data.data.holdings} />
          </>
        )}
      </QueryView>
    </div>
  );
}
