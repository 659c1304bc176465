import type { Action, PriceType, Product, ResolvedInstrument } from '@openalgo/shared-types';
import { Dec } from '@openalgo/shared-types/decimal';
import { isDerivativeSegment, TRADABLE_EXCHANGES } from './instruments.js';

/** What the sandbox needs to place an order, whichever door it came through. */
export interface PlaceInput {
  instrument: ResolvedInstrument;
  action: Action;
  quantity: number;
  product: Product;
  priceType: PriceType;
  price: Dec;
  trigger: Dec;
  strategy: string;
  clientOrderId: string | null;
  gttLegId?: number | null;
}

/**
 * Pre-trade checks that need no state (sandbox.md §4, steps 1–6), in OpenAlgo's order and
 * with its messages. Returns the message of the first failure, or `null`.
 */
export function checkOrderShape(input: PlaceInput): string | null {
  const { exchange } = input.instrument;
  if (!(TRADABLE_EXCHANGES as readonly string[]).includes(exchange)) {
    return `Invalid exchange. Must be one of ${TRADABLE_EXCHANGES.join(', ')}`;
  }
  if ((exchange === 'NSE' || exchange === 'BSE') && input.product === 'NRML') {
    return `NRML product not allowed for ${exchange} equity segment. Use CNC for delivery or MIS for intraday.`;
  }
  if (isDerivativeSegment(exchange) && input.product === 'CNC') {
    return `CNC product not allowed for ${exchange} derivatives segment. Use NRML for carryforward or MIS for intraday.`;
  }
  if (!Number.isInteger(input.quantity) || input.quantity <= 0) {
    return 'Quantity must be positive';
  }
  if ((input.priceType === 'LIMIT' || input.priceType === 'SL') && !input.price.gt(0)) {
    return `${input.priceType} orders require price`;
  }
  if ((input.priceType === 'SL' || input.priceType === 'SL-M') && !input.trigger.gt(0)) {
    return `${input.priceType} orders require trigger_price`;
  }
  if (isDerivativeSegment(exchange) && input.quantity % input.instrument.lotSize !== 0) {
    return `Quantity must be in multiples of lot size ${input.instrument.lotSize}`;
  }
  return null;
}

/** Drops the fields a price type does not use (MARKET: price and trigger; LIMIT: trigger; SL-M: price). */
export function normalizePrices(input: PlaceInput): PlaceInput {
  const zero = new Dec(0);
  switch (input.priceType) {
    case 'MARKET':
      return { ...input, price: zero, trigger: zero };
    case 'LIMIT':
      return { ...input, trigger: zero };
    case 'SL-M':
      return { ...input, price: zero };
    default:
      return input;
  }
}

/** Modify may not set a price the type does not use (sandbox.md §5.2). */
export function checkModifyPrices(priceType: PriceType, price: Dec, trigger: Dec): string | null {
  if ((priceType === 'MARKET' || priceType === 'SL-M') && price.gt(0)) {
    return `${priceType} orders do not accept a price`;
  }
  if ((priceType === 'MARKET' || priceType === 'LIMIT') && trigger.gt(0)) {
    return `${priceType} orders do not accept a trigger_price`;
  }
  return null;
}
