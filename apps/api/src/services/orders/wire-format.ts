import type {
  FundsData,
  Gtt,
  GttOrderBookRow,
  Holding,
  HoldingRow,
  HoldingsStatistics,
  Order,
  OrderBookRow,
  OrderStatistics,
  OrderStatusData,
  Position,
  PositionBookRow,
  Trade,
  TradeBookRow,
} from '@openalgo/shared-types';
import { toDecimal, toFixedText, toWireNumber } from '@openalgo/shared-types/decimal';
import { formatIst } from '../../time.js';
import type { OrderMode } from './order-target.js';

/**
 * The normalized broker structures as OpenAlgo's wire rows (api-v1 §4.2): prices rounded to 2
 * decimals as numbers, quantities integers, broker-style timestamps in IST. Analyzer rows carry
 * the sandbox's extra keys and JSON numbers everywhere (api-v1 §5.3).
 */

const money = (value: string | undefined) => (value === undefined ? 0 : toWireNumber(value, 2));
const fixed2 = (value: string) => toFixedText(value, 2, 'nearest');

/**
 * IST timestamps repeat across book reads of the same orders: format each once (per pattern,
 * keyed by the epoch number itself, so a lookup builds no key).
 */
const timestampCache = new Map<string, Map<number, string>>();
let cachedTimestamps = 0;
function istTimestamp(epochMs: number, pattern: string): string {
  let byTime = timestampCache.get(pattern);
  if (byTime === undefined) {
    byTime = new Map();
    timestampCache.set(pattern, byTime);
  }
  let text = byTime.get(epochMs);
  if (text === undefined) {
    if (cachedTimestamps >= 50_000) {
      for (const times of timestampCache.values()) {
        times.clear();
      }
      cachedTimestamps = 0;
    }
    text = formatIst(epochMs, pattern);
    byTime.set(epochMs, text);
    cachedTimestamps += 1;
  }
  return text;
}

const LIVE_ORDER_TIME = 'dd-MMM-yyyy HH:mm:ss';
const LIVE_TRADE_TIME = 'HH:mm:ss';
const SANDBOX_TIME = 'yyyy-MM-dd HH:mm:ss';

export function toOrderBookRow(order: Order, mode: OrderMode, strategy?: string): OrderBookRow {
  const row: OrderBookRow = {
    action: order.action,
    symbol: order.symbol,
    exchange: order.exchange,
    orderid: order.orderId,
    product: order.product,
    quantity: order.quantity,
    // MARKET orders show price 0 (api-v1 §4.2.2).
    price: order.priceType === 'MARKET' ? 0 : money(order.price),
    pricetype: order.priceType,
    order_status: order.status,
    trigger_price: money(order.triggerPrice),
    timestamp: istTimestamp(order.placedAt, mode === 'analyze' ? SANDBOX_TIME : LIVE_ORDER_TIME),
  };
  if (mode === 'analyze') {
    row.average_price = money(order.averagePrice);
    row.filled_quantity = order.filledQuantity;
    row.pending_quantity = order.pendingQuantity;
    row.rejection_reason = order.rejectionReason ?? '';
    row.strategy = strategy ?? '';
  }
  return row;
}

export function orderStatistics(orders: readonly Order[], mode: OrderMode): OrderStatistics {
  const statistics: OrderStatistics = {
    total_buy_orders: 0,
    total_sell_orders: 0,
    total_completed_orders: 0,
    total_open_orders: 0,
    total_rejected_orders: 0,
  };
  let triggerPending = 0;
  for (const order of orders) {
    if (order.action === 'BUY') {
      statistics.total_buy_orders += 1;
    } else {
      statistics.total_sell_orders += 1;
    }
    switch (order.status) {
      case 'complete':
        statistics.total_completed_orders += 1;
        break;
      case 'open':
        statistics.total_open_orders += 1;
        break;
      case 'rejected':
        statistics.total_rejected_orders += 1;
        break;
      case 'trigger pending':
        triggerPending += 1;
        break;
      default:
        break;
    }
  }
  if (mode === 'analyze') {
    statistics.total_trigger_pending_orders = triggerPending;
  }
  return statistics;
}

export function toOrderStatus(order: Order, mode: OrderMode): OrderStatusData {
  const row = toOrderBookRow(order, mode);
  const data: OrderStatusData = {
    ...row,
    average_price: order.status === 'complete' || mode === 'analyze' ? money(order.averagePrice) : 0,
  };
  if (mode === 'analyze') {
    // The sandbox's key (api-v1 §8 #19): both are sent.
    data.price_type = order.priceType;
    delete data.rejection_reason;
  }
  return data;
}

export function toTradeBookRow(trade: Trade, mode: OrderMode): TradeBookRow {
  const price = toDecimal(trade.price);
  const row: TradeBookRow = {
    action: trade.action,
    symbol: trade.symbol,
    exchange: trade.exchange,
    orderid: trade.orderId,
    product: trade.product,
    quantity: trade.quantity,
    average_price: toWireNumber(price, 2),
    trade_value: toWireNumber(price.mul(trade.quantity), 2),
    timestamp: istTimestamp(trade.tradedAt, mode === 'analyze' ? SANDBOX_TIME : LIVE_TRADE_TIME),
    tradeid: trade.tradeId,
  };
  if (mode === 'analyze') {
    row.price = toWireNumber(price, 2);
    row.strategy = '';
  }
  return row;
}

export interface PositionBook {
  rows: PositionBookRow[];
  totals?: {
    total_pnl: number;
    total_unrealized_pnl: number;
    total_today_realized_pnl: number;
    total_pnl_today: number;
  };
}

export function toPositionBook(
  positions: readonly Position[],
  mode: OrderMode,
  lotSizeOf: (symbol: string, exchange: string) => number | undefined,
): PositionBook {
  if (mode === 'live') {
    return {
      rows: positions.map((position) => ({
        symbol: position.symbol,
        exchange: position.exchange,
        product: position.product,
        quantity: position.quantity,
        // The reference broker sends the average as a 2-decimal string (api-v1 §4.2.4).
        average_price: fixed2(position.averagePrice),
        ltp: money(position.ltp),
        pnl: money(position.pnl),
      })),
    };
  }
  return toAnalyzerPositionBook(positions, lotSizeOf);
}

/** The analyzer's position book: every value numeric, per-row P&L split, and the totals. */
export function toAnalyzerPositionBook(
  positions: readonly Position[],
  lotSizeOf: (symbol: string, exchange: string) => number | undefined,
): Required<PositionBook> {
  let totalPnl = toDecimal(0);
  let totalUnrealized = toDecimal(0);
  let totalRealized = toDecimal(0);
  const rows = positions.map((position): PositionBookRow => {
    const pnl = toDecimal(position.pnl ?? '0');
    const unrealized = toDecimal(position.unrealizedPnl ?? '0');
    const realized = toDecimal(position.realizedPnl ?? '0');
    totalPnl = totalPnl.add(pnl);
    totalUnrealized = totalUnrealized.add(unrealized);
    totalRealized = totalRealized.add(realized);
    const cost = toDecimal(position.averagePrice).mul(Math.abs(position.quantity));
    return {
      symbol: position.symbol,
      exchange: position.exchange,
      product: position.product,
      quantity: position.quantity,
      average_price: money(position.averagePrice),
      ltp: money(position.ltp),
      pnl: toWireNumber(pnl, 2),
      pnlpercent: cost.isZero() ? 0 : toWireNumber(unrealized.mul(100).div(cost), 2),
      unrealized_pnl: toWireNumber(unrealized, 2),
      today_realized_pnl: toWireNumber(realized, 2),
      total_pnl_today: toWireNumber(pnl, 2),
      lot_size: lotSizeOf(position.symbol, position.exchange) ?? 1,
    };
  });
  return {
    rows,
    totals: {
      total_pnl: toWireNumber(totalPnl, 2),
      total_unrealized_pnl: toWireNumber(totalUnrealized, 2),
      total_today_realized_pnl: toWireNumber(totalRealized, 2),
      total_pnl_today: toWireNumber(totalPnl, 2),
    },
  };
}

export function toHoldings(
  holdings: readonly Holding[],
  mode: OrderMode,
): { holdings: HoldingRow[]; statistics: HoldingsStatistics } {
  let holdingValue = toDecimal(0);
  let investedValue = toDecimal(0);
  let profitAndLoss = toDecimal(0);
  const rows = holdings.map((holding): HoldingRow => {
    const average = toDecimal(holding.averagePrice);
    const ltp = toDecimal(holding.ltp ?? '0');
    const invested = average.mul(holding.quantity);
    const pnl = holding.pnl !== undefined ? toDecimal(holding.pnl) : ltp.sub(average).mul(holding.quantity);
    holdingValue = holdingValue.add(ltp.mul(holding.quantity));
    investedValue = investedValue.add(invested);
    profitAndLoss = profitAndLoss.add(pnl);
    const percent =
      holding.pnlPercent !== undefined
        ? toDecimal(holding.pnlPercent)
        : average.isZero() || ltp.isZero()
          ? toDecimal(0)
          : ltp.sub(average).mul(100).div(average);
    const row: HoldingRow = {
      symbol: holding.symbol,
      exchange: holding.exchange,
      quantity: holding.quantity,
      product: holding.product,
      average_price: toWireNumber(average, 2),
      ltp: toWireNumber(ltp, 2),
      pnl: toWireNumber(pnl, 2),
      pnlpercent: toWireNumber(percent, 2),
    };
    if (mode === 'analyze') {
      row.current_value = toWireNumber(ltp.mul(holding.quantity), 2);
    }
    return row;
  });
  return {
    holdings: rows,
    statistics: {
      totalholdingvalue: toWireNumber(holdingValue, 2),
      totalinvvalue: toWireNumber(investedValue, 2),
      totalprofitandloss: toWireNumber(profitAndLoss, 2),
      totalpnlpercentage: investedValue.isZero()
        ? 0
        : toWireNumber(profitAndLoss.mul(100).div(investedValue), 2),
    },
  };
}

export function toFundsData(
  funds: {
    availableCash: string;
    collateral: string;
    m2mRealized: string;
    m2mUnrealized: string;
    utilisedDebits: string;
  },
  mode: OrderMode,
): FundsData {
  if (mode === 'live') {
    // The reference broker's funds are 2-decimal strings (api-v1 §4.2.1).
    return {
      availablecash: fixed2(funds.availableCash),
      collateral: fixed2(funds.collateral),
      m2mrealized: fixed2(funds.m2mRealized),
      m2munrealized: fixed2(funds.m2mUnrealized),
      utiliseddebits: fixed2(funds.utilisedDebits),
    };
  }
  const realized = toDecimal(funds.m2mRealized);
  const unrealized = toDecimal(funds.m2mUnrealized);
  return {
    availablecash: money(funds.availableCash),
    collateral: money(funds.collateral),
    m2mrealized: toWireNumber(realized, 2),
    m2munrealized: toWireNumber(unrealized, 2),
    utiliseddebits: money(funds.utilisedDebits),
    total_realized_pnl: toWireNumber(realized, 2),
    today_realized_pnl: toWireNumber(realized, 2),
    grossexposure: money(funds.utilisedDebits),
    totalpnl: toWireNumber(realized.add(unrealized), 2),
  };
}

export function toGttRow(gtt: Gtt, mode: OrderMode): GttOrderBookRow {
  const legs = [...gtt.legs];
  const triggerPrices = legs.map((leg) => toDecimal(leg.triggerPrice)).sort((a, b) => a.comparedTo(b));
  const row: GttOrderBookRow = {
    trigger_id: gtt.triggerId,
    trigger_type: gtt.triggerType,
    status: gtt.status,
    symbol: gtt.symbol,
    exchange: gtt.exchange,
    trigger_prices: triggerPrices.map((price) => toWireNumber(price, 2)),
    last_price: money(gtt.lastPrice),
    legs: legs
      .sort((a, b) => toDecimal(a.triggerPrice).comparedTo(toDecimal(b.triggerPrice)))
      .map((leg) => ({
        action: leg.action,
        quantity: leg.quantity,
        price: money(leg.price),
        pricetype: leg.priceType,
        product: leg.product,
      })),
    created_at:
      mode === 'analyze' ? new Date(gtt.createdAt).toISOString() : istTimestamp(gtt.createdAt, SANDBOX_TIME),
    updated_at: '',
    expires_at:
      gtt.expiresAt === undefined
        ? ''
        : mode === 'analyze'
          ? new Date(gtt.expiresAt).toISOString()
          : istTimestamp(gtt.expiresAt, SANDBOX_TIME),
  };
  if (mode === 'analyze') {
    row.strategy = '';
  }
  return row;
}
