import { InvalidOrderError } from '@openalgo/broker-sdk';
import {
  type Exchange,
  isIndexExchange,
  type PriceType,
  type Product,
  type ResolvedInstrument,
} from '@openalgo/shared-types';
import { isOnTick, toDecimal } from '@openalgo/shared-types/decimal';
import type { SymbolIndex } from '../symbol-index.js';

/**
 * Checks an order against the symbol master before anything is recorded or sent (api-v1 §5.4
 * texts, the same in both modes): the symbol exists, the product suits the exchange, F&O
 * quantities are lot multiples, and prices sit on the tick grid. Failures are 400s.
 */

export const ORDER_CHECK_MESSAGES = {
  symbolNotFound: (symbol: string, exchange: string) => `Symbol ${symbol} not found on ${exchange}`,
  indexNotTradable: (symbol: string) => `${symbol} is an index and cannot be traded`,
  nrmlOnCash: (exchange: string) =>
    `NRML product not allowed for ${exchange} equity. Use CNC for delivery or MIS for intraday.`,
  cncOnDerivatives: (exchange: string) =>
    `CNC product not allowed for ${exchange}. Use NRML for carry forward or MIS for intraday.`,
  lotSize: (lotSize: number) => `Quantity must be in multiples of lot size ${lotSize}`,
  offTick: (field: 'Price' | 'Trigger price', value: string, tickSize: string) =>
    `${field} ${value} is not a multiple of the tick size ${tickSize}`,
  fractionalQuantity: (quantity: number) => `Fractional quantity ${quantity} cannot be sent to this broker`,
} as const;

/** Exchanges whose quantities are counted in lots. */
const LOT_EXCHANGES = new Set<Exchange>(['NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCDEX', 'NCO', 'CRYPTO']);
const CASH_EXCHANGES = new Set<Exchange>(['NSE', 'BSE']);

export interface OrderShape {
  symbol: string;
  exchange: Exchange;
  product: Product;
  quantity: number;
  priceType: PriceType;
  price: string;
  triggerPrice: string;
}

/** Resolves the instrument or throws `InvalidOrderError` with the contract's text. */
export function resolveOrderInstrument(symbols: SymbolIndex, order: OrderShape): ResolvedInstrument {
  const instrument = symbols.resolve(order.symbol, order.exchange);
  if (!instrument) {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.symbolNotFound(order.symbol, order.exchange), {
      context: { symbol: order.symbol, exchange: order.exchange },
    });
  }
  checkProduct(order.exchange, order.product, order.symbol);
  checkQuantity(instrument, order.quantity);
  checkPrices(instrument, order);
  return instrument;
}

export function checkProduct(exchange: Exchange, product: Product, symbol: string): void {
  if (isIndexExchange(exchange)) {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.indexNotTradable(symbol));
  }
  if (CASH_EXCHANGES.has(exchange) && product === 'NRML') {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.nrmlOnCash(exchange));
  }
  if (!CASH_EXCHANGES.has(exchange) && product === 'CNC') {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.cncOnDerivatives(exchange));
  }
}

export function checkQuantity(instrument: ResolvedInstrument, quantity: number): void {
  if (!Number.isInteger(quantity)) {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.fractionalQuantity(quantity));
  }
  if (LOT_EXCHANGES.has(instrument.exchange) && quantity % instrument.lotSize !== 0) {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.lotSize(instrument.lotSize));
  }
}

function checkPrices(instrument: ResolvedInstrument, order: OrderShape): void {
  const tick = instrument.tickSize;
  if (toDecimal(tick).lte(0)) {
    return;
  }
  const usesPrice = order.priceType === 'LIMIT' || order.priceType === 'SL';
  const usesTrigger = order.priceType === 'SL' || order.priceType === 'SL-M';
  if (usesPrice && !isOnTick(order.price, tick)) {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.offTick('Price', order.price, tick));
  }
  if (usesTrigger && !isOnTick(order.triggerPrice, tick)) {
    throw new InvalidOrderError(ORDER_CHECK_MESSAGES.offTick('Trigger price', order.triggerPrice, tick));
  }
}
