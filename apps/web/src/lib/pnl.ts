import { type Dec, toDecimal } from '@openalgo/shared-types/decimal';

export interface PnlRow {
  quantity: number;
  average_price: string;
  ltp?: string | undefined;
  pnl?: string | undefined;
}

/**
 * A position's P&L marked to a live price: the booked part the server reported stays, the open
 * quantity is re-marked from the row's price to the live one. Decimal maths throughout.
 */
export function livePnl(row: PnlRow, liveLtp: string | undefined): Dec {
  const serverPnl = toDecimal(row.pnl ?? '0');
  if (!liveLtp || row.quantity === 0) {
    return serverPnl;
  }
  const quantity = toDecimal(row.quantity);
  const average = toDecimal(row.average_price);
  const booked =
    row.ltp !== undefined ? serverPnl.minus(toDecimal(row.ltp).minus(average).mul(quantity)) : toDecimal(0);
  return booked.plus(toDecimal(liveLtp).minus(average).mul(quantity));
}
