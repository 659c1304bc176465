import type { HoldingRow, OrderRow, PositionRow, TradeRow } from '../api/contracts/account.js';
import { formatMoney, formatSigned, toneOf } from '../lib/format.js';
import { livePnl } from '../lib/pnl.js';
import { useTick } from '../live/live-context.js';
import { Empty } from './states.js';

/** The books' tables: what they show for each row is tested in books.test.tsx. */

const OPEN_STATUSES = new Set(['open', 'trigger pending']);

export function isOrderOpen(order: OrderRow): boolean {
  return OPEN_STATUSES.has(order.order_status.toLowerCase());
}

function statusClass(status: string): string {
  return `status status-${status.toLowerCase().replace(/\s+/g, '-')}`;
}

export function OrderBookTable({
  orders,
  onCancel,
  onModify,
  busyOrderId,
}: {
  orders: OrderRow[];
  onCancel?: (order: OrderRow) => void;
  onModify?: (order: OrderRow) => void;
  busyOrderId?: string | null;
}) {
  if (orders.length === 0) {
    return (
      <Empty title="No orders today">Orders you place (here, by API or from strategies) appear here.</Empty>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Order book">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Symbol</th>
            <th scope="col">Side</th>
            <th scope="col">Type</th>
            <th scope="col" className="num">
              Qty
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Avg
            </th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => {
            const open = isOrderOpen(order);
            return (
              <tr key={order.orderid} data-testid={`order-${order.orderid}`}>
                <td className="small">{order.timestamp ?? ''}</td>
                <td>
                  <strong>{order.symbol}</strong> <span className="muted small">{order.exchange}</span>
                  <div className="muted small">{order.orderid}</div>
                </td>
                <td className={order.action === 'BUY' ? 'tone-up' : 'tone-down'}>{order.action}</td>
                <td>
                  {order.pricetype} <span className="muted small">{order.product}</span>
                </td>
                <td className="num">
                  {order.filled_quantity !== undefined ? `${order.filled_quantity}/` : ''}
                  {order.quantity}
                </td>
                <td className="num">
                  {order.pricetype === 'MARKET' ? 'MKT' : formatMoney(order.price)}
                  {order.trigger_price && order.trigger_price !== '0' ? (
                    <div className="muted small">trg {formatMoney(order.trigger_price)}</div>
                  ) : null}
                </td>
                <td className="num">{order.average_price ? formatMoney(order.average_price) : '—'}</td>
                <td>
                  <span className={statusClass(order.order_status)}>{order.order_status}</span>
                  {order.rejection_reason ? (
                    <div className="muted small">{order.rejection_reason}</div>
                  ) : null}
                </td>
                <td className="row-actions">
                  {open && onModify ? (
                    <button
                      type="button"
                      onClick={() => onModify(order)}
                      disabled={busyOrderId === order.orderid}
                    >
                      Modify
                    </button>
                  ) : null}
                  {open && onCancel ? (
                    <button
                      type="button"
                      onClick={() => onCancel(order)}
                      disabled={busyOrderId === order.orderid}
                    >
                      Cancel
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function TradeBookTable({ trades }: { trades: TradeRow[] }) {
  if (trades.length === 0) {
    return <Empty title="No trades today">Filled orders appear here.</Empty>;
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Trade book">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Symbol</th>
            <th scope="col">Side</th>
            <th scope="col">Product</th>
            <th scope="col" className="num">
              Qty
            </th>
            <th scope="col" className="num">
              Avg price
            </th>
            <th scope="col" className="num">
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {trades.map((trade, index) => (
            <tr key={trade.tradeid ?? `${trade.orderid}-${index}`}>
              <td className="small">{trade.timestamp ?? ''}</td>
              <td>
                <strong>{trade.symbol}</strong> <span className="muted small">{trade.exchange}</span>
                <div className="muted small">{trade.orderid}</div>
              </td>
              <td className={trade.action === 'BUY' ? 'tone-up' : 'tone-down'}>{trade.action}</td>
              <td>{trade.product}</td>
              <td className="num">{trade.quantity}</td>
              <td className="num">{formatMoney(trade.average_price)}</td>
              <td className="num">{formatMoney(trade.trade_value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PositionRowView({
  position,
  onClose,
  isBusy,
}: {
  position: PositionRow;
  onClose?: ((position: PositionRow) => void) | undefined;
  isBusy: boolean;
}) {
  const tick = useTick(position.exchange, position.symbol);
  const ltp = tick?.ltp ?? position.ltp;
  const pnl = livePnl(position, tick?.ltp);
  return (
    <tr data-testid={`position-${position.exchange}-${position.symbol}-${position.product}`}>
      <td>
        <strong>{position.symbol}</strong> <span className="muted small">{position.exchange}</span>
      </td>
      <td>{position.product}</td>
      <td
        className={`num ${position.quantity > 0 ? 'tone-up' : position.quantity < 0 ? 'tone-down' : 'muted'}`}
      >
        {position.quantity}
      </td>
      <td className="num">{formatMoney(position.average_price)}</td>
      <td className="num">{formatMoney(ltp)}</td>
      <td className={`num tone-${toneOf(pnl)}`} data-testid="position-pnl">
        {formatSigned(pnl)}
      </td>
      <td className="row-actions">
        {position.quantity !== 0 && onClose ? (
          <button type="button" onClick={() => onClose(position)} disabled={isBusy}>
            Close
          </button>
        ) : null}
      </td>
    </tr>
  );
}

export function PositionsTable({
  positions,
  onClose,
  busyKey,
}: {
  positions: PositionRow[];
  onClose?: (position: PositionRow) => void;
  busyKey?: string | null;
}) {
  if (positions.length === 0) {
    return (
      <Empty title="No positions">Open positions and today’s closed ones appear here with live P&L.</Empty>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Positions">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Product</th>
            <th scope="col" className="num">
              Net qty
            </th>
            <th scope="col" className="num">
              Avg
            </th>
            <th scope="col" className="num">
              LTP
            </th>
            <th scope="col" className="num">
              P&L
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {positions.map((position) => {
            const key = `${position.exchange}:${position.symbol}:${position.product}`;
            return (
              <PositionRowView key={key} position={position} onClose={onClose} isBusy={busyKey === key} />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function HoldingsTable({ holdings }: { holdings: HoldingRow[] }) {
  if (holdings.length === 0) {
    return <Empty title="No holdings">Delivery (CNC) buys settle into holdings the next trading day.</Empty>;
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Holdings">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col" className="num">
              Qty
            </th>
            <th scope="col" className="num">
              Avg
            </th>
            <th scope="col" className="num">
              LTP
            </th>
            <th scope="col" className="num">
              P&L
            </th>
            <th scope="col" className="num">
              P&L %
            </th>
          </tr>
        </thead>
        <tbody>
          {holdings.map((holding) => (
            <tr key={`${holding.exchange}:${holding.symbol}`}>
              <td>
                <strong>{holding.symbol}</strong> <span className="muted small">{holding.exchange}</span>
              </td>
              <td className="num">{holding.quantity}</td>
              <td className="num">{formatMoney(holding.average_price)}</td>
              <td className="num">{formatMoney(holding.ltp)}</td>
              <td className={`num tone-${toneOf(holding.pnl)}`}>{formatSigned(holding.pnl)}</td>
              <td className={`num tone-${toneOf(holding.pnlpercent)}`}>
                {holding.pnlpercent !== undefined ? `${holding.pnlpercent}%` : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
