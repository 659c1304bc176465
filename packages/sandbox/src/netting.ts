import { Dec, roundTo } from '@openalgo/shared-types/decimal';

/**
 * Position netting (sandbox.md §7.1) as a pure function: one fill against one position gives
 * the new position, the P&L it realises and where every rupee of margin goes. The caller
 * books the result in the same transaction as the fill.
 *
 * Margin: the filled order's reservation is always released in full; the position then holds
 * margin only for the quantity the fill opened. That amount is the order's own reservation
 * when it covered exactly that quantity (the usual case), a pro-rata share of it otherwise,
 * and freshly computed (`marginToOpen`) when the order reserved nothing because it was meant
 * to reduce a position that has since changed.
 */

export interface PositionState {
  quantity: number;
  averagePrice: Dec;
  reservation: Dec;
}

export interface FillAgainstPosition {
  /** Positive for a buy, negative for a sell. */
  signedQuantity: number;
  price: Dec;
  contractValue: Dec;
  /** What the order reserves now and for how much of its quantity. */
  orderReservation: Dec;
  orderMarginQuantity: number;
  /** Margin for opening `quantity` at the order's price basis (0 when the order never reserves). */
  marginToOpen: (quantity: number) => Dec;
}

export interface NettingResult {
  quantity: number;
  averagePrice: Dec;
  /** The position's reservation after the fill. */
  reservation: Dec;
  realizedPnl: Dec;
  /** Cash back to the account: order reservation + released position margin − new margin (P&L apart). */
  marginReleased: Dec;
  /** The quantity this fill opened (added exposure). */
  openedQuantity: number;
}

/** Average prices keep 8 decimals: enough for any tick size, and every P&L is computed from them. */
const AVERAGE_PLACES = 8;

function openingMargin(fill: FillAgainstPosition, opened: number): Dec {
  if (opened === 0) {
    return new Dec(0);
  }
  if (fill.orderMarginQuantity === opened) {
    return fill.orderReservation;
  }
  if (fill.orderMarginQuantity > 0) {
    return roundTo(fill.orderReservation.mul(opened).div(fill.orderMarginQuantity), 2, 'nearest');
  }
  return fill.marginToOpen(opened);
}

function realize(position: PositionState, closed: number, price: Dec, contractValue: Dec): Dec {
  const perUnit = position.quantity > 0 ? price.sub(position.averagePrice) : position.averagePrice.sub(price);
  return perUnit.mul(closed).mul(contractValue);
}

export function applyFill(position: PositionState, fill: FillAgainstPosition): NettingResult {
  const before = position.quantity;
  const traded = fill.signedQuantity;
  const size = Math.abs(traded);
  const heldBefore = fill.orderReservation.add(position.reservation);

  if (before === 0 || Math.sign(before) === Math.sign(traded)) {
    const after = before + traded;
    const averagePrice =
      before === 0
        ? fill.price
        : roundTo(
            position.averagePrice.mul(Math.abs(before)).add(fill.price.mul(size)).div(Math.abs(after)),
            AVERAGE_PLACES,
            'nearest',
          );
    const reservation = position.reservation.add(openingMargin(fill, size));
    return {
      quantity: after,
      averagePrice,
      reservation,
      realizedPnl: new Dec(0),
      marginReleased: heldBefore.sub(reservation),
      openedQuantity: size,
    };
  }

  const held = Math.abs(before);
  if (size <= held) {
    const after = before + traded;
    const released =
      size === held ? position.reservation : roundTo(position.reservation.mul(size).div(held), 2, 'down');
    const reservation = position.reservation.sub(released);
    return {
      quantity: after,
      averagePrice: position.averagePrice,
      reservation,
      realizedPnl: realize(position, size, fill.price, fill.contractValue),
      marginReleased: heldBefore.sub(reservation),
      openedQuantity: 0,
    };
  }

  // Reversal: close everything held, open the rest the other way at the fill price.
  const opened = size - held;
  const reservation = openingMargin(fill, opened);
  return {
    quantity: Math.sign(traded) * opened,
    averagePrice: fill.price,
    reservation,
    realizedPnl: realize(position, held, fill.price, fill.contractValue),
    marginReleased: heldBefore.sub(reservation),
    openedQuantity: opened,
  };
}

/** The quantity of a new order that would add exposure, given the position when it is placed. */
export function openingQuantity(positionQuantity: number, signedQuantity: number): number {
  if (positionQuantity === 0 || Math.sign(positionQuantity) === Math.sign(signedQuantity)) {
    return Math.abs(signedQuantity);
  }
  return Math.max(0, Math.abs(signedQuantity) - Math.abs(positionQuantity));
}
