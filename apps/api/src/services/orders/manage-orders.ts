import type {
  CancelAllOrderResponse,
  ClosePositionResponse,
  ModifyOrderResponse,
  Order,
  OrderChange,
} from '@openalgo/shared-types';
import { resolveOrderInstrument } from './instrument-checks.js';
import type { OrderCall, OrderInput, OrderService } from './order-service.js';

/**
 * Modify, cancel, cancel-all and close-all (api-v1 §4.1.5–§4.1.8). Cancel-all and close-all
 * use the broker's native call when its capability is `true`, else the core emulates them
 * from the books, the same way over every broker.
 */

const markOf = (call: OrderCall) => (call.mode === 'analyze' ? ({ mode: 'analyze' } as const) : {});
const withoutKey = (request: object): Record<string, unknown> => {
  const { apikey: _apikey, ...rest } = request as Record<string, unknown>;
  return rest;
};

export async function modifyOrder(
  service: OrderService,
  call: OrderCall,
  input: OrderInput & { orderid: string },
): Promise<ModifyOrderResponse> {
  const target = service.target(call);
  const instrument = resolveOrderInstrument(service.symbols, {
    symbol: input.symbol,
    exchange: input.exchange,
    product: input.product,
    quantity: input.quantity,
    priceType: input.pricetype,
    price: input.price,
    triggerPrice: input.trigger_price,
  });
  const change: OrderChange = {
    instrument,
    action: input.action,
    product: input.product,
    priceType: input.pricetype,
    quantity: input.quantity,
    price: input.pricetype === 'MARKET' || input.pricetype === 'SL-M' ? '0' : input.price,
    triggerPrice: input.pricetype === 'SL' || input.pricetype === 'SL-M' ? input.trigger_price : '0',
    disclosedQuantity: input.disclosed_quantity,
    validity: 'DAY',
  };
  const ack = await service.write(
    call,
    target,
    {
      operation: 'modifyorder',
      strategy: input.strategy,
      exchange: input.exchange,
      symbol: input.symbol,
      request: withoutKey(input),
      brokerOrderId: input.orderid,
    },
    (context) => target.orders.modifyOrder({ orderId: input.orderid, instrument }, change, context),
    (result) => ({ brokerOrderId: result.orderId, body: { status: 'success', orderid: result.orderId } }),
  );
  service.emitOrder('order.updated', call, target, input, ack.orderId || input.orderid, input.pricetype);
  return call.mode === 'analyze'
    ? { status: 'success', orderid: input.orderid, message: 'Order modified successfully', mode: 'analyze' }
    : { status: 'success', orderid: input.orderid };
}

export async function cancelOrder(
  service: OrderService,
  call: OrderCall,
  input: { strategy: string; orderid: string; variety?: string | undefined },
): Promise<{ status: 'success'; orderid: string; message?: string; mode?: 'analyze' }> {
  const target = service.target(call);
  await service.write(
    call,
    target,
    {
      operation: 'cancelorder',
      strategy: input.strategy,
      request: withoutKey(input),
      brokerOrderId: input.orderid,
    },
    (context) =>
      target.orders.cancelOrder(
        { orderId: input.orderid, ...(input.variety ? { variety: input.variety } : {}) },
        context,
      ),
    (ack) => ({
      brokerOrderId: ack.orderId || input.orderid,
      body: { status: 'success', orderid: input.orderid },
    }),
  );
  if (service.options.events.listenerCount('order.cancelled') > 0) {
    service.options.events.emit('order.cancelled', {
      userId: call.auth.userId,
      mode: target.mode,
      broker: target.mode === 'analyze' ? 'sandbox' : target.broker,
      orderid: input.orderid,
      symbol: '',
      exchange: '',
      action: '',
      quantity: 0,
      price: 0,
      trigger_price: 0,
      pricetype: '',
      product: '',
      order_status: 'cancelled',
      filled_quantity: 0,
      pending_quantity: 0,
      average_price: 0,
      rejection_reason: '',
      strategy: input.strategy,
      timestamp: service.options.now(),
    });
  }
  return call.mode === 'analyze'
    ? { status: 'success', orderid: input.orderid, message: 'Order cancelled successfully', mode: 'analyze' }
    : { status: 'success', orderid: input.orderid };
}

const isCancellable = (order: Order) => order.status === 'open' || order.status === 'trigger pending';

export async function cancelAllOrders(
  service: OrderService,
  call: OrderCall,
  input: { strategy: string },
): Promise<CancelAllOrderResponse> {
  const target = service.target(call);
  const canceled: string[] = [];
  const failed: Array<{ orderid: string; message: string }> = [];
  const nativeCancelAll = target.orders.cancelAllOrders;
  let openCount = 0;
  if (target.capabilities.cancelAllOrders === true && nativeCancelAll) {
    const acks = await service.write(
      call,
      target,
      { operation: 'cancelallorder', strategy: input.strategy, request: { strategy: input.strategy } },
      (context) => nativeCancelAll(context),
      (result) => ({ brokerOrderId: null, body: { canceled_orders: result.map((ack) => ack.orderId) } }),
    );
    canceled.push(...acks.map((ack) => ack.orderId));
    openCount = acks.length;
  } else {
    let open: Order[] = [];
    try {
      const orders = await service.read(target, 'fetchOrders', (context) =>
        target.orders.fetchOrders(context),
      );
      open = orders.filter(isCancellable);
    } catch (error) {
      // Answered 200 even when the book cannot be read (api-v1 §4.1.7); nothing was cancelled.
      service.options.logger.warn(
        { err: error, requestId: call.requestId },
        'order book not read for cancel-all',
      );
    }
    openCount = open.length;
    for (const order of open) {
      try {
        await cancelOrder(service, call, {
          strategy: input.strategy,
          orderid: order.orderId,
          variety: order.variety,
        });
        canceled.push(order.orderId);
      } catch (error) {
        failed.push({
          orderid: order.orderId,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  const message =
    call.mode === 'analyze' && openCount === 0
      ? 'No open orders to cancel'
      : `Canceled ${canceled.length} orders. Failed to cancel ${failed.length} orders.`;
  return {
    status: 'success',
    message,
    canceled_orders: canceled,
    // The reference broker lists failed ids; the sandbox lists {orderid, message} objects.
    failed_cancellations: call.mode === 'analyze' ? failed : failed.map((entry) => entry.orderid),
    ...markOf(call),
  };
}

export async function closeAllPositions(
  service: OrderService,
  call: OrderCall,
  input: { strategy: string },
): Promise<ClosePositionResponse> {
  const target = service.target(call);
  let closed = 0;
  let failedClosures = 0;
  const nativeCloseAll = target.portfolio.closeAllPositions;
  if (target.capabilities.closeAllPositions === true && nativeCloseAll) {
    const acks = await service.write(
      call,
      target,
      { operation: 'closeposition', strategy: input.strategy, request: { strategy: input.strategy } },
      (context) => nativeCloseAll(context),
      (result) => ({ brokerOrderId: null, body: { orderids: result.map((ack) => ack.orderId) } }),
    );
    closed = acks.length;
  } else {
    const positions = await service.read(target, 'fetchPositions', (context) =>
      target.portfolio.fetchPositions(context),
    );
    for (const position of positions) {
      if (position.quantity === 0) {
        continue;
      }
      const outcome = await service.place(
        call,
        {
          strategy: 'Squareoff',
          exchange: position.exchange,
          symbol: position.symbol,
          action: position.quantity > 0 ? 'SELL' : 'BUY',
          quantity: Math.abs(position.quantity),
          pricetype: 'MARKET',
          product: position.product,
          price: '0',
          trigger_price: '0',
          disclosed_quantity: 0,
        },
        { operation: 'closeposition', target },
      );
      if (outcome.ok) {
        closed += 1;
      } else {
        failedClosures += 1;
      }
    }
  }
  if (call.mode === 'live') {
    return { status: 'success', message: 'All Open Positions Squared Off' };
  }
  if (closed === 0 && failedClosures === 0) {
    return { status: 'success', message: 'No open positions to close', mode: 'analyze' };
  }
  return {
    status: 'success',
    message: `Closed ${closed} positions${failedClosures > 0 ? ` (Failed to close ${failedClosures} positions)` : ''}`,
    closed_positions: closed,
    failed_closures: failedClosures,
    mode: 'analyze',
  };
}
