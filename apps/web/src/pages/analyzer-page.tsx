import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import type { AnalyzerLogRow } from '../api/contracts/analyzer.js';
import { analyzerOperations } from '../api/operations.js';
import { Modal } from '../components/modal.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { formatTime } from '../lib/format.js';

function statusOf(row: AnalyzerLogRow): string {
  const response = row.response_data as Record<string, unknown> | null;
  return response && typeof response.status === 'string' ? response.status : '—';
}

function field(row: AnalyzerLogRow, name: string): string {
  const request = row.request_data as Record<string, unknown> | null;
  const value = request?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Analyzer (sandbox) mode: the switch and every API call made while it was on. */
export function AnalyzerPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const status = useApiQuery(analyzerOperations.status, {}, { retry: false });
  const log = useApiQuery(analyzerOperations.log, undefined, { retry: false, refetchInterval: 10_000 });
  const [filter, setFilter] = useState('');
  const [detail, setDetail] = useState<AnalyzerLogRow | null>(null);
  const closeDetail = useCallback(() => setDetail(null), []);
  const toggle = useMutation({
    mutationFn: (mode: boolean) => client.call(analyzerOperations.toggle, { mode }),
    onSuccess: async (answer) => {
      toast.info(answer.data.message ?? `Analyzer ${answer.data.analyze_mode ? 'on' : 'off'}`);
      await queryClient.invalidateQueries();
    },
    onError: (error) => toast.fromError(error),
  });
  const isOn = status.data?.data.analyze_mode ?? false;
  const rows = (log.data?.data ?? []).filter((row) => {
    const text = filter.trim().toUpperCase();
    return !text || row.api_type.toUpperCase().includes(text) || field(row, 'symbol').includes(text);
  });
  return (
    <div className="page">
      <h1>Analyzer</h1>
      <section className="card">
        {status.isPending ? (
          <Loading />
        ) : status.error ? (
          <ErrorState error={status.error} onRetry={() => void status.refetch()} />
        ) : (
          <div className="page-header">
            <p>
              Analyzer mode is <strong data-testid="analyzer-state">{isOn ? 'on' : 'off'}</strong>.{' '}
              {isOn
                ? 'Orders go to the sandbox with virtual funds, filled at live prices.'
                : 'Orders go to your broker.'}
            </p>
            <div className="spacer" />
            <button
              type="button"
              className={isOn ? '' : 'primary'}
              onClick={() => toggle.mutate(!isOn)}
              disabled={toggle.isPending}
              data-testid="analyzer-toggle"
            >
              {isOn ? 'Switch to live' : 'Switch to analyzer'}
            </button>
          </div>
        )}
      </section>
      <section>
        <div className="page-header">
          <h2>Analyzer log</h2>
          <div className="spacer" />
          <label htmlFor="analyzer-filter" className="visually-hidden">
            Filter
          </label>
          <input
            id="analyzer-filter"
            placeholder="Filter by API or symbol"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
        {log.isPending ? (
          <Loading />
        ) : log.error ? (
          <ErrorState error={log.error} onRetry={() => void log.refetch()} />
        ) : rows.length === 0 ? (
          <Empty title="No analyzer requests yet">API calls made in analyzer mode are recorded here.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Analyzer log">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">API</th>
                  <th scope="col">Symbol</th>
                  <th scope="col">Action</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Detail</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <td className="small">{formatTime(row.created_at)}</td>
                    <td>{row.api_type}</td>
                    <td>{field(row, 'symbol')}</td>
                    <td>{field(row, 'action')}</td>
                    <td>
                      <span className={`status status-${statusOf(row)}`}>{statusOf(row)}</span>
                    </td>
                    <td>
                      <button type="button" onClick={() => setDetail(row)}>
                        Detail
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {detail ? (
        <Modal label="Request detail" onClose={closeDetail} className="wide">
          <h2>{detail.api_type}</h2>
          <h3>Request</h3>
          <pre>{JSON.stringify(detail.request_data, null, 2)}</pre>
          <h3>Response</h3>
          <pre>{JSON.stringify(detail.response_data, null, 2)}</pre>
          <button type="button" onClick={closeDetail}>
            Close
          </button>
        </Modal>
      ) : null}
    </div>
  );
}
