import {
  buildFutureSymbol,
  buildOptionSymbol,
  candleSchema,
  depthSchema,
  fundsSchema,
  gttSchema,
  holdingSchema,
  type Interval,
  instrumentRowSchema,
  isIndexExchange,
  marginResultSchema,
  type OrderRequest,
  orderAckSchema,
  orderSchema,
  orderUpdateSchema,
  parseExpiry,
  parseSymbol,
  positionSchema,
  quoteSchema,
  type StreamMode,
  tickSchema,
  tradeSchema,
} from '@openalgo/shared-types';
import { type Dec, toDecimal } from '@openalgo/shared-types/decimal';
import type { z } from 'zod';

/**
 * One validator per unified structure (house rule 22): the contract schema from shared-types
 * (required fields, enums, integer quantities, decimal strings), then the invariants a schema
 * cannot say (signs, filled + pending = quantity, high ≥ low, sorted depth, …). Each returns the
 * list of problems, each a sentence naming the structure and the field; `[]` means valid.
 * They are plain functions so a broker's own tests can use them too.
 */

export type Problems = string[];

/** Epoch ms before 2001-09-09: a time in seconds (or garbage) where ms were due. */
const MIN_EPOCH_MS = 1_000_000_000_000;

function schemaProblems<T>(
  label: string,
  schema: z.ZodType<T>,
  value: unknown,
): { data?: T; problems: Problems } {
  const result = schema.safeParse(value);
  if (result.success) {
    return { data: result.data, problems: [] };
  }
  return {
    problems: result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(value)';
      return `${label}: ${path}: ${issue.message}`;
    }),
  };
}

function dec(text: string): Dec {
  return toDecimal(text);
}

function isPositive(text: string | undefined): boolean {
  return text !== undefined && dec(text).gt(0);
}

function checkEpochMs(problems: Problems, label: string, field: string, value: number): void {
  if (value < MIN_EPOCH_MS) {
    problems.push(`${label}: ${field} ${value} is not an epoch-milliseconds time (seconds given?)`);
  }
}

// ---------------------------------------------------------------- orders

/** What the order must show when it is the answer to a request we placed. */
export interface OrderExpectation {
  request?: Pick<
    OrderRequest,
    'instrument' | 'action' | 'quantity' | 'product' | 'priceType' | 'price' | 'triggerPrice'
  >;
  orderId?: string;
}

const LIVE_STATUSES = new Set(['open', 'trigger pending']);

export function validateOrder(value: unknown, expected: OrderExpectation = {}): Problems {
  const id = (value as { orderId?: unknown } | null)?.orderId;
  const label = `order ${typeof id === 'string' ? id : '?'}`;
  const { data: order, problems } = schemaProblems(label, orderSchema, value);
  if (!order) {
    return problems;
  }
  const { quantity, filledQuantity: filled, pendingQuantity: pending, status } = order;
  if (filled + pending > quantity) {
    problems.push(
      `${label}: filledQuantity ${filled} + pendingQuantity ${pending} exceeds quantity ${quantity}`,
    );
  }
  if (LIVE_STATUSES.has(status) && filled + pending !== quantity) {
    problems.push(
      `${label}: filledQuantity ${filled} + pendingQuantity ${pending} must equal quantity ${quantity} while the order is "${status}"`,
    );
  }
  if (!LIVE_STATUSES.has(status) && pending !== 0) {
    problems.push(`${label}: pendingQuantity must be 0 once the order is "${status}", got ${pending}`);
  }
  if (status === 'complete' && filled !== quantity) {
    problems.push(`${label}: a complete order must be filled in full (${filled} of ${quantity})`);
  }
  if (status === 'rejected' && !order.rejectionReason?.trim()) {
    problems.push(`${label}: a rejected order must say why (rejectionReason is empty)`);
  }
  if (quantity === 0 && status !== 'rejected') {
    problems.push(`${label}: quantity 0 is only possible on a rejected order`);
  }
  const average = dec(order.averagePrice);
  if (filled > 0 && !average.gt(0)) {
    problems.push(
      `${label}: averagePrice must be positive once ${filled} are filled, got ${order.averagePrice}`,
    );
  }
  if (filled === 0 && !average.isZero()) {
    problems.push(`${label}: averagePrice must be 0 while nothing is filled, got ${order.averagePrice}`);
  }
  for (const field of ['price', 'triggerPrice', 'averagePrice'] as const) {
    if (dec(order[field]).lt(0)) {
      problems.push(`${label}: ${field} must not be negative, got ${order[field]}`);
    }
  }
  if ((order.priceType === 'LIMIT' || order.priceType === 'SL') && !isPositive(order.price)) {
    problems.push(`${label}: a ${order.priceType} order needs a positive price, got ${order.price}`);
  }
  if ((order.priceType === 'SL' || order.priceType === 'SL-M') && !isPositive(order.triggerPrice)) {
    problems.push(
      `${label}: a ${order.priceType} order needs a positive triggerPrice, got ${order.triggerPrice}`,
    );
  }
  checkEpochMs(problems, label, 'placedAt', order.placedAt);
  if (order.updatedAt < order.placedAt) {
    problems.push(`${label}: updatedAt ${order.updatedAt} is before placedAt ${order.placedAt}`);
  }
  if (expected.orderId !== undefined && order.orderId !== expected.orderId) {
    problems.push(`${label}: expected order ${expected.orderId}`);
  }
  const request = expected.request;
  if (request) {
    const mismatch = (field: string, got: unknown, want: unknown) =>
      problems.push(
        `${label}: ${field} is ${JSON.stringify(got)} but the request said ${JSON.stringify(want)}`,
      );
    if (order.symbol !== request.instrument.symbol) {
      mismatch('symbol', order.symbol, request.instrument.symbol);
    }
    if (order.exchange !== request.instrument.exchange) {
      mismatch('exchange', order.exchange, request.instrument.exchange);
    }
    if (order.action !== request.action) {
      mismatch('action', order.action, request.action);
    }
    if (order.product !== request.product) {
      mismatch('product', order.product, request.product);
    }
    if (order.priceType !== request.priceType) {
      mismatch('priceType', order.priceType, request.priceType);
    }
    if (status !== 'rejected' && order.quantity !== request.quantity) {
      mismatch('quantity', order.quantity, request.quantity);
    }
    if (
      (request.priceType === 'LIMIT' || request.priceType === 'SL') &&
      !dec(order.price).eq(dec(request.price))
    ) {
      mismatch('price', order.price, request.price);
    }
    if (
      (request.priceType === 'SL' || request.priceType === 'SL-M') &&
      !dec(order.triggerPrice).eq(dec(request.triggerPrice))
    ) {
      mismatch('triggerPrice', order.triggerPrice, request.triggerPrice);
    }
  }
  return problems;
}

export function validateOrderAck(value: unknown): Problems {
  return schemaProblems('order acknowledgement', orderAckSchema, value).problems;
}

export function validateTrade(value: unknown): Problems {
  const id = (value as { tradeId?: unknown } | null)?.tradeId;
  const label = `trade ${typeof id === 'string' ? id : '?'}`;
  const { data: trade, problems } = schemaProblems(label, tradeSchema, value);
  if (!trade) {
    return problems;
  }
  if (!isPositive(trade.price)) {
    problems.push(`${label}: price must be positive, got ${trade.price}`);
  }
  checkEpochMs(problems, label, 'tradedAt', trade.tradedAt);
  return problems;
}

// ---------------------------------------------------------------- portfolio

export function validatePosition(value: unknown, options: { requireLtp?: boolean } = {}): Problems {
  const row = value as { symbol?: unknown; product?: unknown } | null;
  const label = `position ${String(row?.symbol ?? '?')}/${String(row?.product ?? '?')}`;
  const { data: position, problems } = schemaProblems(label, positionSchema, value);
  if (!position) {
    return problems;
  }
  if (dec(position.averagePrice).lt(0)) {
    problems.push(`${label}: averagePrice must not be negative, got ${position.averagePrice}`);
  }
  if (position.quantity !== 0 && !isPositive(position.averagePrice)) {
    problems.push(`${label}: an open position (quantity ${position.quantity}) needs a positive averagePrice`);
  }
  if (options.requireLtp && position.ltp === undefined) {
    problems.push(`${label}: ltp is missing although the broker declares positionsIncludeLtp`);
  }
  if (position.ltp !== undefined && dec(position.ltp).lt(0)) {
    problems.push(`${label}: ltp must not be negative, got ${position.ltp}`);
  }
  for (const field of ['buyValue', 'sellValue'] as const) {
    const text = position[field];
    if (text !== undefined && dec(text).lt(0)) {
      problems.push(`${label}: ${field} must not be negative, got ${text}`);
    }
  }
  const { realizedPnl, unrealizedPnl, pnl } = position;
  if (realizedPnl !== undefined && unrealizedPnl !== undefined && pnl !== undefined) {
    if (!dec(realizedPnl).add(dec(unrealizedPnl)).eq(dec(pnl))) {
      problems.push(
        `${label}: pnl ${pnl} is not realizedPnl ${realizedPnl} + unrealizedPnl ${unrealizedPnl}`,
      );
    }
  }
  return problems;
}

export function validateHolding(value: unknown): Problems {
  const label = `holding ${String((value as { symbol?: unknown } | null)?.symbol ?? '?')}`;
  const { data: holding, problems } = schemaProblems(label, holdingSchema, value);
  if (!holding) {
    return problems;
  }
  if (holding.quantity > 0 && !isPositive(holding.averagePrice)) {
    problems.push(
      `${label}: averagePrice must be positive for ${holding.quantity} held, got ${holding.averagePrice}`,
    );
  }
  if (holding.ltp !== undefined && dec(holding.ltp).lt(0)) {
    problems.push(`${label}: ltp must not be negative, got ${holding.ltp}`);
  }
  return problems;
}

export function validateFunds(value: unknown): Problems {
  const { data: funds, problems } = schemaProblems('funds', fundsSchema, value);
  if (!funds) {
    return problems;
  }
  for (const field of ['collateral', 'utilisedDebits'] as const) {
    if (dec(funds[field]).lt(0)) {
      problems.push(`funds: ${field} must not be negative, got ${funds[field]}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- market data

export function validateQuote(value: unknown, label = 'quote'): Problems {
  const { data: quote, problems } = schemaProblems(label, quoteSchema, value);
  if (!quote) {
    return problems;
  }
  for (const field of ['ltp', 'open', 'high', 'low', 'prevClose', 'bid', 'ask'] as const) {
    if (dec(quote[field]).lt(0)) {
      problems.push(`${label}: ${field} must not be negative, got ${quote[field]}`);
    }
  }
  if (!isPositive(quote.ltp)) {
    problems.push(`${label}: ltp must be positive for a traded instrument, got ${quote.ltp}`);
  }
  const high = dec(quote.high);
  const low = dec(quote.low);
  if (high.gt(0) && low.gt(0)) {
    if (high.lt(low)) {
      problems.push(`${label}: high ${quote.high} is below low ${quote.low}`);
    }
    const ltp = dec(quote.ltp);
    if (ltp.lt(low) || ltp.gt(high)) {
      problems.push(`${label}: ltp ${quote.ltp} lies outside the day's range ${quote.low}–${quote.high}`);
    }
  }
  if (isPositive(quote.bid) && isPositive(quote.ask) && dec(quote.bid).gte(dec(quote.ask))) {
    problems.push(`${label}: bid ${quote.bid} is not below ask ${quote.ask} (crossed book)`);
  }
  if (quote.lastTradeTime !== undefined) {
    checkEpochMs(problems, label, 'lastTradeTime', quote.lastTradeTime);
  }
  return problems;
}

export function validateDepth(value: unknown, levels?: number, label = 'depth'): Problems {
  const { data: depth, problems } = schemaProblems(label, depthSchema, value);
  if (!depth) {
    return problems;
  }
  for (const side of ['bids', 'asks'] as const) {
    const rows = depth[side];
    if (levels !== undefined && rows.length !== levels) {
      problems.push(`${label}: ${side} has ${rows.length} levels, expected ${levels} (padded)`);
    }
    let hasSeenPadding = false;
    let previous: Dec | undefined;
    rows.forEach((level, index) => {
      const price = dec(level.price);
      if (price.lt(0)) {
        problems.push(`${label}: ${side}[${index}].price must not be negative, got ${level.price}`);
      }
      if (price.isZero()) {
        hasSeenPadding = true;
        if (level.quantity !== 0) {
          problems.push(`${label}: ${side}[${index}] has quantity ${level.quantity} at price 0`);
        }
        return;
      }
      if (hasSeenPadding) {
        problems.push(`${label}: ${side}[${index}] is a real level after padding`);
      }
      if (previous !== undefined) {
        const isOrdered = side === 'bids' ? price.lt(previous) : price.gt(previous);
        if (!isOrdered) {
          problems.push(
            `${label}: ${side} must be sorted ${side === 'bids' ? 'high to low' : 'low to high'} without repeats (level ${index}: ${level.price} after ${previous.toString()})`,
          );
        }
      }
      previous = price;
    });
  }
  const bestBid = depth.bids[0];
  const bestAsk = depth.asks[0];
  if (bestBid && bestAsk && isPositive(bestBid.price) && isPositive(bestAsk.price)) {
    if (dec(bestBid.price).gte(dec(bestAsk.price))) {
      problems.push(
        `${label}: best bid ${bestBid.price} is not below best ask ${bestAsk.price} (crossed book)`,
      );
    }
  }
  const sum = (side: 'bids' | 'asks') => depth[side].reduce((total, level) => total + level.quantity, 0);
  if (depth.totalBuyQuantity < sum('bids')) {
    problems.push(
      `${label}: totalBuyQuantity ${depth.totalBuyQuantity} is less than the bids shown (${sum('bids')})`,
    );
  }
  if (depth.totalSellQuantity < sum('asks')) {
    problems.push(
      `${label}: totalSellQuantity ${depth.totalSellQuantity} is less than the asks shown (${sum('asks')})`,
    );
  }
  if (!isPositive(depth.ltp)) {
    problems.push(`${label}: ltp must be positive, got ${depth.ltp}`);
  }
  return problems;
}

const INTRADAY_SECONDS: Readonly<Partial<Record<Interval, number>>> = {
  '1s': 1,
  '5s': 5,
  '10s': 10,
  '15s': 15,
  '30s': 30,
  '45s': 45,
  '1m': 60,
  '2m': 120,
  '3m': 180,
  '5m': 300,
  '10m': 600,
  '15m': 900,
  '20m': 1_200,
  '30m': 1_800,
  '1h': 3_600,
  '2h': 7_200,
  '3h': 10_800,
  '4h': 14_400,
};

const PERIOD_DAYS: Readonly<Partial<Record<Interval, number>>> = { D: 1, W: 7, M: 31, Q: 92, Y: 366 };

export interface CandleExpectation {
  interval: Interval;
  /** Requested range, epoch ms, inclusive. */
  from: number;
  to: number;
}

/** A series of candles: each valid, ascending, no repeats, inside the requested range, aligned to the interval. */
export function validateCandles(values: readonly unknown[], expected?: CandleExpectation): Problems {
  const problems: Problems = [];
  let previousTime: number | undefined;
  values.forEach((value, index) => {
    const label = `candle ${index}`;
    const { data: candle, problems: shape } = schemaProblems(label, candleSchema, value);
    problems.push(...shape);
    if (!candle) {
      return;
    }
    const open = dec(candle.open);
    const close = dec(candle.close);
    const high = dec(candle.high);
    const low = dec(candle.low);
    if (!low.gt(0)) {
      problems.push(`${label}: low must be positive, got ${candle.low}`);
    }
    if (high.lt(open) || high.lt(close) || high.lt(low)) {
      problems.push(
        `${label}: high ${candle.high} is below open/close/low (${candle.open}/${candle.close}/${candle.low})`,
      );
    }
    if (low.gt(open) || low.gt(close)) {
      problems.push(`${label}: low ${candle.low} is above open/close (${candle.open}/${candle.close})`);
    }
    if (candle.time > 10_000_000_000) {
      problems.push(
        `${label}: time ${candle.time} looks like milliseconds; candles are stamped in epoch seconds`,
      );
    }
    if (previousTime !== undefined && candle.time <= previousTime) {
      problems.push(
        `${label}: time ${candle.time} does not follow ${previousTime} (candles must ascend without repeats)`,
      );
    }
    previousTime = candle.time;
    if (expected) {
      const step = INTRADAY_SECONDS[expected.interval];
      if (step === undefined) {
        if (candle.time % 86_400 !== 0) {
          problems.push(
            `${label}: a ${expected.interval} candle must be stamped 00:00 UTC of its IST date, got ${candle.time}`,
          );
        }
      } else if (candle.time % Math.min(step, 60) !== 0) {
        problems.push(`${label}: time ${candle.time} is not aligned to the ${expected.interval} interval`);
      }
      const fromSeconds = Math.floor(expected.from / 1_000);
      const toSeconds = Math.floor(expected.to / 1_000);
      // A W/M/Q/Y bar is stamped at the start of the period holding `from`, which may precede it.
      const slack = step === undefined ? (PERIOD_DAYS[expected.interval] ?? 1) * 86_400 : 0;
      if (candle.time < fromSeconds - slack || candle.time > toSeconds) {
        problems.push(
          `${label}: time ${candle.time} lies outside the requested range ${fromSeconds}–${toSeconds}`,
        );
      }
    }
  });
  return problems;
}

// ---------------------------------------------------------------- instruments

export function validateInstrumentRow(value: unknown): Problems {
  const row = value as { symbol?: unknown; exchange?: unknown } | null;
  const label = `instrument ${String(row?.exchange ?? '?')}:${String(row?.symbol ?? '?')}`;
  const { data: instrument, problems } = schemaProblems(label, instrumentRowSchema, value);
  if (!instrument) {
    return problems;
  }
  const type = instrument.instrumenttype;
  const isIndex = isIndexExchange(instrument.exchange);
  if ((type === 'INDEX') !== isIndex) {
    problems.push(
      `${label}: instrumenttype ${type} does not fit exchange ${instrument.exchange} (indices, and only indices, live on *_INDEX)`,
    );
  }
  if (!isPositive(instrument.tick_size)) {
    problems.push(`${label}: tick_size must be positive, got ${instrument.tick_size}`);
  }
  if (parseSymbol(instrument.symbol, { exchange: instrument.exchange }) === null) {
    problems.push(`${label}: ${instrument.symbol} is not a valid OpenAlgo symbol on ${instrument.exchange}`);
  }
  if (type === 'FUT' || type === 'CE' || type === 'PE') {
    const expiry = /^\d{2}-[A-Z]{3}-\d{2}$/.test(instrument.expiry) ? parseExpiry(instrument.expiry) : null;
    if (!expiry) {
      problems.push(
        `${label}: expiry must be DD-MMM-YY for ${type}, got ${JSON.stringify(instrument.expiry)}`,
      );
      return problems;
    }
    let wanted: string | undefined;
    try {
      wanted =
        type === 'FUT'
          ? buildFutureSymbol(instrument.name, expiry)
          : buildOptionSymbol(instrument.name, expiry, instrument.strike, type);
    } catch (error) {
      problems.push(`${label}: name/strike cannot form a symbol (${(error as Error).message})`);
    }
    if (wanted !== undefined && wanted !== instrument.symbol) {
      problems.push(
        `${label}: symbol must be built from name + expiry${type === 'FUT' ? '' : ' + strike'} + ${type}: expected ${wanted}`,
      );
    }
    if (type !== 'FUT' && !isPositive(instrument.strike)) {
      problems.push(`${label}: an option needs a positive strike, got ${instrument.strike}`);
    }
  } else if (instrument.expiry !== '') {
    problems.push(`${label}: expiry must be empty for ${type}, got ${JSON.stringify(instrument.expiry)}`);
  }
  return problems;
}

/** A whole dump: every row valid and no (symbol, exchange) twice. */
export function validateInstrumentRows(rows: readonly unknown[]): Problems {
  const problems: Problems = [];
  const seen = new Set<string>();
  for (const row of rows) {
    problems.push(...validateInstrumentRow(row));
    const key = `${String((row as { exchange?: unknown }).exchange)}:${String((row as { symbol?: unknown }).symbol)}`;
    if (seen.has(key)) {
      problems.push(`instrument ${key}: appears more than once in the dump`);
    }
    seen.add(key);
  }
  return problems;
}

// ---------------------------------------------------------------- streams

export interface TickExpectation {
  symbol: string;
  exchange: string;
  /** The subscribed mode: the tick must carry at least its fields. */
  mode: StreamMode;
  depthLevels?: number;
}

export function validateTick(value: unknown, expected?: TickExpectation): Problems {
  const row = value as { symbol?: unknown; exchange?: unknown } | null;
  const label = `tick ${String(row?.exchange ?? '?')}:${String(row?.symbol ?? '?')}`;
  const { data: tick, problems } = schemaProblems(label, tickSchema, value);
  if (!tick) {
    return problems;
  }
  if (!(tick.ltp > 0) || !Number.isFinite(tick.ltp)) {
    problems.push(`${label}: ltp must be a positive number, got ${tick.ltp}`);
  }
  checkEpochMs(problems, label, 'timestamp', tick.timestamp);
  if (tick.ltt !== undefined) {
    checkEpochMs(problems, label, 'ltt', tick.ltt);
  }
  if (!expected) {
    return problems;
  }
  if (tick.symbol !== expected.symbol || tick.exchange !== expected.exchange) {
    problems.push(`${label}: expected a tick for ${expected.exchange}:${expected.symbol}`);
  }
  if (expected.mode !== 'ltp') {
    for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
      if (tick[field] === undefined) {
        problems.push(`${label}: a ${expected.mode} subscription must carry ${field}`);
      }
    }
  }
  if (expected.mode === 'depth') {
    if (!tick.depth) {
      problems.push(`${label}: a depth subscription must carry depth`);
    } else if (expected.depthLevels !== undefined) {
      for (const side of ['buy', 'sell'] as const) {
        if (tick.depth[side].length !== expected.depthLevels) {
          problems.push(
            `${label}: depth.${side} has ${tick.depth[side].length} levels, expected ${expected.depthLevels}`,
          );
        }
      }
    }
  }
  return problems;
}

export function validateOrderUpdate(value: unknown): Problems {
  const id = (value as { orderid?: unknown } | null)?.orderid;
  const label = `order update ${typeof id === 'string' ? id : '?'}`;
  const { data: update, problems } = schemaProblems(label, orderUpdateSchema, value);
  if (!update) {
    return problems;
  }
  if (update.filled_quantity + update.pending_quantity > update.quantity) {
    problems.push(
      `${label}: filled_quantity ${update.filled_quantity} + pending_quantity ${update.pending_quantity} exceeds quantity ${update.quantity}`,
    );
  }
  if (update.order_status !== update.order_status.toLowerCase() || update.order_status.trim() === '') {
    problems.push(
      `${label}: order_status must be a lower-case status, got ${JSON.stringify(update.order_status)}`,
    );
  }
  checkEpochMs(problems, label, 'timestamp', update.timestamp);
  return problems;
}

// ---------------------------------------------------------------- optional duties

export function validateGtt(value: unknown): Problems {
  const id = (value as { triggerId?: unknown } | null)?.triggerId;
  const label = `gtt ${typeof id === 'string' ? id : '?'}`;
  const { data: gtt, problems } = schemaProblems(label, gttSchema, value);
  if (!gtt) {
    return problems;
  }
  const wantedLegs = gtt.triggerType === 'single' ? 1 : 2;
  if (gtt.legs.length !== wantedLegs) {
    problems.push(`${label}: a ${gtt.triggerType} GTT has ${wantedLegs} leg(s), got ${gtt.legs.length}`);
  }
  for (const [index, leg] of gtt.legs.entries()) {
    if (!isPositive(leg.triggerPrice)) {
      problems.push(`${label}: legs[${index}].triggerPrice must be positive, got ${leg.triggerPrice}`);
    }
  }
  checkEpochMs(problems, label, 'createdAt', gtt.createdAt);
  return problems;
}

export function validateMarginResult(value: unknown): Problems {
  const { data: margin, problems } = schemaProblems('margin', marginResultSchema, value);
  if (!margin) {
    return problems;
  }
  for (const field of ['totalMargin', 'spanMargin', 'exposureMargin'] as const) {
    if (dec(margin[field]).lt(0)) {
      problems.push(`margin: ${field} must not be negative, got ${margin[field]}`);
    }
  }
  if (!isPositive(margin.totalMargin)) {
    problems.push(`margin: totalMargin must be positive for an opening order, got ${margin.totalMargin}`);
  }
  return problems;
}
