import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import type { PendingOrder } from '../api/contracts/action-center.js';
import { actionCenterOperations } from '../api/operations.js';
import { Empty, QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { formatTime } from '../lib/format.js';

const STATUSES = ['pending', 'approved', 'rejected', 'all'] as const;

function orderField(order: PendingOrder, name: 'symbol' | 'exchange' | 'action' | 'quantity'): string {
  const direct = order[name];
  if (direct !== undefined && direct !== null) {
    return String(direct);
  }
  const value = order.order_data?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Semi-auto mode: orders from the API, webhooks and strategies wait here for approval. */
export function ActionCenterPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('pending');
  const list = useApiQuery(actionCenterOperations.list, undefined, {
    query: { status },
    refetchInterval: 10_000,
  });
  const refresh = () => queryClient.invalidateQueries();
  const approve = useMutation({
    mutationFn: (id: string | number) => client.call(actionCenterOperations.approve(id)),
    onSuccess: async (answer) => {
      if (answer.status === 'success') {
        toast.success(`${answer.message}${answer.broker_order_id ? ` (${answer.broker_order_id})` : ''}`);
      } else {
        toast.error(answer.message);
      }
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const reject = useMutation({
    mutationFn: (id: string | number) =>
      client.call(actionCenterOperations.reject(id), { reason: 'Rejected from the web app' }),
    onSuccess: async (answer) => {
      toast.info(answer.message);
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const approveAll = useMutation({
    mutationFn: () => client.call(actionCenterOperations.approveAll),
    onSuccess: async (answer) => {
      (answer.status === 'success' || answer.status === 'info' ? toast.success : toast.error)(answer.message);
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const pendingCount = list.data?.data.orders.filter((order) => order.status === 'pending').length ?? 0;
  const isBusy = approve.isPending || reject.isPending || approveAll.isPending;
  return (
    <div className="page">
      <div className="page-header">
        <h1>Action Center</h1>
        <div className="spacer" />
        <div className="segmented inline" role="tablist" aria-label="Status">
          {STATUSES.map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={status === value}
              className={`segment ${status === value ? 'active' : ''}`}
              onClick={() => setStatus(value)}
            >
              {value}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="primary"
          disabled={pendingCount === 0 || isBusy}
          onClick={() => approveAll.mutate()}
        >
          Approve all ({pendingCount})
        </button>
      </div>
      <QueryView query={list}>
        {(data) =>
          data.data.orders.length === 0 ? (
            <Empty title={status === 'pending' ? 'Nothing waiting for approval' : 'No orders here'}>
              In semi-auto mode, orders from the API and strategies queue here until you approve them.
            </Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Pending orders">
                <thead>
                  <tr>
                    <th scope="col">Queued</th>
                    <th scope="col">Type</th>
                    <th scope="col">Symbol</th>
                    <th scope="col">Side</th>
                    <th scope="col" className="num">
                      Qty
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.orders.map((order) => (
                    <tr key={order.id} data-testid={`pending-${order.id}`}>
                      <td className="small">{formatTime(order.created_at)}</td>
                      <td>
                        {order.api_type}
                        {order.request_id ? (
                          <div className="muted small" title="The request or strategy alert that queued it">
                            {order.request_id}
                          </div>
                        ) : null}
                      </td>
                      <td>
                        <strong>{orderField(order, 'symbol')}</strong>{' '}
                        <span className="muted small">{orderField(order, 'exchange')}</span>
                      </td>
                      <td>{orderField(order, 'action')}</td>
                      <td className="num">{orderField(order, 'quantity')}</td>
                      <td>
                        <span className={`status status-${order.status}`}>{order.status}</span>
                        {order.broker_status ? (
                          <div className="muted small">{order.broker_status}</div>
                        ) : null}
                        {order.broker_order_id ? (
                          <div className="muted small">{order.broker_order_id}</div>
                        ) : null}
                      </td>
                      <td className="row-actions">
                        {order.status === 'pending' ? (
                          <>
                            <button
                              type="button"
                              className="primary"
                              disabled={isBusy}
                              onClick={() => approve.mutate(order.id)}
                            >
                              Approve
                            </button>
                            <button type="button" disabled={isBusy} onClick={() => reject.mutate(order.id)}>
                              Reject
                            </button>
                          </>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
    </div>
  );
}
