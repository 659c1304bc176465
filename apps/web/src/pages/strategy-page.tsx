import {
  type AddStrategySymbolsRequest,
  EXCHANGES,
  type Exchange,
  PRODUCTS,
  type Product,
} from '@openalgo/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useApi, useApiQuery } from '../api/api-context.js';
import { strategyOperations } from '../api/operations.js';
import { Confirm } from '../components/confirm.js';
import { CopyButton } from '../components/copy-button.js';
import { Empty, QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { formatTime } from '../lib/format.js';

/** One strategy: its webhook URL, symbol mappings (one by one or pasted as CSV) and alert history. */
export function StrategyPage() {
  const id = Number(useParams().id);
  const client = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const strategy = useApiQuery(strategyOperations.get(id), undefined);
  const alerts = useApiQuery(strategyOperations.alerts(id), undefined, {
    refetchInterval: 15_000,
    retry: false,
  });
  const [symbol, setSymbol] = useState('');
  const [exchange, setExchange] = useState<Exchange>('NSE');
  const [quantity, setQuantity] = useState('1');
  const [product, setProduct] = useState<Product>('MIS');
  const [csv, setCsv] = useState('');
  const [isConfirmingDelete, setConfirmingDelete] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: [strategyOperations.get(id).path] });
  const add = useMutation({
    mutationFn: (body: AddStrategySymbolsRequest) => client.call(strategyOperations.addSymbols(id), body),
    onSuccess: async () => {
      toast.success('Symbol mappings saved');
      setSymbol('');
      setCsv('');
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const unmap = useMutation({
    mutationFn: (symbolId: number) => client.call(strategyOperations.removeSymbol(id, symbolId)),
    onSuccess: () => refresh(),
    onError: (error) => toast.fromError(error),
  });
  const setActive = useMutation({
    mutationFn: (isActive: boolean) => client.call(strategyOperations.update(id), { is_active: isActive }),
    onSuccess: (answer) => {
      toast.success(`Strategy ${answer.data.is_active ? 'resumed' : 'paused'}`);
      return refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const remove = useMutation({
    mutationFn: () => client.call(strategyOperations.remove(id)),
    onSuccess: async () => {
      toast.success('Strategy deleted');
      await queryClient.invalidateQueries({ queryKey: [strategyOperations.list.path] });
      await navigate('/strategies');
    },
    onError: (error) => toast.fromError(error),
  });
  return (
    <div className="page">
      <QueryView query={strategy}>
        {(data) => (
          <>
            <div className="page-header">
              <h1>{data.data.name}</h1>
              <div className="spacer" />
              <button
                type="button"
                disabled={setActive.isPending}
                onClick={() => setActive.mutate(!data.data.is_active)}
              >
                {data.data.is_active ? 'Pause' : 'Resume'}
              </button>
              <button
                type="button"
                className="danger"
                disabled={remove.isPending}
                onClick={() => setConfirmingDelete(true)}
              >
                Delete
              </button>
            </div>
            {isConfirmingDelete ? (
              <Confirm
                title={`Delete ${data.data.name}?`}
                confirmLabel="Delete"
                isBusy={remove.isPending}
                onConfirm={() => remove.mutate()}
                onCancel={() => setConfirmingDelete(false)}
              >
                <p>Its webhook URL stops working and its symbol mappings are removed.</p>
              </Confirm>
            ) : null}
            <section className="card">
              <h2>Webhook</h2>
              <div className="secret">
                <code data-testid="webhook-url">{data.data.webhook_url}</code>
                <CopyButton text={data.data.webhook_url} label="Copy URL" />
              </div>
              <p className="muted small">
                Alert message: <code>{'{"symbol":"{{ticker}}","action":"{{strategy.order.action}}"}'}</code>
              </p>
            </section>
            <section className="card">
              <h2>Symbol mappings</h2>
              {data.data.symbols.length === 0 ? (
                <Empty title="No symbols mapped">An alert for an unmapped symbol is refused.</Empty>
              ) : (
                <table className="table" aria-label="Symbol mappings">
                  <thead>
                    <tr>
                      <th scope="col">Symbol</th>
                      <th scope="col">Exchange</th>
                      <th scope="col" className="num">
                        Qty
                      </th>
                      <th scope="col">Product</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.data.symbols.map((mapping) => (
                      <tr key={mapping.id}>
                        <td>{mapping.symbol}</td>
                        <td>{mapping.exchange}</td>
                        <td className="num">{mapping.quantity}</td>
                        <td>{mapping.product}</td>
                        <td>
                          <button type="button" onClick={() => unmap.mutate(mapping.id)}>
                            Remove
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <form
                className="inline-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  add.mutate({
                    symbols: [
                      { symbol: symbol.trim().toUpperCase(), exchange, quantity: Number(quantity), product },
                    ],
                  });
                }}
              >
                <label htmlFor="map-symbol">Symbol</label>
                <input id="map-symbol" value={symbol} onChange={(event) => setSymbol(event.target.value)} />
                <label htmlFor="map-exchange">Exchange</label>
                <select
                  id="map-exchange"
                  value={exchange}
                  onChange={(event) => setExchange(event.target.value as Exchange)}
                >
                  {EXCHANGES.map((value) => (
                    <option key={value}>{value}</option>
                  ))}
                </select>
                <label htmlFor="map-qty">Qty</label>
                <input
                  id="map-qty"
                  value={quantity}
                  inputMode="numeric"
                  onChange={(event) => setQuantity(event.target.value)}
                />
                <label htmlFor="map-product">Product</label>
                <select
                  id="map-product"
                  value={product}
                  onChange={(event) => setProduct(event.target.value as Product)}
                >
                  {PRODUCTS.map((value) => (
                    <option key={value}>{value}</option>
                  ))}
                </select>
                <button type="submit" disabled={!symbol.trim() || add.isPending}>
                  Add
                </button>
              </form>
              <form
                className="stack"
                onSubmit={(event) => {
                  event.preventDefault();
                  add.mutate({ csv });
                }}
              >
                <label htmlFor="map-csv">Paste SYMBOL,EXCHANGE,QTY,PRODUCT lines</label>
                <textarea
                  id="map-csv"
                  rows={4}
                  value={csv}
                  onChange={(event) => setCsv(event.target.value)}
                />
                <button type="submit" disabled={!csv.trim() || add.isPending}>
                  Add all
                </button>
              </form>
            </section>
          </>
        )}
      </QueryView>
      <section className="card">
        <h2>Alert history</h2>
        <QueryView query={alerts}>
          {(data) =>
            data.data.length === 0 ? (
              <Empty title="No alerts received yet" />
            ) : (
              <table className="table" aria-label="Alerts">
                <thead>
                  <tr>
                    <th scope="col">Received</th>
                    <th scope="col">Status</th>
                    <th scope="col">Payload</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((alert) => (
                    <tr key={alert.id}>
                      <td className="small">{formatTime(alert.received_at)}</td>
                      <td>{alert.status}</td>
                      <td className="small">
                        <code>{JSON.stringify(alert.payload)}</code>
                      </td>
                      <td className="small">{alert.error ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryView>
      </section>
    </div>
  );
}
