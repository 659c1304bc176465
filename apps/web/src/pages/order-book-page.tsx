import { ACTIONS, type Exchange, PRICE_TYPES, PRODUCTS } from '@openalgo/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import type { OrderRow } from '../api/contracts/account.js';
import { modifyOrderBodySchema } from '../api/contracts/orders.js';
import { accountOperations, orderOperations } from '../api/operations.js';
import { isOrderOpen, OrderBookTable } from '../components/books.js';
import { Confirm } from '../components/confirm.js';
import { Modal } from '../components/modal.js';
import { QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';

function ModifyDialog({ order, onClose }: { order: OrderRow; onClose: () => void }) {
  const client = useApi();
  const queryClient = useQueryClient();
  const [quantity, setQuantity] = useState(String(order.quantity));
  const [price, setPrice] = useState(order.price ?? '0');
  const [trigger, setTrigger] = useState(order.trigger_price ?? '0');
  const [pricetype, setPricetype] = useState(order.pricetype);
  const [problem, setProblem] = useState<string | null>(null);
  const modify = useMutation({
    mutationFn: () => {
      const checked = modifyOrderBodySchema.safeParse({
        strategy: order.strategy || 'web',
        exchange: order.exchange as Exchange,
        symbol: order.symbol,
        orderid: order.orderid,
        action: order.action,
        product: order.product,
        pricetype,
        price: price.trim() || '0',
        quantity: Number(quantity),
        disclosed_quantity: 0,
        trigger_price: trigger.trim() || '0',
      });
      if (!checked.success || !Number.isInteger(Number(quantity)) || Number(quantity) <= 0) {
        throw new Error('Check the quantity and prices.');
      }
      return client.call(orderOperations.modify, checked.data);
    },
    onSuccess: async () => {
      toast.success(`Order ${order.orderid} modified`);
      await queryClient.invalidateQueries({ queryKey: [accountOperations.orderBook.path] });
      onClose();
    },
    onError: (error) => setProblem(error.message),
  });
  return (
    <Modal label={`Modify ${order.orderid}`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          modify.mutate();
        }}
      >
        <h2>
          Modify {order.action} {order.symbol}
        </h2>
        <div className="ticket-grid">
          <div className="field">
            <label htmlFor="modify-pricetype">Price type</label>
            <select
              id="modify-pricetype"
              value={pricetype}
              onChange={(event) => setPricetype(event.target.value)}
            >
              {PRICE_TYPES.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="modify-quantity">Quantity</label>
            <input
              id="modify-quantity"
              value={quantity}
              inputMode="numeric"
              onChange={(e) => setQuantity(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="modify-price">Price</label>
            <input
              id="modify-price"
              value={price}
              inputMode="decimal"
              onChange={(e) => setPrice(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="modify-trigger">Trigger</label>
            <input
              id="modify-trigger"
              value={trigger}
              inputMode="decimal"
              onChange={(e) => setTrigger(e.target.value)}
            />
          </div>
        </div>
        {problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" disabled={modify.isPending}>
            Modify
          </button>
        </div>
        <p className="muted small">
          {ACTIONS.join('/')} and {PRODUCTS.join('/')} stay as placed.
        </p>
      </form>
    </Modal>
  );
}

export function OrderBookPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const book = useApiQuery(accountOperations.orderBook, {}, { refetchInterval: 15_000 });
  const [modifying, setModifying] = useState<OrderRow | null>(null);
  const [isConfirmingCancelAll, setConfirmingCancelAll] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: [accountOperations.orderBook.path] });
  const cancel = useMutation({
    mutationFn: (order: OrderRow) =>
      client.call(orderOperations.cancel, { strategy: order.strategy || 'web', orderid: order.orderid }),
    onSuccess: async (answer) => {
      toast.success(`Order ${answer.orderid} cancelled`);
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const cancelAll = useMutation({
    mutationFn: () => client.call(orderOperations.cancelAll, { strategy: 'web' }),
    onSuccess: async (answer) => {
      toast.success(answer.message);
      setConfirmingCancelAll(false);
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const openCount = book.data?.data.orders.filter(isOrderOpen).length ?? 0;
  return (
    <div className="page">
      <div className="page-header">
        <h1>Order book</h1>
        {book.data?.mode === 'analyze' ? <span className="badge badge-analyzer">Analyzer</span> : null}
        <div className="spacer" />
        <button type="button" onClick={() => void book.refetch()}>
          Refresh
        </button>
        <button
          type="button"
          className="danger"
          disabled={openCount === 0}
          onClick={() => setConfirmingCancelAll(true)}
        >
          Cancel all ({openCount})
        </button>
      </div>
      <QueryView query={book}>
        {(data) => (
          <>
            <div className="stats">
              <span>Buy {data.data.statistics.total_buy_orders}</span>
              <span>Sell {data.data.statistics.total_sell_orders}</span>
              <span>Open {data.data.statistics.total_open_orders}</span>
              <span>Completed {data.data.statistics.total_completed_orders}</span>
              <span>Rejected {data.data.statistics.total_rejected_orders}</span>
            </div>
            <OrderBookTable
              orders={data.data.orders}
              onCancel={(order) => cancel.mutate(order)}
              onModify={setModifying}
              busyOrderId={cancel.isPending ? (cancel.variables?.orderid ?? null) : null}
            />
          </>
        )}
      </QueryView>
      {modifying ? <ModifyDialog order={modifying} onClose={() => setModifying(null)} /> : null}
      {isConfirmingCancelAll ? (
        <Confirm
          title="Cancel all open orders?"
          confirmLabel="Cancel all"
          isBusy={cancelAll.isPending}
          onConfirm={() => cancelAll.mutate()}
          onCancel={() => setConfirmingCancelAll(false)}
        >
          <p>Every open and trigger-pending order of the account is cancelled.</p>
        </Confirm>
      ) : null}
    </div>
  );
}
