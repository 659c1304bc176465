import type {
  SandboxFundsRow,
  SandboxGttLegRow,
  SandboxGttRow,
  SandboxHoldingRow,
  SandboxOrderRow,
  SandboxPositionRow,
  SandboxTradeRow,
} from '@openalgo/db';
import type { Funds, Gtt, Holding, Order, Position, Trade } from '@openalgo/shared-types';
import { Dec, type DecimalInput, toDecimal, toWireNumber } from '@openalgo/shared-types/decimal';
import { formatIst } from './ist.js';

/**
 * Rows as OpenAlgo's analyzer mode shows them (api-v1 §4.2, sandbox.md §3.2, §7.3, §8.2):
 * JSON numbers, IST timestamps `yyyy-MM-dd HH:mm:ss`, the extra sandbox keys. The same views
 * ride along as `raw` on the normalized contract types.
 */

function wire(value: DecimalInput | null | undefined): number {
  return value === null || value === undefined ? 0 : toWireNumber(value);
}

export interface OrderBookRow {
  action: 'BUY' | 'SELL';
  symbol: string;
  exchange: string;
  orderid: string;
  product: string;
  quantity: number;
  price: number;
  pricetype: string;
  order_status: string;
  trigger_price: number;
  average_price: number;
  filled_quantity: number;
  pending_quantity: number;
  rejection_reason: string;
  timestamp: string;
  strategy: string;
}

export function orderBookRow(row: SandboxOrderRow): OrderBookRow {
  return {
    action: row.action,
    symbol: row.symbol,
    exchange: row.exchange,
    orderid: row.orderid,
    product: row.product,
    quantity: row.quantity,
    // The order book reports 0 for MARKET orders (the stored price is only the margin reference).
    price: row.price_type === 'MARKET' ? 0 : wire(row.price),
    pricetype: row.price_type,
    order_status: row.status,
    trigger_price: wire(row.trigger_price),
    average_price: wire(row.average_price),
    filled_quantity: row.filled_quantity,
    pending_quantity: row.pending_quantity,
    rejection_reason: row.rejection_reason ?? '',
    timestamp: formatIst(row.placed_at.getTime()),
    strategy: row.strategy,
  };
}

export interface OrderBookStatistics {
  total_buy_orders: number;
  total_sell_orders: number;
  total_completed_orders: number;
  total_open_orders: number;
  total_rejected_orders: number;
  total_trigger_pending_orders: number;
}

export function orderStatistics(rows: readonly SandboxOrderRow[]): OrderBookStatistics {
  const count = (isMatch: (row: SandboxOrderRow) => boolean) => rows.filter(isMatch).length;
  return {
    total_buy_orders: count((row) => row.action === 'BUY'),
    total_sell_orders: count((row) => row.action === 'SELL'),
    total_completed_orders: count((row) => row.status === 'complete'),
    total_open_orders: count((row) => row.status === 'open'),
    total_rejected_orders: count((row) => row.status === 'rejected'),
    total_trigger_pending_orders: count((row) => row.status === 'trigger pending'),
  };
}

/** `orderstatus` data: the book row plus `price_type` (the sandbox's historical key) beside `pricetype`. */
export function orderStatusData(row: SandboxOrderRow) {
  const { rejection_reason: _reason, ...book } = orderBookRow(row);
  return { ...book, price_type: row.price_type };
}

export function toOrder(row: SandboxOrderRow): Order {
  return {
    orderId: row.orderid,
    symbol: row.symbol,
    exchange: row.exchange as Order['exchange'],
    action: row.action,
    quantity: row.quantity,
    filledQuantity: row.filled_quantity,
    pendingQuantity: row.pending_quantity,
    price: row.price_type === 'MARKET' ? '0' : toDecimal(row.price).toString(),
    triggerPrice: toDecimal(row.trigger_price).toString(),
    averagePrice: toDecimal(row.average_price ?? '0').toString(),
    priceType: row.price_type,
    product: row.product,
    status: row.status,
    ...(row.rejection_reason ? { rejectionReason: row.rejection_reason } : {}),
    ...(row.client_order_id ? { clientOrderId: row.client_order_id } : {}),
    placedAt: row.placed_at.getTime(),
    updatedAt: row.updated_at.getTime(),
    raw: orderBookRow(row),
  };
}

export interface TradeBookRow {
  action: 'BUY' | 'SELL';
  symbol: string;
  exchange: string;
  orderid: string;
  tradeid: string;
  product: string;
  quantity: number;
  average_price: number;
  price: number;
  trade_value: number;
  strategy: string;
  timestamp: string;
}

export function tradeBookRow(row: SandboxTradeRow): TradeBookRow {
  return {
    action: row.action,
    symbol: row.symbol,
    exchange: row.exchange,
    orderid: row.orderid,
    tradeid: row.tradeid,
    product: row.product,
    quantity: row.quantity,
    average_price: wire(row.price),
    price: wire(row.price),
    trade_value: wire(new Dec(row.price).mul(row.quantity)),
    strategy: row.strategy,
    timestamp: formatIst(row.traded_at.getTime()),
  };
}

export function toTrade(row: SandboxTradeRow): Trade {
  return {
    tradeId: row.tradeid,
    orderId: row.orderid,
    symbol: row.symbol,
    exchange: row.exchange as Trade['exchange'],
    action: row.action,
    quantity: row.quantity,
    price: toDecimal(row.price).toString(),
    product: row.product,
    tradedAt: row.traded_at.getTime(),
    raw: tradeBookRow(row),
  };
}

/** A position marked to a price: the figures both views need. */
export interface MarkedPosition {
  row: SandboxPositionRow;
  ltp: Dec | null;
  unrealized: Dec;
  todayRealized: Dec;
  contractValue: Dec;
}

export interface PositionBookRow {
  symbol: string;
  exchange: string;
  product: string;
  quantity: number;
  average_price: number;
  ltp: number;
  pnl: number;
  pnlpercent: number;
  unrealized_pnl: number;
  today_realized_pnl: number;
  total_pnl_today: number;
  lot_size: number;
}

export function positionBookRow(marked: MarkedPosition): PositionBookRow {
  const { row } = marked;
  const total = marked.unrealized.add(marked.todayRealized);
  const invested = new Dec(row.average_price).mul(Math.abs(row.quantity)).mul(marked.contractValue);
  return {
    symbol: row.symbol,
    exchange: row.exchange,
    product: row.product,
    quantity: row.quantity,
    average_price: row.quantity === 0 ? 0 : wire(row.average_price),
    ltp: wire(marked.ltp),
    pnl: wire(total),
    pnlpercent: row.quantity === 0 || invested.isZero() ? 0 : wire(total.div(invested).mul(100)),
    unrealized_pnl: wire(marked.unrealized),
    today_realized_pnl: wire(marked.todayRealized),
    total_pnl_today: wire(total),
    lot_size: toWireNumber(marked.contractValue, 8),
  };
}

export function toPosition(marked: MarkedPosition): Position {
  const { row } = marked;
  return {
    symbol: row.symbol,
    exchange: row.exchange as Position['exchange'],
    product: row.product,
    quantity: row.quantity,
    averagePrice: toDecimal(row.average_price).toString(),
    ...(marked.ltp ? { ltp: marked.ltp.toString() } : {}),
    realizedPnl: marked.todayRealized.toString(),
    unrealizedPnl: marked.unrealized.toString(),
    pnl: marked.unrealized.add(marked.todayRealized).toString(),
    raw: positionBookRow(marked),
  };
}

export interface MarkedHolding {
  row: SandboxHoldingRow;
  ltp: Dec | null;
}

export interface HoldingRow {
  symbol: string;
  exchange: string;
  product: 'CNC';
  quantity: number;
  average_price: number;
  ltp: number;
  pnl: number;
  pnlpercent: number;
  current_value: number;
  settlement_date: string;
}

function holdingFigures(marked: MarkedHolding) {
  const average = new Dec(marked.row.average_price);
  const ltp = marked.ltp ?? average;
  const invested = average.mul(marked.row.quantity);
  const current = ltp.mul(marked.row.quantity);
  const pnl = current.sub(invested);
  return { ltp, invested, current, pnl };
}

export function holdingRow(marked: MarkedHolding): HoldingRow {
  const figures = holdingFigures(marked);
  return {
    symbol: marked.row.symbol,
    exchange: marked.row.exchange,
    product: 'CNC',
    quantity: marked.row.quantity,
    average_price: wire(marked.row.average_price),
    ltp: wire(figures.ltp),
    pnl: wire(figures.pnl),
    pnlpercent: figures.invested.isZero() ? 0 : wire(figures.pnl.div(figures.invested).mul(100)),
    current_value: wire(figures.current),
    settlement_date: marked.row.settlement_date,
  };
}

export function holdingStatistics(holdings: readonly MarkedHolding[]) {
  let value = new Dec(0);
  let invested = new Dec(0);
  for (const holding of holdings) {
    const figures = holdingFigures(holding);
    value = value.add(figures.current);
    invested = invested.add(figures.invested);
  }
  const pnl = value.sub(invested);
  return {
    totalholdingvalue: wire(value),
    totalinvvalue: wire(invested),
    totalprofitandloss: wire(pnl),
    totalpnlpercentage: invested.isZero() ? 0 : wire(pnl.div(invested).mul(100)),
  };
}

export function toHolding(marked: MarkedHolding): Holding {
  const figures = holdingFigures(marked);
  return {
    symbol: marked.row.symbol,
    exchange: marked.row.exchange as Holding['exchange'],
    product: 'CNC',
    quantity: marked.row.quantity,
    averagePrice: toDecimal(marked.row.average_price).toString(),
    ltp: figures.ltp.toString(),
    pnl: figures.pnl.toString(),
    pnlPercent: figures.invested.isZero() ? '0' : figures.pnl.div(figures.invested).mul(100).toString(),
    raw: holdingRow(marked),
  };
}

export interface FundsData {
  availablecash: number;
  collateral: number;
  m2munrealized: number;
  m2mrealized: number;
  total_realized_pnl: number;
  today_realized_pnl: number;
  utiliseddebits: number;
  grossexposure: number;
  totalpnl: number;
  last_reset: string;
  reset_count: number;
}

export function fundsData(row: SandboxFundsRow, todayRealized: Dec, unrealized: Dec): FundsData {
  const realized = new Dec(row.realized_pnl);
  return {
    availablecash: wire(row.cash),
    collateral: 0,
    m2munrealized: wire(unrealized),
    m2mrealized: wire(todayRealized),
    total_realized_pnl: wire(realized),
    today_realized_pnl: wire(todayRealized),
    utiliseddebits: wire(row.used_margin),
    grossexposure: wire(row.used_margin),
    totalpnl: wire(realized.add(unrealized)),
    last_reset: formatIst(row.last_reset_at.getTime()),
    reset_count: row.reset_count,
  };
}

export function toFunds(row: SandboxFundsRow, todayRealized: Dec, unrealized: Dec): Funds {
  return {
    availableCash: toDecimal(row.cash).toString(),
    collateral: '0',
    utilisedDebits: toDecimal(row.used_margin).toString(),
    m2mRealized: todayRealized.toString(),
    m2mUnrealized: unrealized.toString(),
    raw: fundsData(row, todayRealized, unrealized),
  };
}

export interface GttBookRow {
  trigger_id: string;
  trigger_type: 'single' | 'two-leg';
  status: string;
  symbol: string;
  exchange: string;
  trigger_prices: number[];
  last_price: number;
  legs: { action: string; quantity: number; price: number; pricetype: string; product: string }[];
  strategy: string;
  margin_blocked: number;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export function gttBookRow(gtt: SandboxGttRow, legs: readonly SandboxGttLegRow[]): GttBookRow {
  const ordered = [...legs].sort((a, b) => new Dec(a.trigger_price).cmp(new Dec(b.trigger_price)));
  return {
    trigger_id: gtt.gtt_id,
    trigger_type: gtt.trigger_type,
    status: gtt.status,
    symbol: gtt.symbol,
    exchange: gtt.exchange,
    trigger_prices: ordered.map((leg) => wire(leg.trigger_price)),
    last_price: wire(gtt.last_price),
    legs: ordered.map((leg) => ({
      action: leg.action,
      quantity: leg.quantity,
      price: wire(leg.price),
      pricetype: leg.price_type,
      product: leg.product,
    })),
    strategy: gtt.strategy,
    margin_blocked: wire(gtt.margin_blocked),
    created_at: gtt.created_at.toISOString(),
    updated_at: gtt.updated_at.toISOString(),
    expires_at: gtt.expires_at ? gtt.expires_at.toISOString() : '',
  };
}

export function toGtt(gtt: SandboxGttRow, legs: readonly SandboxGttLegRow[]): Gtt {
  const ordered = [...legs].sort((a, b) => new Dec(a.trigger_price).cmp(new Dec(b.trigger_price)));
  return {
    triggerId: gtt.gtt_id,
    symbol: gtt.symbol,
    exchange: gtt.exchange as Gtt['exchange'],
    triggerType: gtt.trigger_type,
    status: gtt.status,
    lastPrice: toDecimal(gtt.last_price).toString(),
    legs: ordered.map((leg) => ({
      triggerPrice: toDecimal(leg.trigger_price).toString(),
      price: toDecimal(leg.price).toString(),
      quantity: leg.quantity,
      action: leg.action,
      priceType: leg.price_type,
      product: leg.product,
    })),
    createdAt: gtt.created_at.getTime(),
    ...(gtt.expires_at ? { expiresAt: gtt.expires_at.getTime() } : {}),
    raw: gttBookRow(gtt, legs),
  };
}
