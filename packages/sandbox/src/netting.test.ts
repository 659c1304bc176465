import { Dec } from '@openalgo/shared-types/decimal';
import { describe, expect, it } from 'vitest';
import { applyFill, openingQuantity, type PositionState } from './netting.js';

const flat: PositionState = { quantity: 0, averagePrice: new Dec(0), reservation: new Dec(0) };

function fill(signedQuantity: number, price: string, orderReservation: string, orderMarginQuantity: number) {
  return {
    signedQuantity,
    price: new Dec(price),
    contractValue: new Dec(1),
    orderReservation: new Dec(orderReservation),
    orderMarginQuantity,
    marginToOpen: (quantity: number) => new Dec(quantity).mul(20),
  };
}

function plain(result: ReturnType<typeof applyFill>) {
  return {
    quantity: result.quantity,
    averagePrice: result.averagePrice.toString(),
    reservation: result.reservation.toString(),
    realizedPnl: result.realizedPnl.toString(),
    marginReleased: result.marginReleased.toString(),
  };
}

describe('position netting', () => {
  it('opens and adds at a weighted average, carrying the order’s margin', () => {
    const opened = applyFill(flat, fill(10, '100', '200', 10));
    expect(plain(opened)).toEqual({
      quantity: 10,
      averagePrice: '100',
      reservation: '200',
      realizedPnl: '0',
      marginReleased: '0',
    });
    const added = applyFill(opened, fill(5, '106', '106', 5));
    expect(plain(added)).toMatchObject({ quantity: 15, averagePrice: '102', reservation: '306' });
  });

  it('reduces a long with P&L and releases margin pro rata', () => {
    const state = { quantity: 10, averagePrice: new Dec(100), reservation: new Dec(200) };
    expect(plain(applyFill(state, fill(-4, '110', '0', 0)))).toEqual({
      quantity: 6,
      averagePrice: '100',
      reservation: '120',
      realizedPnl: '40',
      marginReleased: '80',
    });
  });

  it('books the P&L of closing a short even when it held no margin', () => {
    const short = { quantity: -5, averagePrice: new Dec(200), reservation: new Dec(0) };
    expect(plain(applyFill(short, fill(5, '190', '0', 0)))).toMatchObject({
      quantity: 0,
      realizedPnl: '50',
      reservation: '0',
    });
  });

  it('reverses: closes everything held and opens the rest at the fill price', () => {
    const state = { quantity: 10, averagePrice: new Dec(100), reservation: new Dec(200) };
    // The sell reserved for the 5 it opens beyond the 10 it closes.
    expect(plain(applyFill(state, fill(-15, '90', '90', 5)))).toEqual({
      quantity: -5,
      averagePrice: '90',
      reservation: '90',
      realizedPnl: '-100',
      marginReleased: '200',
    });
  });

  it('takes fresh margin for exposure an order did not reserve for (the position changed since)', () => {
    const state = { quantity: 2, averagePrice: new Dec(100), reservation: new Dec(40) };
    // Placed to close 10, reserving nothing, but only 2 are left: it opens 8.
    expect(plain(applyFill(state, fill(-10, '100', '0', 0)))).toMatchObject({
      quantity: -8,
      reservation: '160',
      marginReleased: '-120',
    });
  });

  it('counts the exposure a new order adds', () => {
    expect(openingQuantity(0, 5)).toBe(5);
    expect(openingQuantity(5, 5)).toBe(5);
    expect(openingQuantity(5, -3)).toBe(0);
    expect(openingQuantity(5, -8)).toBe(3);
    expect(openingQuantity(-5, 8)).toBe(3);
  });
});
