import {
  buildFutureSymbol,
  buildOptionSymbol,
  type Exchange,
  type ExpiryDate,
  formatExpiry,
  type IndexExchange,
  type OptionType,
  parseExpiry,
  parseSymbol,
} from '@openalgo/shared-types';

/** Series suffixes brokers append to equity trading symbols (spec/brokers.md §2.2). */
const SERIES_SUFFIX = /-(EQ|BE|MF|SG)$/;

/** `SBIN-EQ` → `SBIN`; other characters (`M&M`, `BAJAJ-AUTO`) are kept. */
export function stripSeriesSuffix(tradingSymbol: string): string {
  return tradingSymbol.trim().replace(SERIES_SUFFIX, '');
}

/** An underlying's name as it appears inside derivative symbols: upper case, no whitespace. */
export function compactUnderlying(name: string): string {
  return name.trim().toUpperCase().replace(/\s+/g, '');
}

/** An expiry as a broker gives it: parts, or text `parseExpiry` reads (`2024-12-26`, `26DEC24`, `26-DEC-2024`). */
export type ExpiryInput = ExpiryDate | string;

function toExpiryDate(expiry: ExpiryInput): ExpiryDate {
  if (typeof expiry !== 'string') {
    return expiry;
  }
  const parsed = parseExpiry(expiry.trim().toUpperCase());
  if (!parsed) {
    throw new RangeError(`invalid expiry: ${expiry}`);
  }
  return parsed;
}

/** Both expiry spellings of the symbol master: `26DEC24` (inside symbols) and `26-DEC-24` (the expiry column). */
export function expiryFields(expiry: ExpiryInput): { compact: string; dashed: string } {
  const date = toExpiryDate(expiry);
  return { compact: formatExpiry(date, 'DDMMMYY'), dashed: formatExpiry(date, 'DD-MMM-YY') };
}

export type DerivativeParts =
  | { underlying: string; expiry: ExpiryInput; instrumentType: 'FUT' }
  | { underlying: string; expiry: ExpiryInput; instrumentType: OptionType; strike: number | string };

export interface DerivativeSymbol {
  /** `NIFTY26DEC24FUT`, `NIFTY26DEC2424000CE`. */
  symbol: string;
  /** The master's `name`: the underlying exactly as it appears in `symbol`. */
  name: string;
  /** `26-DEC-24`. */
  expiry: string;
}

/**
 * Builds an OpenAlgo future or option symbol from its parts, never from the broker's trading
 * symbol (brokers abbreviate weekly and monthly contracts differently). Throws `RangeError` on
 * an impossible expiry, a bad strike or an underlying that is not a valid base symbol.
 */
export function buildDerivativeSymbol(parts: DerivativeParts): DerivativeSymbol {
  const name = compactUnderlying(parts.underlying);
  const parsedBase = parseSymbol(name);
  if (name.length === 0 || parsedBase?.kind !== 'equity') {
    throw new RangeError(`invalid underlying: ${parts.underlying}`);
  }
  const date = toExpiryDate(parts.expiry);
  const symbol =
    parts.instrumentType === 'FUT'
      ? buildFutureSymbol(name, date)
      : buildOptionSymbol(name, date, parts.strike, parts.instrumentType);
  return { symbol, name, expiry: formatExpiry(date, 'DD-MMM-YY') };
}

const INDEX_EXCHANGE_OF: Readonly<Record<string, IndexExchange>> = {
  NSE: 'NSE_INDEX',
  NFO: 'NSE_INDEX',
  BSE: 'BSE_INDEX',
  BFO: 'BSE_INDEX',
  MCX: 'MCX_INDEX',
};

/** Where a broker's index rows of an exchange belong: `NSE` → `NSE_INDEX`; others → `GLOBAL_INDEX`. */
export function toIndexExchange(exchange: string): IndexExchange {
  return INDEX_EXCHANGE_OF[exchange.toUpperCase()] ?? 'GLOBAL_INDEX';
}

const DERIVATIVE_EXCHANGE_OF: Readonly<Partial<Record<Exchange, Exchange>>> = {
  NSE: 'NFO',
  NSE_INDEX: 'NFO',
  NFO: 'NFO',
  BSE: 'BFO',
  BSE_INDEX: 'BFO',
  BFO: 'BFO',
  MCX: 'MCX',
  MCX_INDEX: 'MCX',
  CDS: 'CDS',
  BCD: 'BCD',
};

/** Where an underlying's futures and options trade: `NSE_INDEX`/`NSE` → `NFO`, `BSE_INDEX`/`BSE` → `BFO`. */
export function derivativeExchangeOf(exchange: Exchange): Exchange | undefined {
  return DERIVATIVE_EXCHANGE_OF[exchange];
}
