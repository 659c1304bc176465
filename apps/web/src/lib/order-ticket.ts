import {
  type Action,
  EXCHANGES,
  type Exchange,
  isIndexExchange,
  isProductAllowed,
  type PriceType,
  type Product,
} from '@openalgo/shared-types';
import { isOnTick, toDecimal } from '@openalgo/shared-types/decimal';
import type { PlaceOrderBody } from '../api/contracts/orders.js';

/**
 * The order ticket's rules, checked before anything is sent (the server checks them again):
 * products per exchange, quantity in lots for lot-traded instruments, the price fields each
 * price type needs, prices on the tick grid, stop-loss trigger on the right side of the limit.
 */

export interface TicketInstrument {
  symbol: string;
  exchange: string;
  /** 1 for cash equities. */
  lotSize: number;
  /** Decimal string; `0`/absent when unknown. */
  tickSize?: string;
}

export interface TicketInput {
  action: Action;
  product: Product;
  pricetype: PriceType;
  /** Lots when the instrument trades in lots (lot size > 1), else shares/units. */
  quantity: string;
  price: string;
  triggerPrice: string;
  disclosedQuantity: string;
}

export type TicketField = 'symbol' | 'product' | 'quantity' | 'price' | 'triggerPrice' | 'disclosedQuantity';
export type TicketErrors = Partial<Record<TicketField, string>>;

export type TicketResult =
  | { ok: true; body: PlaceOrderBody; totalQuantity: number }
  | { ok: false; errors: TicketErrors };

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

export function isLotTraded(instrument: TicketInstrument): boolean {
  return instrument.lotSize > 1;
}

/** Products a trader can pick on this exchange. */
export function productsFor(exchange: string): Product[] {
  if (!(EXCHANGES as readonly string[]).includes(exchange)) {
    return [];
  }
  return (['MIS', 'CNC', 'NRML'] as const).filter((product) =>
    isProductAllowed(exchange as Exchange, product),
  );
}

export function needsPrice(pricetype: PriceType): boolean {
  return pricetype === 'LIMIT' || pricetype === 'SL';
}

export function needsTrigger(pricetype: PriceType): boolean {
  return pricetype === 'SL' || pricetype === 'SL-M';
}

function checkPrice(text: string, label: string, tickSize: string | undefined): string | undefined {
  const value = text.trim();
  if (!DECIMAL.test(value)) {
    return `${label} must be a number.`;
  }
  if (toDecimal(value).lte(0)) {
    return `${label} must be greater than 0.`;
  }
  if (tickSize && toDecimal(tickSize).gt(0) && !isOnTick(value, tickSize)) {
    return `${label} must be a multiple of the tick size ${tickSize}.`;
  }
  return undefined;
}

export function validateTicket(
  instrument: TicketInstrument | null,
  input: TicketInput,
  strategy = 'web',
): TicketResult {
  const errors: TicketErrors = {};
  if (!instrument?.symbol) {
    return { ok: false, errors: { symbol: 'Pick a symbol first.' } };
  }
  if (!(EXCHANGES as readonly string[]).includes(instrument.exchange)) {
    return { ok: false, errors: { symbol: `Unknown exchange ${instrument.exchange}.` } };
  }
  const exchange = instrument.exchange as Exchange;
  if (isIndexExchange(exchange)) {
    return { ok: false, errors: { symbol: 'Indices cannot be traded; pick a future or an option.' } };
  }
  if (!isProductAllowed(exchange, input.product)) {
    errors.product = `${input.product} is not available on ${exchange}; use ${productsFor(exchange).join(' or ')}.`;
  }

  const isCrypto = exchange === 'CRYPTO';
  const quantityText = input.quantity.trim();
  const lotTraded = isLotTraded(instrument);
  let totalQuantity = 0;
  if (isCrypto) {
    if (!DECIMAL.test(quantityText) || toDecimal(quantityText).lte(0)) {
      errors.quantity = 'Quantity must be greater than 0.';
    } else {
      totalQuantity = Number(quantityText);
    }
  } else if (!WHOLE.test(quantityText) || Number(quantityText) <= 0) {
    errors.quantity = lotTraded
      ? 'Enter a whole number of lots (1 or more).'
      : 'Enter a whole quantity (1 or more).';
  } else {
    totalQuantity = lotTraded ? Number(quantityText) * instrument.lotSize : Number(quantityText);
    if (!Number.isSafeInteger(totalQuantity)) {
      errors.quantity = 'Quantity is too large.';
    }
  }

  if (needsPrice(input.pricetype)) {
    const problem = checkPrice(input.price, 'Price', instrument.tickSize);
    if (problem) {
      errors.price = problem;
    }
  }
  if (needsTrigger(input.pricetype)) {
    const problem = checkPrice(input.triggerPrice, 'Trigger price', instrument.tickSize);
    if (problem) {
      errors.triggerPrice = problem;
    }
  }
  if (input.pricetype === 'SL' && !errors.price && !errors.triggerPrice) {
    const price = toDecimal(input.price.trim());
    const trigger = toDecimal(input.triggerPrice.trim());
    if (input.action === 'BUY' && trigger.gt(price)) {
      errors.triggerPrice = 'For a stop-loss BUY the trigger must be at or below the limit price.';
    }
    if (input.action === 'SELL' && trigger.lt(price)) {
      errors.triggerPrice = 'For a stop-loss SELL the trigger must be at or above the limit price.';
    }
  }

  const disclosedText = input.disclosedQuantity.trim() || '0';
  if (!WHOLE.test(disclosedText)) {
    errors.disclosedQuantity = 'Disclosed quantity must be a whole number.';
  } else if (!errors.quantity && Number(disclosedText) > totalQuantity) {
    errors.disclosedQuantity = 'Disclosed quantity cannot exceed the order quantity.';
  }

  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    totalQuantity,
    body: {
      strategy,
      exchange,
      symbol: instrument.symbol,
      action: input.action,
      quantity: totalQuantity,
      pricetype: input.pricetype,
      product: input.product,
      price: needsPrice(input.pricetype) ? input.price.trim() : 0,
      trigger_price: needsTrigger(input.pricetype) ? input.triggerPrice.trim() : 0,
      disclosed_quantity: Number(disclosedText),
    },
  };
}
