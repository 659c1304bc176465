import type { Exchange, Product } from '@openalgo/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiQuery } from '../api/api-context.js';
import type { PositionRow } from '../api/contracts/account.js';
import { accountOperations, orderOperations } from '../api/operations.js';
import { PositionsTable } from '../components/books.js';
import { Confirm } from '../components/confirm.js';
import { QueryView } from '../components/states.js';
import { toast } from '../components/toasts.js';
import { TotalPnl } from '../components/total-pnl.js';
import { useWatch } from '../live/live-context.js';

function WatchPositions({ positions }: { positions: PositionRow[] }) {
  useWatch(positions.filter((position) => position.quantity !== 0));
  return null;
}

export function PositionsPage() {
  const client = useApi();
  const queryClient = useQueryClient();
  const book = useApiQuery(accountOperations.positionBook, {}, { refetchInterval: 15_000 });
  const [isConfirmingCloseAll, setConfirmingCloseAll] = useState(false);
  const refresh = () =>
    Promise.all(
      [
        accountOperations.positionBook.path,
        accountOperations.orderBook.path,
        accountOperations.funds.path,
      ].map((path) => queryClient.invalidateQueries({ queryKey: [path] })),
    );
  const closeOne = useMutation({
    mutationFn: (position: PositionRow) =>
      client.call(orderOperations.closeOne, {
        strategy: 'web',
        exchange: position.exchange as Exchange,
        symbol: position.symbol,
        action: position.quantity > 0 ? 'SELL' : 'BUY',
        product: position.product as Product,
        pricetype: 'MARKET',
        quantity: Math.abs(position.quantity),
        position_size: 0,
        price: 0,
        trigger_price: 0,
        disclosed_quantity: 0,
      }),
    onSuccess: async (answer, position) => {
      toast.success(
        'orderid' in answer ? `Closing ${position.symbol}: order ${answer.orderid}` : answer.message,
      );
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const closeAll = useMutation({
    mutationFn: () => client.call(orderOperations.closeAll, { strategy: 'web' }),
    onSuccess: async (answer) => {
      toast.success(answer.message);
      setConfirmingCloseAll(false);
      await refresh();
    },
    onError: (error) => toast.fromError(error),
  });
  const positions = book.data?.data ?? [];
  const openCount = positions.filter((position) => position.quantity !== 0).length;
  const busy =
    closeOne.isPending && closeOne.variables
      ? `${closeOne.variables.exchange}:${closeOne.variables.symbol}:${closeOne.variables.product}`
      : null;
  return (
    <div className="page">
      <div className="page-header">
        <h1>Positions</h1>
        {book.data?.mode === 'analyze' ? <span className="badge badge-analyzer">Analyzer</span> : null}
        <div className="spacer" />
        <span className="muted">
          P&L <TotalPnl positions={positions} testId="positions-total-pnl" />
        </span>
        <button type="button" onClick={() => void book.refetch()}>
          Refresh
        </button>
        <button
          type="button"
          className="danger"
          disabled={openCount === 0}
          onClick={() => setConfirmingCloseAll(true)}
        >
          Close all ({openCount})
        </button>
      </div>
      <QueryView query={book}>
        {(data) => (
          <>
            <WatchPositions positions={data.data} />
            <PositionsTable
              positions={data.data}
              onClose={(position) => closeOne.mutate(position)}
              busyKey={busy}
            />
          </>
        )}
      </QueryView>
      {isConfirmingCloseAll ? (
        <Confirm
          title="Close all positions?"
          confirmLabel="Close all"
          isBusy={closeAll.isPending}
          onConfirm={() => closeAll.mutate()}
          onCancel={() => setConfirmingCloseAll(false)}
        >
          <p>A MARKET order squares off every open position of the account.</p>
        </Confirm>
      ) : null}
    </div>
  );
}
