import {
  type BrokerContext,
  type BrokerOrders,
  InvalidOrderError,
  OrderNotFoundError,
} from '@openalgo/broker-sdk';
import type {
  Order,
  OrderAck,
  OrderChange,
  OrderRef,
  OrderRequest,
  PriceType,
  ResolvedInstrument,
  Trade,
} from '@openalgo/shared-types';
import type { FormEntries, KiteHttpClient } from './kite-http.js';
import {
  decimalText,
  fromKitePriceType,
  fromKiteProduct,
  fromKiteStatus,
  integerOf,
  isKiteVariety,
  isTerminalStatus,
  isTradableOnKite,
  type KiteVariety,
  toKiteProduct,
} from './mapping.js';
import { parseBrokerOptions } from './options.js';
import { resolveRowInstrument } from './resolve.js';
import { parseKiteTime } from './time.js';
import {
  type KiteOrder,
  type KiteTrade,
  kiteOrderIdSchema,
  kiteOrdersSchema,
  kiteTradesSchema,
  parseKite,
} from './zerodha-api-schemas.js';

/** Placement, modification, cancellation and the order/trade books (Kite `/orders`, `/trades`). */

function hasPrice(priceType: PriceType): boolean {
  return priceType === 'LIMIT' || priceType === 'SL';
}

function hasTrigger(priceType: PriceType): boolean {
  return priceType === 'SL' || priceType === 'SL-M';
}

function needsMarketProtection(priceType: PriceType): boolean {
  return priceType === 'MARKET' || priceType === 'SL-M';
}

function orderExchange(instrument: ResolvedInstrument): string {
  if (!isTradableOnKite(instrument)) {
    throw new InvalidOrderError(
      `${instrument.symbol} on ${instrument.exchange} cannot be traded on Kite (indices are quote-only)`,
      { context: { broker: 'zerodha', exchange: instrument.exchange } },
    );
  }
  return instrument.brExchange;
}

/** The form body of `POST /orders/{variety}` and the variety, from our order (pure). */
export function buildPlaceOrder(request: OrderRequest): { variety: KiteVariety; form: FormEntries } {
  const options = parseBrokerOptions(request.brokerOptions);
  if (request.amo && options.variety !== undefined && options.variety !== 'amo') {
    throw new InvalidOrderError(`An after-market order cannot also be a ${options.variety} order on Kite`, {
      context: { broker: 'zerodha' },
    });
  }
  const variety: KiteVariety = options.variety ?? (request.amo ? 'amo' : 'regular');
  const form: Array<[string, string]> = [
    ['tradingsymbol', request.instrument.brSymbol],
    ['exchange', orderExchange(request.instrument)],
    ['transaction_type', request.action],
    ['order_type', request.priceType],
    ['quantity', String(request.quantity)],
    ['product', toKiteProduct(request.product)],
    ['validity', options.validity ?? request.validity],
  ];
  if (hasPrice(request.priceType)) {
    form.push(['price', request.price]);
  }
  if (hasTrigger(request.priceType)) {
    form.push(['trigger_price', request.triggerPrice]);
  }
  if (request.disclosedQuantity > 0) {
    form.push(['disclosed_quantity', String(request.disclosedQuantity)]);
  }
  if (options.validityTtl !== undefined) {
    form.push(['validity_ttl', String(options.validityTtl)]);
  }
  if (options.icebergLegs !== undefined && options.icebergQuantity !== undefined) {
    form.push(['iceberg_legs', String(options.icebergLegs)]);
    form.push(['iceberg_quantity', String(options.icebergQuantity)]);
  }
  if (options.auctionNumber !== undefined) {
    form.push(['auction_number', options.auctionNumber]);
  }
  if (needsMarketProtection(request.priceType)) {
    // Exchanges reject algo MARKET / SL-M orders without protection; -1 = Kite's automatic slab.
    form.push(['market_protection', String(options.marketProtection ?? -1)]);
  }
  // Our client order id in Kite's tag, so a timed-out placement can be found in the book.
  form.push(['tag', request.clientOrderId]);
  return { variety, form };
}

/** The form body of `PUT /orders/{variety}/{order_id}` (pure). */
export function buildModifyOrder(change: OrderChange): FormEntries {
  const form: Array<[string, string]> = [
    ['order_type', change.priceType],
    ['quantity', String(change.quantity)],
    ['validity', change.validity],
  ];
  if (hasPrice(change.priceType)) {
    form.push(['price', change.price]);
  }
  if (hasTrigger(change.priceType)) {
    form.push(['trigger_price', change.triggerPrice]);
  }
  form.push(['disclosed_quantity', String(change.disclosedQuantity)]);
  return form;
}

/** One Kite order-book (or order-history) row as our `Order`. */
export function toOrder(row: KiteOrder, context: BrokerContext): Order {
  const status = fromKiteStatus(row.status);
  const quantity = integerOf(row.quantity);
  const filledQuantity = Math.min(quantity, integerOf(row.filled_quantity));
  const { symbol, exchange } = resolveRowInstrument(context, row.tradingsymbol, row.exchange);
  const placedAt = parseKiteTime(row.order_timestamp) ?? context.now();
  const updatedAt =
    parseKiteTime(row.exchange_update_timestamp) ?? parseKiteTime(row.exchange_timestamp) ?? placedAt;
  const order: Order = {
    orderId: String(row.order_id ?? ''),
    symbol,
    exchange,
    action: row.transaction_type === 'SELL' ? 'SELL' : 'BUY',
    quantity,
    filledQuantity,
    pendingQuantity: isTerminalStatus(status) ? 0 : quantity - filledQuantity,
    price: decimalText(row.price),
    triggerPrice: decimalText(row.trigger_price),
    averagePrice: decimalText(row.average_price),
    priceType: fromKitePriceType(row.order_type),
    product: fromKiteProduct(row.product),
    status,
    placedAt,
    updatedAt,
    raw: row,
  };
  if (status === 'rejected' && row.status_message) {
    order.rejectionReason = row.status_message;
  }
  if (row.variety) {
    order.variety = row.variety;
  }
  if (row.tag) {
    order.clientOrderId = row.tag;
  }
  return order;
}

export function toTrade(row: KiteTrade, context: BrokerContext): Trade {
  const { symbol, exchange } = resolveRowInstrument(context, row.tradingsymbol, row.exchange);
  return {
    tradeId: String(row.trade_id ?? ''),
    orderId: String(row.order_id ?? ''),
    symbol,
    exchange,
    action: row.transaction_type === 'SELL' ? 'SELL' : 'BUY',
    quantity: integerOf(row.quantity),
    price: decimalText(row.average_price),
    product: fromKiteProduct(row.product),
    tradedAt:
      parseKiteTime(row.fill_timestamp) ??
      parseKiteTime(row.exchange_timestamp) ??
      parseKiteTime(row.order_timestamp) ??
      context.now(),
    raw: row,
  };
}

function orderIdOf(data: unknown, operation: string): string {
  const { order_id: orderId } = parseKite(kiteOrderIdSchema, data, operation);
  if (orderId === null || orderId === undefined || String(orderId) === '') {
    throw new InvalidOrderError(`Kite answered ${operation} without an order id`, {
      context: { broker: 'zerodha', body: data },
    });
  }
  return String(orderId);
}

export function createOrders(http: KiteHttpClient): BrokerOrders {
  async function fetchOrderHistory(orderId: string, context: BrokerContext): Promise<KiteOrder[]> {
    const data = await http.requestData({
      method: 'GET',
      path: `/orders/${encodeURIComponent(orderId)}`,
      accessToken: context.session.accessToken,
      kind: 'read',
      operation: 'fetchOrder',
      signal: context.signal,
    });
    return parseKite(kiteOrdersSchema, data, 'fetchOrder');
  }

  /** The order's own variety: from the reference, else from Kite's order history (never assumed). */
  async function varietyOf(ref: OrderRef, context: BrokerContext): Promise<KiteVariety> {
    if (isKiteVariety(ref.variety)) {
      return ref.variety;
    }
    const history = await fetchOrderHistory(ref.orderId, context);
    const variety = history.at(-1)?.variety;
    if (!isKiteVariety(variety)) {
      throw new OrderNotFoundError(`Kite has no order ${ref.orderId}`, {
        context: { broker: 'zerodha', orderId: ref.orderId },
      });
    }
    return variety;
  }

  return {
    async placeOrder(request: OrderRequest, context: BrokerContext): Promise<OrderAck> {
      const { variety, form } = buildPlaceOrder(request);
      const data = await http.requestData({
        method: 'POST',
        path: `/orders/${variety}`,
        form,
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'placeOrder',
        signal: context.signal,
      });
      return { orderId: orderIdOf(data, 'placeOrder'), raw: data };
    },

    async modifyOrder(ref: OrderRef, change: OrderChange, context: BrokerContext): Promise<OrderAck> {
      const variety = await varietyOf(ref, context);
      const data = await http.requestData({
        method: 'PUT',
        path: `/orders/${variety}/${encodeURIComponent(ref.orderId)}`,
        form: buildModifyOrder(change),
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'modifyOrder',
        signal: context.signal,
      });
      return { orderId: orderIdOf(data, 'modifyOrder'), raw: data };
    },

    async cancelOrder(ref: OrderRef, context: BrokerContext): Promise<OrderAck> {
      const variety = await varietyOf(ref, context);
      const parentOrderId = ref.brokerRef?.parentOrderId;
      const data = await http.requestData({
        method: 'DELETE',
        path: `/orders/${variety}/${encodeURIComponent(ref.orderId)}`,
        ...(parentOrderId ? { query: [['parent_order_id', parentOrderId]] as const } : {}),
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'cancelOrder',
        signal: context.signal,
      });
      return { orderId: orderIdOf(data, 'cancelOrder'), raw: data };
    },

    async fetchOrders(context: BrokerContext): Promise<readonly Order[]> {
      const data = await http.requestData({
        method: 'GET',
        path: '/orders',
        accessToken: context.session.accessToken,
        kind: 'read',
        operation: 'fetchOrders',
        signal: context.signal,
      });
      return parseKite(kiteOrdersSchema, data ?? [], 'fetchOrders').map((row) => toOrder(row, context));
    },

    async fetchOrder(ref: OrderRef, context: BrokerContext): Promise<Order> {
      const history = await fetchOrderHistory(ref.orderId, context);
      const latest = history.at(-1);
      if (!latest) {
        throw new OrderNotFoundError(`Kite has no order ${ref.orderId}`, {
          context: { broker: 'zerodha', orderId: ref.orderId },
        });
      }
      return toOrder(latest, context);
    },

    async fetchTrades(context: BrokerContext): Promise<readonly Trade[]> {
      const data = await http.requestData({
        method: 'GET',
        path: '/trades',
        accessToken: context.session.accessToken,
        kind: 'read',
        operation: 'fetchTrades',
        signal: context.signal,
      });
      return parseKite(kiteTradesSchema, data ?? [], 'fetchTrades').map((row) => toTrade(row, context));
    },
  };
}
