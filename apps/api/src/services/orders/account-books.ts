import { OrderNotFoundError } from '@openalgo/broker-sdk';
import type {
  FundsData,
  HoldingRow,
  HoldingsStatistics,
  MarginLeg,
  MarginPosition,
  MarginResponse,
  Order,
  OrderBookRow,
  OrderStatistics,
  OrderStatusData,
  Position,
  TradeBookRow,
} from '@openalgo/shared-types';
import { toDecimal, toWireNumber } from '@openalgo/shared-types/decimal';
import { ApiError } from '../../errors.js';
import { callBroker } from './broker-call.js';
import type { OrderCall, OrderService } from './order-service.js';
import type { OrderTarget } from './order-target.js';
import {
  orderStatistics,
  type PositionBook,
  toAnalyzerPositionBook,
  toFundsData,
  toHoldings,
  toOrderBookRow,
  toOrderStatus,
  toPositionBook,
  toTradeBookRow,
} from './wire-format.js';

/**
 * The account routes' reads (api-v1 §4.2): each book is exactly one broker call; statistics
 * and open-position lookups are computed here, the same for every broker.
 */

export async function fetchFunds(service: OrderService, call: OrderCall): Promise<FundsData> {
  const target = service.target(call);
  const funds = await service.read(target, 'fetchFunds', (context) => target.portfolio.fetchFunds(context));
  return toFundsData(funds, target.mode);
}

export async function fetchOrderBook(
  service: OrderService,
  call: OrderCall,
): Promise<{ orders: OrderBookRow[]; statistics: OrderStatistics }> {
  const target = service.target(call);
  const orders = await service.read(target, 'fetchOrders', (context) => target.orders.fetchOrders(context));
  // Live: the broker's own order; the analyzer's book reads newest first (api-v1 §4.2.2).
  const sorted =
    target.mode === 'analyze' ? [...orders].reverse().sort((a, b) => b.placedAt - a.placedAt) : orders;
  return {
    orders: sorted.map((order) => toOrderBookRow(order, target.mode)),
    statistics: orderStatistics(orders, target.mode),
  };
}

export async function fetchTradeBook(service: OrderService, call: OrderCall): Promise<TradeBookRow[]> {
  const target = service.target(call);
  const trades = await service.read(target, 'fetchTrades', (context) => target.orders.fetchTrades(context));
  return trades.map((trade) => toTradeBookRow(trade, target.mode));
}

export async function fetchPositionBook(service: OrderService, call: OrderCall): Promise<PositionBook> {
  const target = service.target(call);
  const positions = await service.read(target, 'fetchPositions', (context) =>
    target.portfolio.fetchPositions(context),
  );
  return toPositionBook(
    await withLtp(service, call, target, positions),
    target.mode,
    (symbol, exchange) => service.symbols.find(symbol, exchange)?.lotsize,
  );
}

/** The analyzer's positions with their P&L (`/pnl/symbols`): key-only, never the live broker. */
export async function fetchAnalyzerPnl(
  service: OrderService,
  auth: OrderCall['auth'],
): Promise<Required<PositionBook>> {
  const target = service.options.modeSwitch.targetFor(auth, 'analyze');
  const positions = await service.read(target, 'fetchPositions', (context) =>
    target.portfolio.fetchPositions(context),
  );
  return toAnalyzerPositionBook(
    positions,
    (symbol, exchange) => service.symbols.find(symbol, exchange)?.lotsize,
  );
}

/** Brokers whose books lack prices get them from one batched quote call (the core's duty). */
async function withLtp(
  service: OrderService,
  call: OrderCall,
  target: OrderTarget,
  positions: readonly Position[],
): Promise<readonly Position[]> {
  const missing = positions.filter((position) => position.ltp === undefined && position.quantity !== 0);
  if (missing.length === 0 || target.mode === 'analyze') {
    return positions;
  }
  const instruments = missing.flatMap((position) => {
    const instrument = service.symbols.resolve(position.symbol, position.exchange);
    return instrument ? [instrument] : [];
  });
  try {
    const live = service.options.modeSwitch.live(call.auth);
    const quotes = await callBroker(
      live.context,
      { operation: 'fetchQuotes', timeoutMs: service.settings.readTimeoutMs },
      (context) =>
        live.adapter.marketData.fetchQuotes(instruments.slice(0, live.adapter.limits.quoteBatch), context),
    );
    const ltpByKey = new Map<string, string>();
    for (const quote of quotes) {
      if (quote.ok) {
        ltpByKey.set(`${quote.instrument.exchange}|${quote.instrument.symbol}`, quote.quote.ltp);
      }
    }
    return positions.map((position) => {
      const ltp = ltpByKey.get(`${position.exchange}|${position.symbol}`);
      return position.ltp === undefined && ltp !== undefined ? { ...position, ltp } : position;
    });
  } catch (error) {
    service.options.logger.warn({ err: error }, 'position prices not enriched');
    return positions;
  }
}

export async function fetchHoldings(
  service: OrderService,
  call: OrderCall,
): Promise<{ holdings: HoldingRow[]; statistics: HoldingsStatistics }> {
  const target = service.target(call);
  const holdings = await service.read(target, 'fetchHoldings', (context) =>
    target.portfolio.fetchHoldings(context),
  );
  return toHoldings(holdings, target.mode);
}

/** One order's state: its own endpoint when the broker has one, else today's order book. */
export async function fetchOrderStatus(
  service: OrderService,
  call: OrderCall,
  input: { orderid: string },
): Promise<OrderStatusData> {
  const target = service.target(call);
  const mark = call.mode === 'analyze' ? ({ mode: 'analyze' } as const) : {};
  const notFound = () => ApiError.message(404, `Order ${input.orderid} not found`, mark);
  let order: Order | undefined;
  try {
    order =
      target.capabilities.fetchOrder === true
        ? await service.read(target, 'fetchOrder', (context) =>
            target.orders.fetchOrder({ orderId: input.orderid }, context),
          )
        : (await service.read(target, 'fetchOrders', (context) => target.orders.fetchOrders(context))).find(
            (row) => row.orderId === input.orderid,
          );
  } catch (error) {
    if (OrderNotFoundError.isInstance(error)) {
      throw notFound();
    }
    throw error;
  }
  if (!order) {
    throw notFound();
  }
  return toOrderStatus(order, target.mode);
}

/** The net quantity of one position; the number 0 when there is none. */
export async function fetchOpenPosition(
  service: OrderService,
  call: OrderCall,
  input: { symbol: string; exchange: string; product: string },
): Promise<number> {
  const target = service.target(call);
  const positions = await service.read(target, 'fetchPositions', (context) =>
    target.portfolio.fetchPositions(context),
  );
  return (
    positions.find(
      (position) =>
        position.symbol === input.symbol &&
        position.exchange === input.exchange &&
        position.product === input.product,
    )?.quantity ?? 0
  );
}

const POSITIVE_INTEGER = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** Margin for a basket of positions, always from the live broker (api-v1 §4.2.8). */
export async function calculateMargin(
  service: OrderService,
  call: OrderCall,
  positions: readonly MarginPosition[],
): Promise<MarginResponse['data']> {
  const live = service.options.modeSwitch.live(call.auth);
  const broker = live.adapter.id;
  if (live.adapter.capabilities.marginCalculator === false) {
    throw ApiError.message(501, `Margin calculation not implemented for broker: ${broker}`);
  }
  const legs: MarginLeg[] = positions.map((position, index) => {
    const label = `Position ${index + 1}`;
    const quantityText = position.quantity.trim();
    if (!/^-?\d+(\.\d+)?$/.test(quantityText)) {
      throw ApiError.message(400, `${label}: Invalid quantity format`);
    }
    if (!POSITIVE_INTEGER.test(quantityText) || Number(quantityText) <= 0) {
      throw ApiError.message(400, `${label}: Quantity must be a positive number`);
    }
    for (const [name, field] of [
      ['Price', position.price],
      ['Trigger price', position.trigger_price],
    ] as const) {
      const text = field.trim();
      if (text.startsWith('-') && DECIMAL.test(text.slice(1))) {
        throw ApiError.message(400, `${label}: ${name} cannot be negative`);
      }
      if (!DECIMAL.test(text)) {
        throw ApiError.message(400, `${label}: Invalid ${name.toLowerCase()} format`);
      }
    }
    const instrument = service.symbols.resolve(position.symbol, position.exchange);
    if (!instrument) {
      throw ApiError.message(400, `${label}: Symbol ${position.symbol} not found on ${position.exchange}`);
    }
    return {
      instrument,
      action: position.action,
      quantity: Number(quantityText),
      product: position.product,
      priceType: position.pricetype,
      price: toDecimal(position.price.trim()).toString(),
      triggerPrice: toDecimal(position.trigger_price.trim()).toString(),
    };
  });
  const result = await callBroker(
    live.context,
    { operation: 'calculateMargin', timeoutMs: service.settings.readTimeoutMs },
    (context) => live.adapter.margin.calculateMargin(legs, context),
  );
  return {
    total_margin_required: toWireNumber(result.totalMargin, 2),
    span_margin: toWireNumber(result.spanMargin, 2),
    exposure_margin: toWireNumber(result.exposureMargin, 2),
  };
}
