import type { StrategyRow, StrategySymbolRow } from '@openalgo/db';
import type { AlertAction, ChartinkAlert, Exchange, Product, StrategyAlert } from '@openalgo/shared-types';

/**
 * Turns one alert into the orders it asks for, purely (no I/O): the strategy's trading mode,
 * its intraday window and its symbol mappings decide (features.md §4.1, §4.3).
 *
 * - entry  → `placeorder` MARKET with the mapped quantity (or |position_size| when given);
 * - exit   → `placesmartorder` MARKET to position size 0 (flatten);
 * - BOTH   → `placesmartorder` to the signed `position_size` (BUY ≥ 0, SELL ≤ 0).
 * SHORT and COVER are explicit short entry and exit in every mode that allows shorts.
 */

export type PlannedOrder =
  | {
      kind: 'order';
      symbol: string;
      exchange: Exchange;
      product: Product;
      action: 'BUY' | 'SELL';
      quantity: number;
    }
  | {
      kind: 'smart';
      symbol: string;
      exchange: Exchange;
      product: Product;
      action: 'BUY' | 'SELL';
      quantity: number;
      positionSize: number;
    };

export type AlertPlan =
  | { ok: true; orders: PlannedOrder[]; skipped: string[] }
  | { ok: false; status: 400; message: string };

type Intent = { side: 'entry' | 'exit'; direction: 'long' | 'short' } | { side: 'target' };

function intentFor(action: AlertAction, mode: StrategyRow['trading_mode']): Intent | string {
  if (mode === 'BOTH') {
    if (action === 'SHORT') {
      return { side: 'entry', direction: 'short' };
    }
    if (action === 'COVER') {
      return { side: 'exit', direction: 'short' };
    }
    return { side: 'target' };
  }
  if (mode === 'LONG') {
    if (action === 'BUY') {
      return { side: 'entry', direction: 'long' };
    }
    if (action === 'SELL') {
      return { side: 'exit', direction: 'long' };
    }
    return `${action} is not allowed: this strategy trades LONG only`;
  }
  // SHORT mode: SELL/SHORT enter, BUY/COVER exit.
  if (action === 'SELL' || action === 'SHORT') {
    return { side: 'entry', direction: 'short' };
  }
  return { side: 'exit', direction: 'short' };
}

/** `HH:MM` (IST) comparison is lexicographic on zero-padded text. */
export function checkWindow(
  strategy: StrategyRow,
  side: 'entry' | 'exit' | 'target',
  istTime: string,
): string | null {
  if (!strategy.is_intraday) {
    return null;
  }
  const { start_time: start, end_time: end, squareoff_time: squareoff } = strategy;
  if (start && istTime < start) {
    return `Outside trading window: orders start at ${start} IST`;
  }
  if (side === 'exit') {
    if (squareoff && istTime > squareoff) {
      return `Outside trading window: exits end at ${squareoff} IST`;
    }
    return null;
  }
  if (end && istTime > end) {
    return `Outside trading window: no new entries after ${end} IST`;
  }
  return null;
}

function orderFor(
  intent: Intent,
  mapping: StrategySymbolRow,
  positionSize: number | undefined,
  action: AlertAction,
): PlannedOrder | string {
  const base = {
    symbol: mapping.symbol,
    exchange: mapping.exchange as Exchange,
    product: mapping.product as Product,
  };
  if (intent.side === 'target') {
    if (positionSize === undefined) {
      return 'position_size is required for strategies that trade BOTH directions';
    }
    if (action === 'BUY' && positionSize < 0) {
      return 'BUY needs position_size ≥ 0';
    }
    if (action === 'SELL' && positionSize > 0) {
      return 'SELL needs position_size ≤ 0';
    }
    return {
      kind: 'smart',
      ...base,
      action: action === 'SELL' ? 'SELL' : 'BUY',
      quantity: Math.max(Math.abs(positionSize), mapping.quantity),
      positionSize,
    };
  }
  if (intent.side === 'exit') {
    return {
      kind: 'smart',
      ...base,
      action: intent.direction === 'long' ? 'SELL' : 'BUY',
      quantity: mapping.quantity,
      positionSize: 0,
    };
  }
  const quantity =
    positionSize !== undefined && positionSize !== 0 ? Math.abs(positionSize) : mapping.quantity;
  return { kind: 'order', ...base, action: intent.direction === 'long' ? 'BUY' : 'SELL', quantity };
}

export function planStrategyAlert(
  strategy: StrategyRow,
  mappings: readonly StrategySymbolRow[],
  alert: StrategyAlert,
  istTime: string,
): AlertPlan {
  const intent = intentFor(alert.action, strategy.trading_mode);
  if (typeof intent === 'string') {
    return { ok: false, status: 400, message: intent };
  }
  const windowError = checkWindow(strategy, intent.side, istTime);
  if (windowError) {
    return { ok: false, status: 400, message: windowError };
  }
  const matching = mappings.filter(
    (mapping) =>
      mapping.symbol === alert.symbol &&
      (alert.exchange === undefined || mapping.exchange === alert.exchange),
  );
  if (matching.length === 0) {
    return { ok: false, status: 400, message: `No symbol mapping for ${alert.symbol} in this strategy` };
  }
  if (matching.length > 1) {
    return {
      ok: false,
      status: 400,
      message: `${alert.symbol} is mapped on several exchanges: add "exchange" to the alert`,
    };
  }
  const [mapping] = matching as [StrategySymbolRow];
  const order = orderFor(intent, mapping, alert.position_size, alert.action);
  if (typeof order === 'string') {
    return { ok: false, status: 400, message: order };
  }
  return { ok: true, orders: [order], skipped: [] };
}

/** ChartInk: the action comes from the scan name (must contain BUY, SELL, SHORT or COVER). */
export function actionFromScanName(scanName: string): AlertAction | null {
  const upper = scanName.toUpperCase();
  // COVER before BUY/SELL-free checks; SHORT before SELL is irrelevant (different words).
  for (const action of ['COVER', 'SHORT', 'BUY', 'SELL'] as const) {
    if (new RegExp(`(^|[^A-Z])${action}([^A-Z]|$)`).test(upper)) {
      return action;
    }
  }
  for (const action of ['COVER', 'SHORT', 'BUY', 'SELL'] as const) {
    if (upper.includes(action)) {
      return action;
    }
  }
  return null;
}

export function planChartinkAlert(
  strategy: StrategyRow,
  mappings: readonly StrategySymbolRow[],
  alert: ChartinkAlert,
  istTime: string,
): AlertPlan {
  const action = actionFromScanName(alert.scan_name);
  if (!action) {
    return { ok: false, status: 400, message: 'Scan name must contain BUY, SELL, SHORT or COVER' };
  }
  const isEntry = action === 'BUY' || action === 'SHORT';
  const windowError = checkWindow(strategy, isEntry ? 'entry' : 'exit', istTime);
  if (windowError) {
    return { ok: false, status: 400, message: windowError };
  }
  const symbols = [
    ...new Set(
      alert.stocks
        .split(',')
        .map((symbol) => symbol.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
  const orders: PlannedOrder[] = [];
  const skipped: string[] = [];
  for (const symbol of symbols) {
    const mapping = mappings.find(
      (row) => row.symbol === symbol && (row.exchange === 'NSE' || row.exchange === 'BSE'),
    );
    if (!mapping) {
      skipped.push(symbol);
      continue;
    }
    const base = { symbol, exchange: mapping.exchange as Exchange, product: mapping.product as Product };
    if (action === 'BUY') {
      orders.push({ kind: 'order', ...base, action: 'BUY', quantity: mapping.quantity });
    } else if (action === 'SHORT') {
      orders.push({ kind: 'order', ...base, action: 'SELL', quantity: mapping.quantity });
    } else {
      orders.push({
        kind: 'smart',
        ...base,
        action: action === 'SELL' ? 'SELL' : 'BUY',
        quantity: mapping.quantity,
        positionSize: 0,
      });
    }
  }
  if (orders.length === 0) {
    return { ok: false, status: 400, message: 'None of the alerted symbols is mapped in this strategy' };
  }
  return { ok: true, orders, skipped };
}

/** A stable key for duplicate detection: the same signal repeated within the window. */
export function dedupeKeyFor(payload: unknown): string {
  return JSON.stringify(payload, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([left], [right]) =>
            left.localeCompare(right),
          ),
        )
      : value,
  );
}
