import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { OrderTicketForm } from './order-ticket.js';

function renderTicket(
  options: { exchange?: string; symbol?: string; lotSize?: number; tickSize?: string } = {},
) {
  const onSubmit = vi.fn();
  const onClose = vi.fn();
  const target = {
    symbol: options.symbol ?? 'SBIN',
    exchange: options.exchange ?? 'NSE',
    action: 'BUY' as const,
  };
  render(
    <OrderTicketForm
      target={target}
      instrument={{
        symbol: target.symbol,
        exchange: target.exchange,
        lotSize: options.lotSize ?? 1,
        tickSize: options.tickSize ?? '0.05',
      }}
      ltp="812.40"
      onSubmit={onSubmit}
      onClose={onClose}
    />,
  );
  return { onSubmit, onClose, user: userEvent.setup() };
}

describe('OrderTicketForm', () => {
  it('shows the error and sends nothing when the quantity is not a whole number', async () => {
    const { onSubmit, user } = renderTicket();
    const quantity = screen.getByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '2.5');
    await user.click(screen.getByRole('button', { name: 'Buy SBIN' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter a whole quantity');
    expect(quantity).toHaveAttribute('aria-invalid', 'true');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('enables the price for LIMIT, refuses an off-tick price, then places the order', async () => {
    const { onSubmit, user } = renderTicket();
    const price = screen.getByLabelText('Price');
    expect(price).toBeDisabled();
    await user.click(screen.getByLabelText('LIMIT'));
    expect(price).toBeEnabled();
    await user.type(price, '812.42');
    await user.click(screen.getByRole('button', { name: 'Buy SBIN' }));
    expect(screen.getByRole('alert')).toHaveTextContent('multiple of the tick size 0.05');
    expect(onSubmit).not.toHaveBeenCalled();
    await user.clear(price);
    await user.type(price, '812.40');
    await user.click(screen.getByRole('button', { name: 'Buy SBIN' }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        symbol: 'SBIN',
        pricetype: 'LIMIT',
        price: '812.40',
        quantity: 1,
        action: 'BUY',
      }),
    );
  });

  it('switches side and product and submits with Ctrl+Enter', async () => {
    const { onSubmit, user } = renderTicket();
    await user.click(screen.getByLabelText('Sell'));
    await user.click(screen.getByLabelText('CNC'));
    const quantity = screen.getByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '5');
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'SELL', product: 'CNC', quantity: 5 }),
    );
    expect(screen.getByRole('button', { name: 'Sell SBIN' })).toBeInTheDocument();
  });

  it('asks for lots on a lot-traded contract and offers only its products', async () => {
    const { onSubmit, user } = renderTicket({
      exchange: 'NFO',
      symbol: 'NIFTY30DEC26FUT',
      lotSize: 75,
      tickSize: '0.1',
    });
    expect(screen.queryByLabelText('CNC')).toBeNull();
    const lots = screen.getByLabelText('Lots (1 lot = 75)');
    await user.clear(lots);
    await user.type(lots, '3');
    expect(screen.getByText('Total quantity: 225')).toBeInTheDocument();
    await user.click(screen.getByLabelText('NRML'));
    await user.click(screen.getByRole('button', { name: 'Buy NIFTY30DEC26FUT' }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ quantity: 225, product: 'NRML', exchange: 'NFO' }),
    );
  });

  it('needs a trigger for SL-M and closes on Escape', async () => {
    const { onSubmit, onClose, user } = renderTicket();
    await user.click(screen.getByLabelText('SL-M'));
    await user.click(screen.getByRole('button', { name: 'Buy SBIN' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Trigger price must be a number');
    expect(onSubmit).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalled();
  });
});
