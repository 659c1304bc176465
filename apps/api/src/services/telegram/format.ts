/**
 * Plain-text renderings of the account views for Telegram messages (≤ 4,096 characters;
 * long books are cut with a count of what was left out).
 */

type Numeric = number | string;

export interface BookOrder {
  orderid: string;
  symbol: string;
  exchange: string;
  action: string;
  quantity: Numeric;
  price: Numeric;
  pricetype: string;
  product: string;
  order_status: string;
}

export interface BookTrade {
  orderid: string;
  symbol: string;
  exchange: string;
  action: string;
  quantity: Numeric;
  average_price: Numeric;
  product: string;
}

export interface BookPosition {
  symbol: string;
  exchange: string;
  product: string;
  quantity: Numeric;
  average_price: Numeric;
  ltp?: Numeric;
  pnl?: Numeric;
}

export interface BookHolding {
  symbol: string;
  exchange: string;
  quantity: Numeric;
  average_price?: Numeric;
  ltp?: Numeric;
  pnl: Numeric;
  pnlpercent?: Numeric;
}

export interface BookFunds {
  availablecash: Numeric;
  collateral: Numeric;
  m2mrealized: Numeric;
  m2munrealized: Numeric;
  utiliseddebits: Numeric;
}

/** Read-only account views the bot answers from (the same data as the REST books). */
export interface TelegramAccountViews {
  mode(): Promise<'live' | 'analyze'>;
  orderBook(userId: number): Promise<readonly BookOrder[]>;
  tradeBook(userId: number): Promise<readonly BookTrade[]>;
  positions(userId: number): Promise<readonly BookPosition[]>;
  holdings(userId: number): Promise<readonly BookHolding[]>;
  funds(userId: number): Promise<BookFunds>;
}

const MAX_ROWS = 40;

function list<T>(title: string, rows: readonly T[], render: (row: T) => string, empty: string): string {
  if (rows.length === 0) {
    return `${title}\n${empty}`;
  }
  const shown = rows.slice(0, MAX_ROWS).map(render);
  const more = rows.length > MAX_ROWS ? `\n… and ${rows.length - MAX_ROWS} more` : '';
  return `${title} (${rows.length})\n${shown.join('\n')}${more}`;
}

export function formatOrderBook(orders: readonly BookOrder[]): string {
  return list(
    '📋 Order book',
    orders,
    (order) =>
      `${order.action} ${order.quantity} ${order.symbol} (${order.exchange}) ${order.pricetype}${Number(order.price) > 0 ? ` @ ${order.price}` : ''} ${order.product} — ${order.order_status} #${order.orderid}`,
    'No orders today.',
  );
}

export function formatTradeBook(trades: readonly BookTrade[]): string {
  return list(
    '🧾 Trade book',
    trades,
    (trade) =>
      `${trade.action} ${trade.quantity} ${trade.symbol} (${trade.exchange}) @ ${trade.average_price} ${trade.product} #${trade.orderid}`,
    'No trades today.',
  );
}

export function formatPositions(positions: readonly BookPosition[]): string {
  return list(
    '📈 Positions',
    positions,
    (position) =>
      `${position.symbol} (${position.exchange}) ${position.product}: ${position.quantity} @ ${position.average_price}${position.ltp !== undefined ? ` LTP ${position.ltp}` : ''}${position.pnl !== undefined ? ` P&L ${position.pnl}` : ''}`,
    'No open positions.',
  );
}

export function formatHoldings(holdings: readonly BookHolding[]): string {
  return list(
    '💼 Holdings',
    holdings,
    (holding) =>
      `${holding.symbol} (${holding.exchange}): ${holding.quantity}${holding.average_price !== undefined ? ` @ ${holding.average_price}` : ''} P&L ${holding.pnl}${holding.pnlpercent !== undefined ? ` (${holding.pnlpercent}%)` : ''}`,
    'No holdings.',
  );
}

export function formatFunds(funds: BookFunds): string {
  return [
    '💰 Funds',
    `Available cash: ${funds.availablecash}`,
    `Collateral: ${funds.collateral}`,
    `Utilised: ${funds.utiliseddebits}`,
    `Realised M2M: ${funds.m2mrealized}`,
    `Unrealised M2M: ${funds.m2munrealized}`,
  ].join('\n');
}

export interface OrderEventForAlert {
  mode: 'live' | 'analyze';
  operation: string;
  symbol: string;
  exchange: string;
  action: string;
  quantity: Numeric;
  pricetype: string;
  product: string;
  orderid?: string;
  status: 'success' | 'error';
  message?: string;
  strategy?: string;
}

/** The order alert as OpenAlgo words it: the mode header, then the order's particulars. */
export function formatOrderAlert(event: OrderEventForAlert): string {
  const header = event.mode === 'analyze' ? '🧪 ANALYZE MODE – no real order' : '🔴 LIVE MODE – real order';
  const lines = [
    header,
    `${event.status === 'success' ? '✅' : '❌'} ${event.operation}`,
    `${event.action} ${event.quantity} ${event.symbol} (${event.exchange})`,
    `Type: ${event.pricetype} · Product: ${event.product}`,
  ];
  if (event.strategy) {
    lines.push(`Strategy: ${event.strategy}`);
  }
  lines.push(
    event.status === 'success' ? `Order id: ${event.orderid ?? '-'}` : `Error: ${event.message ?? 'unknown'}`,
  );
  return lines.join('\n');
}
