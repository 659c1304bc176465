import { useState } from 'react';
import { useApiQuery } from '../api/api-context.js';
import { logOperations } from '../api/operations.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/format.js';

type Tab = 'traffic' | 'latency';

/** Traffic (every API call) and latency (per order) logs, filterable. */
export function LogsPage() {
  const [tab, setTab] = useState<Tab>('traffic');
  const [path, setPath] = useState('');
  const [status, setStatus] = useState('');
  const traffic = useApiQuery(logOperations.traffic, undefined, {
    enabled: tab === 'traffic',
    query: { path: path.trim() || undefined, status: status || undefined, limit: 200 },
    refetchInterval: 10_000,
  });
  const latency = useApiQuery(logOperations.latency, undefined, {
    enabled: tab === 'latency',
    query: { limit: 200 },
    refetchInterval: 10_000,
  });
  return (
    <div className="page">
      <div className="page-header">
        <h1>Logs</h1>
        <div className="spacer" />
        <div className="segmented inline" role="tablist" aria-label="Log">
          {(['traffic', 'latency'] as const).map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={tab === value}
              className={`segment ${tab === value ? 'active' : ''}`}
              onClick={() => setTab(value)}
            >
              {value === 'traffic' ? 'Traffic' : 'Latency'}
            </button>
          ))}
        </div>
      </div>
      {tab === 'traffic' ? (
        <>
          <div className="filters">
            <label htmlFor="logs-path">Path contains</label>
            <input
              id="logs-path"
              value={path}
              placeholder="/api/v1/placeorder"
              onChange={(e) => setPath(e.target.value)}
            />
            <label htmlFor="logs-status">Status</label>
            <select id="logs-status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">any</option>
              <option value="2xx">2xx</option>
              <option value="4xx">4xx</option>
              <option value="5xx">5xx</option>
            </select>
          </div>
          <QueryView query={traffic}>
            {(data) =>
              data.data.length === 0 ? (
                <Empty title="No matching requests" />
              ) : (
                <div className="table-wrap">
                  <table className="table" aria-label="Traffic log">
                    <thead>
                      <tr>
                        <th scope="col">Time</th>
                        <th scope="col">Method</th>
                        <th scope="col">Path</th>
                        <th scope="col" className="num">
                          Status
                        </th>
                        <th scope="col" className="num">
                          ms
                        </th>
                        <th scope="col">Client</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.data.map((row, index) => (
                        <tr key={row.request_id ?? index}>
                          <td className="small">{formatTime(row.at)}</td>
                          <td>{row.method}</td>
                          <td>{row.path}</td>
                          <td className={`num ${row.status >= 400 ? 'tone-down' : ''}`}>{row.status}</td>
                          <td className="num">{String(row.duration_ms)}</td>
                          <td className="small">{row.client_ip ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </QueryView>
        </>
      ) : (
        <QueryView query={latency}>
          {(data) =>
            data.data.length === 0 ? (
              <Empty title="No orders measured yet">
                Each order records platform time and broker round trip.
              </Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label="Latency log">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Operation</th>
                      <th scope="col">Symbol</th>
                      <th scope="col" className="num">
                        Platform ms
                      </th>
                      <th scope="col" className="num">
                        Broker ms
                      </th>
                      <th scope="col" className="num">
                        Total ms
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.data.map((row, index) => (
                      <tr key={`${row.orderid ?? ''}-${index}`}>
                        <td className="small">{formatTime(row.at)}</td>
                        <td>{row.operation ?? ''}</td>
                        <td>{row.symbol ?? ''}</td>
                        <td className="num">{row.platform_ms ?? '—'}</td>
                        <td className="num">{row.broker_ms ?? '—'}</td>
                        <td className="num">{row.total_ms ?? '—'}</td>
                        <td>{row.status ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      )}
    </div>
  );
}
