import { useApiQuery } from '../api/api-context.js';
import { accountOperations } from '../api/operations.js';
import { TradeBookTable } from '../components/books.js';
import { QueryView } from '../components/states.js';

export function TradeBookPage() {
  const book = useApiQuery(accountOperations.tradeBook, {}, { refetchInterval: 30_000 });
  return (
    <div className="page">
      <div className="page-header">
        <h1>Trade book</h1>
        {book.data?.mode === 'analyze' ? <span className="badge badge-analyzer">Analyzer</span> : null}
        <div className="spacer" />
        <button type="button" onClick={() => void book.refetch()}>
          Refresh
        </button>
      </div>
      <QueryView query={book}>{(data) => <TradeBookTable trades={data.data} />}</QueryView>
    </div>
  );
}
