import {
  fundsResponseSchema as fundsWire,
  holdingsResponseSchema as holdingsWire,
  orderBookResponseSchema as orderBookWire,
  positionBookResponseSchema as positionBookWire,
  tradeBookResponseSchema as tradeBookWire,
} from '@openalgo/shared-types';
import type { z } from 'zod';

/**
 * `/web/v1/funds`, `/orderbook`, `/tradebook`, `/positionbook`, `/holdings` (api-v1 §4.2).
 * Answers are validated with the contract's own schemas from `@openalgo/shared-types`, then
 * turned into the app's view: every price and amount a decimal string (a live broker may send
 * numbers or numeric strings; the app never does float arithmetic on money), quantities whole
 * numbers.
 */

type Numeric = number | string | null | undefined;

function decimalText(value: Numeric): string | undefined {
  if (value === null || value === undefined || value === '') {
    return undefined;
  }
  return String(value);
}

function wholeNumber(value: Numeric): number {
  return value === null || value === undefined || value === '' ? 0 : Math.trunc(Number(value));
}

export const fundsResponseSchema = fundsWire.transform((body) => ({
  mode: body.mode,
  data: {
    availablecash: decimalText(body.data.availablecash) ?? '0',
    collateral: decimalText(body.data.collateral),
    m2mrealized: decimalText(body.data.m2mrealized),
    m2munrealized: decimalText(body.data.m2munrealized),
    utiliseddebits: decimalText(body.data.utiliseddebits),
    totalpnl: decimalText(body.data.totalpnl),
  },
}));
export type FundsResponse = z.output<typeof fundsResponseSchema>;

type WireOrder = z.output<typeof orderBookWire>['data']['orders'][number];

export function toOrderRow(order: WireOrder) {
  return {
    orderid: order.orderid,
    symbol: order.symbol,
    exchange: order.exchange,
    action: order.action,
    product: order.product,
    pricetype: order.pricetype,
    quantity: wholeNumber(order.quantity),
    price: decimalText(order.price),
    trigger_price: decimalText(order.trigger_price),
    order_status: order.order_status,
    timestamp: order.timestamp,
    average_price: decimalText(order.average_price),
    filled_quantity: order.filled_quantity === undefined ? undefined : wholeNumber(order.filled_quantity),
    pending_quantity: order.pending_quantity === undefined ? undefined : wholeNumber(order.pending_quantity),
    rejection_reason: order.rejection_reason,
    strategy: order.strategy,
  };
}
export type OrderRow = ReturnType<typeof toOrderRow>;

export const orderBookResponseSchema = orderBookWire.transform((body) => ({
  mode: body.mode,
  data: { orders: body.data.orders.map(toOrderRow), statistics: body.data.statistics },
}));
export type OrderBookResponse = z.output<typeof orderBookResponseSchema>;

type WireTrade = z.output<typeof tradeBookWire>['data'][number];

export function toTradeRow(trade: WireTrade) {
  return {
    orderid: trade.orderid,
    tradeid: trade.tradeid,
    symbol: trade.symbol,
    exchange: trade.exchange,
    action: trade.action,
    product: trade.product,
    quantity: wholeNumber(trade.quantity),
    average_price: decimalText(trade.average_price) ?? '0',
    trade_value: decimalText(trade.trade_value),
    timestamp: trade.timestamp,
  };
}
export type TradeRow = ReturnType<typeof toTradeRow>;

export const tradeBookResponseSchema = tradeBookWire.transform((body) => ({
  mode: body.mode,
  data: body.data.map(toTradeRow),
}));

type WirePosition = z.output<typeof positionBookWire>['data'][number];

export function toPositionRow(position: WirePosition) {
  return {
    symbol: position.symbol,
    exchange: position.exchange,
    product: position.product,
    quantity: wholeNumber(position.quantity),
    average_price: decimalText(position.average_price) ?? '0',
    ltp: decimalText(position.ltp),
    pnl: decimalText(position.pnl),
  };
}
export type PositionRow = ReturnType<typeof toPositionRow>;

export const positionBookResponseSchema = positionBookWire.transform((body) => ({
  mode: body.mode,
  data: body.data.map(toPositionRow),
}));

type WireHolding = z.output<typeof holdingsWire>['data']['holdings'][number];

export function toHoldingRow(holding: WireHolding) {
  return {
    symbol: holding.symbol,
    exchange: holding.exchange,
    product: holding.product,
    quantity: wholeNumber(holding.quantity),
    average_price: decimalText(holding.average_price),
    ltp: decimalText(holding.ltp),
    pnl: decimalText(holding.pnl),
    pnlpercent: decimalText(holding.pnlpercent),
  };
}
export type HoldingRow = ReturnType<typeof toHoldingRow>;

export const holdingsResponseSchema = holdingsWire.transform((body) => {
  const statistics = body.data.statistics;
  return {
    mode: body.mode,
    data: {
      holdings: body.data.holdings.map(toHoldingRow),
      statistics: {
        totalholdingvalue: decimalText(statistics.totalholdingvalue),
        totalinvvalue: decimalText(statistics.totalinvvalue),
        totalprofitandloss: decimalText(statistics.totalprofitandloss),
        totalpnlpercentage: decimalText(statistics.totalpnlpercentage),
      },
    },
  };
});
export type HoldingsResponse = z.output<typeof holdingsResponseSchema>;
