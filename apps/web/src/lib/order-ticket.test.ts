import { describe, expect, it } from 'vitest';
import { productsFor, type TicketInput, validateTicket } from './order-ticket.js';

const equity = { symbol: 'SBIN', exchange: 'NSE', lotSize: 1, tickSize: '0.05' };
const future = { symbol: 'NIFTY30DEC26FUT', exchange: 'NFO', lotSize: 75, tickSize: '0.1' };
const base: TicketInput = {
  action: 'BUY',
  product: 'MIS',
  pricetype: 'MARKET',
  quantity: '10',
  price: '',
  triggerPrice: '',
  disclosedQuantity: '0',
};

describe('validateTicket', () => {
  it('builds a MARKET order body with zero prices', () => {
    const result = validateTicket(equity, base);
    expect(result).toEqual({
      ok: true,
      totalQuantity: 10,
      body: {
        strategy: 'web',
        exchange: 'NSE',
        symbol: 'SBIN',
        action: 'BUY',
        quantity: 10,
        pricetype: 'MARKET',
        product: 'MIS',
        price: 0,
        trigger_price: 0,
        disclosed_quantity: 0,
      },
    });
  });

  it('refuses a missing, zero, negative or fractional quantity', () => {
    for (const quantity of ['', '0', '-1', '1.5', 'ten']) {
      const result = validateTicket(equity, { ...base, quantity });
      expect(result.ok, quantity).toBe(false);
      expect(!result.ok && result.errors.quantity).toMatch(/whole quantity/);
    }
  });

  it('counts lots for lot-traded instruments and sends lots × lot size', () => {
    const result = validateTicket(future, { ...base, product: 'NRML', quantity: '2' });
    expect(result.ok && result.body.quantity).toBe(150);
    const fractional = validateTicket(future, { ...base, product: 'NRML', quantity: '1.5' });
    expect(!fractional.ok && fractional.errors.quantity).toMatch(/lots/);
  });

  it('allows only the exchange’s products', () => {
    expect(productsFor('NSE')).toEqual(['MIS', 'CNC']);
    expect(productsFor('NFO')).toEqual(['MIS', 'NRML']);
    const result = validateTicket(equity, { ...base, product: 'NRML' });
    expect(!result.ok && result.errors.product).toMatch(/NRML is not available on NSE/);
  });

  it('needs a positive price on the tick grid for LIMIT', () => {
    const missing = validateTicket(equity, { ...base, pricetype: 'LIMIT', price: '' });
    expect(!missing.ok && missing.errors.price).toMatch(/must be a number/);
    const offTick = validateTicket(equity, { ...base, pricetype: 'LIMIT', price: '801.03' });
    expect(!offTick.ok && offTick.errors.price).toMatch(/tick size 0.05/);
    const good = validateTicket(equity, { ...base, pricetype: 'LIMIT', price: '801.05' });
    expect(good.ok && good.body).toMatchObject({ pricetype: 'LIMIT', price: '801.05', trigger_price: 0 });
  });

  it('needs a trigger for SL-M and a trigger on the right side of the limit for SL', () => {
    const slm = validateTicket(equity, { ...base, pricetype: 'SL-M', triggerPrice: '' });
    expect(!slm.ok && slm.errors.triggerPrice).toBeTruthy();
    const buyAbove = validateTicket(equity, { ...base, pricetype: 'SL', price: '100', triggerPrice: '101' });
    expect(!buyAbove.ok && buyAbove.errors.triggerPrice).toMatch(/at or below the limit/);
    const sellBelow = validateTicket(equity, {
      ...base,
      action: 'SELL',
      pricetype: 'SL',
      price: '100',
      triggerPrice: '99',
    });
    expect(!sellBelow.ok && sellBelow.errors.triggerPrice).toMatch(/at or above the limit/);
    const good = validateTicket(equity, { ...base, pricetype: 'SL', price: '100', triggerPrice: '99.5' });
    expect(good.ok && good.body).toMatchObject({ price: '100', trigger_price: '99.5' });
  });

  it('refuses indices and a disclosed quantity above the order quantity', () => {
    const index = validateTicket({ symbol: 'NIFTY', exchange: 'NSE_INDEX', lotSize: 1 }, base);
    expect(!index.ok && index.errors.symbol).toMatch(/Indices cannot be traded/);
    const disclosed = validateTicket(equity, { ...base, disclosedQuantity: '11' });
    expect(!disclosed.ok && disclosed.errors.disclosedQuantity).toMatch(/cannot exceed/);
  });

  it('keeps fractional quantities on CRYPTO', () => {
    const result = validateTicket(
      { symbol: 'BTCUSDFUT', exchange: 'CRYPTO', lotSize: 1 },
      { ...base, product: 'NRML', quantity: '0.25' },
    );
    expect(result.ok && result.body.quantity).toBe(0.25);
  });
});
