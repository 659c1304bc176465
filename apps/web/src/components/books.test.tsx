import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { orderBookResponseSchema, positionBookResponseSchema } from '../api/contracts/account.js';
import { EventSocket } from '../live/event-socket.js';
import { LiveValuesProvider } from '../live/live-context.js';
import { TickStore } from '../live/tick-store.js';
import { OrderBookTable, PositionsTable, TradeBookTable } from './books.js';

// Bodies shaped as the api answers them (api-v1 §4.2), parsed by the app's own schemas.
const orderBook = orderBookResponseSchema.parse({
  status: 'success',
  mode: 'analyze',
  data: {
    orders: [
      {
        action: 'BUY',
        symbol: 'SBIN',
        exchange: 'NSE',
        orderid: '26120100000001',
        product: 'MIS',
        quantity: 10,
        price: 0,
        pricetype: 'MARKET',
        order_status: 'complete',
        trigger_price: 0,
        average_price: 812.4,
        filled_quantity: 10,
        pending_quantity: 0,
        timestamp: '2026-12-01 10:15:02',
      },
      {
        action: 'SELL',
        symbol: 'INFY',
        exchange: 'NSE',
        orderid: '26120100000002',
        product: 'CNC',
        quantity: '5',
        price: '1890.5',
        pricetype: 'LIMIT',
        order_status: 'open',
        trigger_price: '0',
        timestamp: '2026-12-01 10:16:40',
      },
      {
        action: 'BUY',
        symbol: 'TCS',
        exchange: 'NSE',
        orderid: '26120100000003',
        product: 'MIS',
        quantity: 1,
        price: 0,
        pricetype: 'MARKET',
        order_status: 'rejected',
        trigger_price: 0,
        rejection_reason: 'Insufficient funds',
      },
    ],
    statistics: {
      total_buy_orders: 2,
      total_sell_orders: 1,
      total_completed_orders: 1,
      total_open_orders: 1,
      total_rejected_orders: 1,
    },
  },
});

describe('OrderBookTable', () => {
  it('shows every order with its status and offers cancel/modify only on open ones', async () => {
    const onCancel = vi.fn();
    const onModify = vi.fn();
    render(<OrderBookTable orders={orderBook.data.orders} onCancel={onCancel} onModify={onModify} />);
    const rows = within(screen.getByRole('table', { name: 'Order book' })).getAllByRole('row');
    expect(rows).toHaveLength(4);
    const filled = screen.getByTestId('order-26120100000001');
    expect(filled).toHaveTextContent('complete');
    expect(filled).toHaveTextContent('10/10');
    expect(filled).toHaveTextContent('MKT');
    expect(filled).toHaveTextContent('812.40');
    expect(within(filled).queryByRole('button')).toBeNull();
    const rejected = screen.getByTestId('order-26120100000003');
    expect(rejected).toHaveTextContent('Insufficient funds');
    expect(within(rejected).queryByRole('button')).toBeNull();

    const open = screen.getByTestId('order-26120100000002');
    expect(open).toHaveTextContent('1,890.50');
    const user = userEvent.setup();
    await user.click(within(open).getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledWith(
      expect.objectContaining({ orderid: '26120100000002', quantity: 5 }),
    );
    await user.click(within(open).getByRole('button', { name: 'Modify' }));
    expect(onModify).toHaveBeenCalledWith(expect.objectContaining({ orderid: '26120100000002' }));
  });

  it('says so when there are no orders', () => {
    render(<OrderBookTable orders={[]} />);
    expect(screen.getByText('No orders today')).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
  });
});

describe('TradeBookTable', () => {
  it('lists trades with value and an empty state', () => {
    const { unmount } = render(
      <TradeBookTable
        trades={[
          {
            action: 'BUY',
            symbol: 'SBIN',
            exchange: 'NSE',
            orderid: '1',
            product: 'MIS',
            quantity: 10,
            average_price: '812.4',
            trade_value: '8124',
            timestamp: '10:15:02',
          },
        ]}
      />,
    );
    expect(screen.getByRole('table', { name: 'Trade book' })).toHaveTextContent('8,124.00');
    unmount();
    render(<TradeBookTable trades={[]} />);
    expect(screen.getByText('No trades today')).toBeInTheDocument();
  });
});

function withLive(ticks: TickStore, children: ReactNode) {
  const socket = new EventSocket({ url: 'ws://127.0.0.1:9/unused', ticks, onEvent: () => undefined });
  return <LiveValuesProvider live={{ socket, ticks }}>{children}</LiveValuesProvider>;
}

describe('PositionsTable', () => {
  const positions = positionBookResponseSchema.parse({
    status: 'success',
    data: [
      // Long 10 at 800, marked at 810 by the server: +100.
      {
        symbol: 'SBIN',
        exchange: 'NSE',
        product: 'MIS',
        quantity: 10,
        average_price: '800.00',
        ltp: 810,
        pnl: 100,
      },
      // Short 5 at 1900 with 20 already booked, marked at 1890: 20 + 50 = +70.
      {
        symbol: 'INFY',
        exchange: 'NSE',
        product: 'MIS',
        quantity: -5,
        average_price: 1900,
        ltp: '1890',
        pnl: '70',
      },
      // Closed: only booked P&L.
      {
        symbol: 'TCS',
        exchange: 'NSE',
        product: 'MIS',
        quantity: 0,
        average_price: 0,
        ltp: 3500,
        pnl: -12.5,
      },
    ],
  }).data;

  it('re-marks open positions on every tick and offers Close only for them', async () => {
    const ticks = new TickStore();
    const onClose = vi.fn();
    render(withLive(ticks, <PositionsTable positions={positions} onClose={onClose} />));
    const sbin = screen.getByTestId('position-NSE-SBIN-MIS');
    const infy = screen.getByTestId('position-NSE-INFY-MIS');
    const tcs = screen.getByTestId('position-NSE-TCS-MIS');
    expect(within(sbin).getByTestId('position-pnl')).toHaveTextContent('+100.00');
    expect(within(infy).getByTestId('position-pnl')).toHaveTextContent('+70.00');
    expect(within(tcs).getByTestId('position-pnl')).toHaveTextContent('−12.50');

    act(() => {
      ticks.update('NSE:SBIN', { ltp: '795.5', at: 1, source: 'stream' });
      ticks.update('NSE:INFY', { ltp: '1880.25', at: 1, source: 'stream' });
    });
    // (795.5 − 800) × 10 = −45; 20 + (1880.25 − 1900) × −5 = 118.75
    expect(within(sbin).getByTestId('position-pnl')).toHaveTextContent('−45.00');
    expect(sbin).toHaveTextContent('795.50');
    expect(within(infy).getByTestId('position-pnl')).toHaveTextContent('+118.75');

    expect(within(tcs).queryByRole('button', { name: 'Close' })).toBeNull();
    await userEvent.setup().click(within(infy).getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledWith(expect.objectContaining({ symbol: 'INFY', quantity: -5 }));
  });

  it('shows the empty state without positions', () => {
    render(withLive(new TickStore(), <PositionsTable positions={[]} />));
    expect(screen.getByText('No positions')).toBeInTheDocument();
  });
});
