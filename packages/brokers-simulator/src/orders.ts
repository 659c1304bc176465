import { type BrokerContext, type BrokerOrders, InvalidOrderError } from '@openalgo/broker-sdk';
import type { Order, OrderAck, Trade } from '@openalgo/shared-types';
import type { SimulatorControl } from './control.js';
import type { SimOrder, SimTrade } from './exchange.js';
import { decimalToPips, lookupInstrument, pipsToDecimal } from './mapping.js';

export function toOrder(order: SimOrder): Order {
  const average = order.filledQuantity > 0 ? Math.round(order.filledValuePips / order.filledQuantity) : 0;
  return {
    orderId: order.orderId,
    symbol: order.instrument.symbol,
    exchange: order.instrument.exchange,
    action: order.action,
    quantity: order.quantity,
    filledQuantity: order.filledQuantity,
    pendingQuantity:
      order.status === 'open' || order.status === 'trigger pending'
        ? order.quantity - order.filledQuantity
        : 0,
    price: pipsToDecimal(order.pricePips),
    triggerPrice: pipsToDecimal(order.triggerPips),
    averagePrice: pipsToDecimal(average),
    priceType: order.priceType,
    product: order.product,
    status: order.status,
    ...(order.rejectionReason ? { rejectionReason: order.rejectionReason } : {}),
    variety: order.variety,
    clientOrderId: order.clientOrderId,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    raw: { orderId: order.orderId, status: order.status },
  };
}

export function toTrade(trade: SimTrade): Trade {
  return {
    tradeId: trade.tradeId,
    orderId: trade.orderId,
    symbol: trade.instrument.symbol,
    exchange: trade.instrument.exchange,
    action: trade.action,
    quantity: trade.quantity,
    price: pipsToDecimal(trade.pricePips),
    product: trade.product,
    tradedAt: trade.tradedAt,
    raw: { tradeId: trade.tradeId },
  };
}

export function createOrders(control: SimulatorControl): BrokerOrders & {
  cancelAllOrders(context: BrokerContext): Promise<readonly OrderAck[]>;
} {
  const { exchange } = control;
  return {
    placeOrder: async (request, context) => {
      control.guard('placeOrder', context);
      if (request.validity === 'IOC') {
        // IOC is honoured: whatever does not fill at once is cancelled.
        const order = exchange.placeOrder({
          instrument: lookupInstrument(exchange, request.instrument),
          action: request.action,
          product: request.product,
          priceType: request.priceType,
          quantity: request.quantity,
          pricePips: decimalToPips(request.price),
          triggerPips: decimalToPips(request.triggerPrice),
          clientOrderId: request.clientOrderId,
          amo: request.amo,
        });
        if (order.status === 'open') {
          exchange.cancelOrder(order.orderId);
        }
        return { orderId: order.orderId, raw: { status: 'success', orderid: order.orderId } };
      }
      const order = exchange.placeOrder({
        instrument: lookupInstrument(exchange, request.instrument),
        action: request.action,
        product: request.product,
        priceType: request.priceType,
        quantity: request.quantity,
        pricePips: decimalToPips(request.price),
        triggerPips: decimalToPips(request.triggerPrice),
        clientOrderId: request.clientOrderId,
        amo: request.amo,
      });
      return { orderId: order.orderId, raw: { status: 'success', orderid: order.orderId } };
    },
    modifyOrder: async (ref, change, context) => {
      control.guard('modifyOrder', context);
      const existing = exchange.getOrder(ref.orderId);
      if (existing.instrument.symbol !== change.instrument.symbol || existing.action !== change.action) {
        throw new InvalidOrderError('The instrument and side of an order cannot be modified');
      }
      const order = exchange.modifyOrder(ref.orderId, {
        quantity: change.quantity,
        pricePips: decimalToPips(change.price),
        triggerPips: decimalToPips(change.triggerPrice),
        priceType: change.priceType,
      });
      return { orderId: order.orderId, raw: { status: 'success', orderid: order.orderId } };
    },
    cancelOrder: async (ref, context) => {
      control.guard('cancelOrder', context);
      const order = exchange.cancelOrder(ref.orderId);
      return { orderId: order.orderId, raw: { status: 'success', orderid: order.orderId } };
    },
    cancelAllOrders: async (context) => {
      control.guard('cancelOrder', context);
      return exchange
        .cancelAll()
        .map((order) => ({ orderId: order.orderId, raw: { orderid: order.orderId } }));
    },
    fetchOrders: async (context) => {
      control.guard('fetchOrders', context);
      return exchange.listOrders().map(toOrder);
    },
    fetchOrder: async (ref, context) => {
      control.guard('fetchOrder', context);
      return toOrder(exchange.getOrder(ref.orderId));
    },
    fetchTrades: async (context) => {
      control.guard('fetchTrades', context);
      return exchange.listTrades().map(toTrade);
    },
  };
}
