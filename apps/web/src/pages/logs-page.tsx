import { useState } from 'react';
import { useApiQuery } from '../api/api-context.js';
import { logOperations } from '../api/operations.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/format.js';

/** A measured duration (not money): a number of milliseconds, shown to 0.1 ms. */
function formatMs(value: number): string {
  return value.toFixed(1);
}

type Tab = 'traffic' | 'latency' | 'orders';

const TAB_LABELS: Record<Tab, string> = { traffic: 'Traffic', latency: 'Latency', orders: 'Orders' };

/** Traffic (every API call), latency (per order) and the order log (request, answer, outcome). */
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
  const orders = useApiQuery(logOperations.orders, undefined, {
    enabled: tab === 'orders',
    query: { limit: 200 },
    refetchInterval: 10_000,
  });
  return (
    <div className="page">
      <div className="page-header">
        <h1>Logs</h1>
        <div className="spacer" />
        <div className="segmented inline" role="tablist" aria-label="Log">
          {(['traffic', 'latency', 'orders'] as const).map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={tab === value}
              className={`segment ${tab === value ? 'active' : ''}`}
              onClick={() => setTab(value)}
            >
              {TAB_LABELS[value]}
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
                      {data.data.map((row) => (
                        <tr key={row.id}>
                          <td className="small">{formatTime(row.at)}</td>
                          <td>{row.method}</td>
                          <td>{row.path}</td>
                          <td className={`num ${row.status >= 400 ? 'tone-down' : ''}`}>{row.status}</td>
                          <td className="num">{formatMs(row.duration_ms)}</td>
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
      ) : tab === 'latency' ? (
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
                      <th scope="col">Order</th>
                      <th scope="col">Broker</th>
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
                    {data.data.map((row) => (
                      <tr key={row.id}>
                        <td className="small">{formatTime(row.at)}</td>
                        <td>{row.operation}</td>
                        <td className="small">{row.orderid ?? ''}</td>
                        <td>
                          {row.broker}
                          {row.mode === 'analyze' ? ' (analyzer)' : ''}
                        </td>
                        <td className="num">{formatMs(row.platform_ms)}</td>
                        <td className="num">{formatMs(row.broker_ms)}</td>
                        <td className="num">{formatMs(row.total_ms)}</td>
                        <td>{row.status}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      ) : (
        <QueryView query={orders}>
          {(data) =>
            data.data.length === 0 ? (
              <Empty title="No orders yet">Every order request is kept here with the broker's answer.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label="Order log">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Operation</th>
                      <th scope="col">Symbol</th>
                      <th scope="col">Strategy</th>
                      <th scope="col">Order</th>
                      <th scope="col">Status</th>
                      <th scope="col">Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.data.map((row) => (
                      <tr key={row.id} data-testid={`order-log-${row.id}`}>
                        <td className="small">{formatTime(row.at)}</td>
                        <td>
                          {row.operation}
                          {row.mode === 'analyze' ? ' (analyzer)' : ''}
                        </td>
                        <td>{row.symbol ? `${row.symbol} ${row.exchange ?? ''}` : ''}</td>
                        <td>{row.strategy ?? ''}</td>
                        <td className="small">{row.orderid ?? ''}</td>
                        <td
                          className={row.status === 'rejected' || row.status === 'failed' ? 'tone-down' : ''}
                        >
                          {row.status}
                        </td>
                        <td className="small">{row.error ?? ''}</td>
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
