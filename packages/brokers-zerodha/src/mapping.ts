import type {
  Exchange,
  Interval,
  OrderStatus,
  PriceType,
  Product,
  ResolvedInstrument,
} from '@openalgo/shared-types';
import { EXCHANGES } from '@openalgo/shared-types';
import { toDecimal } from '@openalgo/shared-types/decimal';

/**
 * Our enums to Kite's and back (spec/brokers.md §3.a, §3.g). Pure functions and tables only.
 */

/** Kite order varieties. OpenAlgo always sent `regular`, so AMO/iceberg orders could not be modified. */
export const KITE_VARIETIES = ['regular', 'amo', 'co', 'iceberg', 'auction'] as const;
export type KiteVariety = (typeof KITE_VARIETIES)[number];

export function isKiteVariety(value: string | null | undefined): value is KiteVariety {
  return (KITE_VARIETIES as readonly string[]).includes(value ?? '');
}

/** Exchanges on which Kite accepts orders. */
export const KITE_ORDER_EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCO'] as const;

/** Exchanges this package serves, as OpenAlgo names them. */
export const ZERODHA_EXCHANGES = [
  'NSE',
  'BSE',
  'NFO',
  'BFO',
  'CDS',
  'BCD',
  'MCX',
  'NCO',
  'NSE_INDEX',
  'BSE_INDEX',
  'MCX_INDEX',
  'GLOBAL_INDEX',
] as const satisfies readonly Exchange[];

/** Whether Kite accepts orders (and GTTs, margin calls) for this instrument: never for indices. */
export function isTradableOnKite(
  instrument: Pick<ResolvedInstrument, 'exchange' | 'brExchange' | 'instrumentType'>,
): boolean {
  return (
    instrument.instrumentType !== 'INDEX' &&
    !instrument.exchange.endsWith('_INDEX') &&
    (KITE_ORDER_EXCHANGES as readonly string[]).includes(instrument.brExchange)
  );
}

/** Kite's product codes are ours, plus MTF/CO/BO which we fold into the nearest OpenAlgo product. */
export function toKiteProduct(product: Product): string {
  return product;
}

export function fromKiteProduct(product: string | null | undefined): Product {
  switch (product) {
    case 'CNC':
    case 'MTF':
      return 'CNC';
    case 'NRML':
      return 'NRML';
    default:
      // MIS, and the intraday-only CO and BO products.
      return 'MIS';
  }
}

export function fromKitePriceType(orderType: string | null | undefined): PriceType {
  switch (orderType) {
    case 'LIMIT':
    case 'SL':
    case 'SL-M':
      return orderType;
    default:
      return 'MARKET';
  }
}

/**
 * Kite order statuses → ours. Every transient "… PENDING" / "… REQ RECEIVED" state is `open`;
 * an unknown status is `open` too while the order is neither filled nor closed, so a new Kite
 * state never crashes a book (OpenAlgo's transform raised, or inherited the previous row's status).
 */
export function fromKiteStatus(status: string | null | undefined): OrderStatus {
  const text = (status ?? '').trim().toUpperCase();
  switch (text) {
    case 'COMPLETE':
      return 'complete';
    case 'REJECTED':
      return 'rejected';
    case 'CANCELLED':
    case 'CANCELLED AMO':
      return 'cancelled';
    case 'TRIGGER PENDING':
      return 'trigger pending';
    default:
      return 'open';
  }
}

export function isTerminalStatus(status: OrderStatus): boolean {
  return status === 'complete' || status === 'rejected' || status === 'cancelled';
}

/** Our exchange names as Kite order/quote exchanges (identity for tradable ones). */
export function isOpenAlgoExchange(value: string): value is Exchange {
  return (EXCHANGES as readonly string[]).includes(value);
}

/** `EXCHANGE:tradingsymbol`, the key of Kite's quote APIs. Index rows keep Kite's own exchange. */
export function quoteKey(instrument: Pick<ResolvedInstrument, 'brExchange' | 'brSymbol'>): string {
  return `${instrument.brExchange}:${instrument.brSymbol}`;
}

/** Kite's numeric `instrument_token` from our composite `instrument_token::::exchange_token`. */
export function instrumentToken(instrument: Pick<ResolvedInstrument, 'token'>): number {
  const [first] = instrument.token.split('::::');
  const token = Number(first);
  if (!Number.isSafeInteger(token) || token <= 0) {
    throw new RangeError(`not a Kite instrument token: ${instrument.token}`);
  }
  return token;
}

/** OpenAlgo interval → Kite history interval. Kite has no W/M candles and no seconds. */
export const KITE_INTERVALS = {
  '1m': 'minute',
  '3m': '3minute',
  '5m': '5minute',
  '10m': '10minute',
  '15m': '15minute',
  '30m': '30minute',
  '1h': '60minute',
  D: 'day',
} as const satisfies Partial<Record<Interval, string>>;

export type KiteInterval = keyof typeof KITE_INTERVALS;

export function isKiteInterval(interval: Interval): interval is KiteInterval {
  return interval in KITE_INTERVALS;
}

/** Kite's documented range caps per history request, in days. */
export const KITE_HISTORY_MAX_DAYS = {
  '1m': 60,
  '3m': 100,
  '5m': 100,
  '10m': 100,
  '15m': 200,
  '30m': 200,
  '1h': 400,
  D: 2000,
} as const satisfies Record<KiteInterval, number>;

/**
 * A JSON number or numeric text from Kite as a canonical decimal string (never through float
 * arithmetic; `null`/missing → `"0"`).
 */
export function decimalText(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '0';
  }
  return toDecimal(typeof value === 'number' ? String(value) : value).toString();
}

/** An integer from Kite (quantities arrive as numbers, sometimes as numeric text). */
export function integerOf(value: number | string | null | undefined): number {
  if (value === null || value === undefined || value === '') {
    return 0;
  }
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}
