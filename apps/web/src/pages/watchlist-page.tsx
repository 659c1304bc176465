import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/api-context.js';
import { marketOperations } from '../api/operations.js';
import { LiveChange, LivePrice } from '../components/live-price.js';
import { useOrderTicket } from '../components/order-ticket.js';
import { Empty, Loading } from '../components/states.js';
import { toast } from '../components/toasts.js';
import {
  addToWatchlist,
  removeFromWatchlist,
  useWatchlist,
  type WatchlistEntry,
} from '../lib/watchlist-store.js';
import { useWatch } from '../live/live-context.js';

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function SymbolSearch({ onPick }: { onPick: (entry: WatchlistEntry) => void }) {
  const [text, setText] = useState('');
  const [highlight, setHighlight] = useState(0);
  const query = useDebounced(text.trim(), 200);
  const inputRef = useRef<HTMLInputElement>(null);
  const [params] = useSearchParams();
  useEffect(() => {
    if (params.get('focus') === 'search') {
      inputRef.current?.focus();
    }
  }, [params]);
  const results = useApiQuery(
    marketOperations.search,
    { query: query || ' ' },
    { enabled: query.length >= 2, staleTime: 60_000, retry: false },
  );
  const rows = query.length >= 2 ? (results.data?.data ?? []).slice(0, 12) : [];
  const pick = (row: { symbol: string; exchange: string }) => {
    onPick({ symbol: row.symbol, exchange: row.exchange });
    setText('');
    setHighlight(0);
  };
  return (
    <div className="search">
      <label htmlFor="symbol-search" className="visually-hidden">
        Search symbols
      </label>
      <input
        id="symbol-search"
        ref={inputRef}
        placeholder="Search symbols (e.g. SBIN, NIFTY)…  /"
        value={text}
        autoComplete="off"
        role="combobox"
        aria-expanded={rows.length > 0}
        aria-autocomplete="list"
        aria-controls="search-results"
        aria-activedescendant={rows[highlight] ? `search-option-${highlight}` : undefined}
        onChange={(event) => {
          setText(event.target.value);
          setHighlight(0);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setHighlight((value) => Math.min(value + 1, rows.length - 1));
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            setHighlight((value) => Math.max(value - 1, 0));
          } else if (event.key === 'Enter' && rows[highlight]) {
            event.preventDefault();
            pick(rows[highlight]);
          } else if (event.key === 'Escape') {
            setText('');
          }
        }}
      />
      {query.length >= 2 && results.isFetching && rows.length === 0 ? <Loading label="Searching…" /> : null}
      {results.error ? <p className="field-error">{results.error.message}</p> : null}
      {query.length >= 2 && results.data && rows.length === 0 ? (
        <p className="muted">No matching symbols.</p>
      ) : null}
      {rows.length > 0 ? (
        <div id="search-results" className="search-results" role="listbox" aria-label="Matching symbols">
          {rows.map((row, index) => (
            <div
              key={`${row.exchange}:${row.symbol}`}
              id={`search-option-${index}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === highlight}
              className={index === highlight ? 'active' : ''}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(row);
              }}
            >
              <strong>{row.symbol}</strong> <span className="muted">{row.exchange}</span>
              <span className="muted small"> {row.name ?? ''}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** Symbols the trader follows, with live LTP and change; buy/sell/chart from each row. */
export function WatchlistPage() {
  const entries = useWatchlist();
  const ticket = useOrderTicket();
  const [selected, setSelected] = useState<number>(0);
  useWatch(entries);
  useEffect(() => {
    const entry = entries[selected];
    ticket.select(entry ?? null);
  }, [entries, selected, ticket]);
  return (
    <div className="page">
      <h1>Watchlist</h1>
      <SymbolSearch
        onPick={(entry) => {
          if (addToWatchlist(entry)) {
            toast.success(`${entry.symbol} added to the watchlist`);
          } else {
            toast.info(`${entry.symbol} is already in the watchlist`);
          }
        }}
      />
      {entries.length === 0 ? (
        <Empty title="Your watchlist is empty">Search for a symbol above to follow its price.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Watchlist">
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col" className="num">
                  LTP
                </th>
                <th scope="col" className="num">
                  Change
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, index) => (
                <tr
                  key={`${entry.exchange}:${entry.symbol}`}
                  className={index === selected ? 'selected' : ''}
                  onClick={() => setSelected(index)}
                  data-testid={`watch-${entry.exchange}-${entry.symbol}`}
                >
                  <td>
                    <strong>{entry.symbol}</strong> <span className="muted small">{entry.exchange}</span>
                  </td>
                  <td className="num">
                    <LivePrice exchange={entry.exchange} symbol={entry.symbol} />
                  </td>
                  <td className="num">
                    <LiveChange exchange={entry.exchange} symbol={entry.symbol} />
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="buy"
                      onClick={() => ticket.open({ ...entry, action: 'BUY' })}
                    >
                      B<span className="visually-hidden">uy {entry.symbol}</span>
                    </button>
                    <button
                      type="button"
                      className="sell"
                      onClick={() => ticket.open({ ...entry, action: 'SELL' })}
                    >
                      S<span className="visually-hidden">ell {entry.symbol}</span>
                    </button>
                    <Link
                      className="button"
                      to={`/chart/${entry.exchange}/${encodeURIComponent(entry.symbol)}`}
                    >
                      Chart
                    </Link>
                    <button
                      type="button"
                      onClick={() => removeFromWatchlist(entry)}
                      aria-label={`Remove ${entry.symbol}`}
                    >
                      ✕
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">Select a row, then press b to buy or s to sell.</p>
    </div>
  );
}
