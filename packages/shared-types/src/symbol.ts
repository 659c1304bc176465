import { z } from 'zod';
import type { Exchange, OptionType } from './enums.js';

/**
 * OpenAlgo's common symbol format (api-v1 §3.3):
 *   equity   SBIN, M&M, BAJAJ-AUTO
 *   index    NIFTY (on an *_INDEX exchange)
 *   future   NIFTY28NOV24FUT
 *   option   NIFTY28NOV2424000CE, VEDL25APR24292.5CE
 *   crypto perpetual BTCUSDFUT (on CRYPTO, no expiry)
 */

export const MONTHS = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;
export type Month = (typeof MONTHS)[number];

/** A calendar date without a time zone: an expiry is a trading day, not an instant. */
export interface ExpiryDate {
  year: number;
  month: number;
  day: number;
}

export type ParsedSymbol =
  | { kind: 'equity'; base: string }
  | { kind: 'index'; base: string }
  | { kind: 'perpetual'; base: string }
  | { kind: 'future'; base: string; expiry: ExpiryDate }
  | { kind: 'option'; base: string; expiry: ExpiryDate; strike: string; optionType: OptionType };

/**
 * A base symbol: starts with a letter or digit, then upper-case letters, digits, `&`, `-`
 * and `_`; it must hold at least one letter (checked by `hasLetter`).
 */
const BASE_PATTERN = '[A-Z0-9][A-Z0-9&_-]*';
const EXPIRY_PATTERN = '(\\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\\d{2})';
const STRIKE_PATTERN = '((?:0|[1-9]\\d*)(?:\\.\\d*[1-9])?)';

const futurePattern = new RegExp(`^(${BASE_PATTERN}?)${EXPIRY_PATTERN}FUT$`);
const optionPattern = new RegExp(`^(${BASE_PATTERN}?)${EXPIRY_PATTERN}${STRIKE_PATTERN}(CE|PE)$`);
const basePatternOnly = new RegExp(`^${BASE_PATTERN}$`);
const basePattern = { test: (text: string) => basePatternOnly.test(text) && hasLetter(text) };

function hasLetter(text: string): boolean {
  return /[A-Z]/.test(text);
}
const perpetualPattern = new RegExp(`^(${BASE_PATTERN}?)FUT$`);

export const MAX_SYMBOL_LENGTH = 64;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidExpiryDate(date: ExpiryDate): boolean {
  return (
    Number.isInteger(date.year) &&
    Number.isInteger(date.month) &&
    Number.isInteger(date.day) &&
    date.year >= 2000 &&
    date.year <= 2099 &&
    date.month >= 1 &&
    date.month <= 12 &&
    date.day >= 1 &&
    date.day <= daysInMonth(date.year, date.month)
  );
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function monthName(month: number): Month {
  const name = MONTHS[month - 1];
  if (name === undefined) {
    throw new RangeError(`month out of range: ${month}`);
  }
  return name;
}

export type ExpiryFormat = 'DDMMMYY' | 'DD-MMM-YY' | 'YYYY-MM-DD';

/** Formats an expiry: `28NOV24` (symbols, requests) or `28-NOV-24` (master contract fields). */
export function formatExpiry(date: ExpiryDate, format: ExpiryFormat = 'DDMMMYY'): string {
  if (!isValidExpiryDate(date)) {
    throw new RangeError(`invalid expiry date ${JSON.stringify(date)}`);
  }
  const yy = pad2(date.year % 100);
  switch (format) {
    case 'DDMMMYY':
      return `${pad2(date.day)}${monthName(date.month)}${yy}`;
    case 'DD-MMM-YY':
      return `${pad2(date.day)}-${monthName(date.month)}-${yy}`;
    case 'YYYY-MM-DD':
      return `${date.year}-${pad2(date.month)}-${pad2(date.day)}`;
  }
}

const expiryTextPattern = /^(\d{2})-?(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)-?(\d{2}|\d{4})$/;
const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses `28NOV24`, `28-NOV-24`, `28-NOV-2024` or `2024-11-28`. Month names must be upper
 * case, as the API demands. Returns `null` for anything else or an impossible date.
 */
export function parseExpiry(text: string): ExpiryDate | null {
  let date: ExpiryDate | null = null;
  const textMatch = expiryTextPattern.exec(text);
  if (textMatch) {
    const [, day, month, year] = textMatch;
    const hasDashes = text.includes('-');
    if (hasDashes && (text[2] !== '-' || text[6] !== '-')) {
      return null;
    }
    const yearNumber = Number(year);
    date = {
      year: year?.length === 4 ? yearNumber : 2000 + yearNumber,
      month: MONTHS.indexOf(month as Month) + 1,
      day: Number(day),
    };
  } else {
    const isoMatch = isoDatePattern.exec(text);
    if (isoMatch) {
      date = { year: Number(isoMatch[1]), month: Number(isoMatch[2]), day: Number(isoMatch[3]) };
    }
  }
  return date && isValidExpiryDate(date) ? date : null;
}

/** Compares two expiry dates: negative, zero or positive. */
export function compareExpiry(left: ExpiryDate, right: ExpiryDate): number {
  return left.year - right.year || left.month - right.month || left.day - right.day;
}

/**
 * Canonical strike text: integers have no decimal part, fractions the shortest decimal form.
 * Accepts a number or a decimal string; refuses negatives, exponents and junk.
 */
export function formatStrike(strike: number | string): string {
  const text = typeof strike === 'number' ? numberToPlainString(strike) : strike.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    throw new RangeError(`invalid strike: ${String(strike)}`);
  }
  const integerPart = (match[1] ?? '0').replace(/^0+(?=\d)/, '');
  const fractionPart = (match[2] ?? '').replace(/0+$/, '');
  return fractionPart.length > 0 ? `${integerPart}.${fractionPart}` : integerPart;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`invalid strike: ${value}`);
  }
  const text = String(value);
  if (!/e/i.test(text)) {
    return text;
  }
  // Large or tiny numbers: go through a fixed representation with enough digits, then trim.
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

export function buildFutureSymbol(base: string, expiry: ExpiryDate): string {
  return `${base}${formatExpiry(expiry)}FUT`;
}

export function buildOptionSymbol(
  base: string,
  expiry: ExpiryDate,
  strike: number | string,
  optionType: OptionType,
): string {
  return `${base}${formatExpiry(expiry)}${formatStrike(strike)}${optionType}`;
}

export interface ParseSymbolOptions {
  /** When given, index exchanges yield `index` and CRYPTO may yield `perpetual`. */
  exchange?: Exchange;
}

/**
 * Parses an OpenAlgo symbol into its parts, or returns `null` when the text is not a valid
 * symbol (lower case, spaces, impossible dates, non-canonical strikes, …).
 */
export function parseSymbol(symbol: string, options: ParseSymbolOptions = {}): ParsedSymbol | null {
  if (symbol.length === 0 || symbol.length > MAX_SYMBOL_LENGTH) {
    return null;
  }
  const { exchange } = options;
  if (
    exchange === 'NSE_INDEX' ||
    exchange === 'BSE_INDEX' ||
    exchange === 'MCX_INDEX' ||
    exchange === 'GLOBAL_INDEX'
  ) {
    return basePattern.test(symbol) ? { kind: 'index', base: symbol } : null;
  }
  const isCashExchange = exchange === 'NSE' || exchange === 'BSE';
  if (!isCashExchange) {
    const option = optionPattern.exec(symbol);
    if (option) {
      const [, base, day, month, year, strike, optionType] = option;
      const expiry = {
        year: 2000 + Number(year),
        month: MONTHS.indexOf(month as Month) + 1,
        day: Number(day),
      };
      if (base && hasLetter(base) && strike && isValidExpiryDate(expiry)) {
        return { kind: 'option', base, expiry, strike, optionType: optionType as OptionType };
      }
    }
    const future = futurePattern.exec(symbol);
    if (future) {
      const [, base, day, month, year] = future;
      const expiry = {
        year: 2000 + Number(year),
        month: MONTHS.indexOf(month as Month) + 1,
        day: Number(day),
      };
      if (base && hasLetter(base) && isValidExpiryDate(expiry)) {
        return { kind: 'future', base, expiry };
      }
    }
    if (exchange === 'CRYPTO') {
      const perpetual = perpetualPattern.exec(symbol);
      if (perpetual?.[1] && hasLetter(perpetual[1])) {
        return { kind: 'perpetual', base: perpetual[1] };
      }
    }
    if (exchange !== undefined) {
      // A derivative exchange holds only futures and options (and crypto spot pairs).
      return exchange === 'CRYPTO' && basePattern.test(symbol) ? { kind: 'equity', base: symbol } : null;
    }
  }
  return basePattern.test(symbol) ? { kind: 'equity', base: symbol } : null;
}

/** Formats parsed parts back into the symbol text; `formatSymbol(parseSymbol(s)) === s`. */
export function formatSymbol(parsed: ParsedSymbol): string {
  switch (parsed.kind) {
    case 'equity':
    case 'index':
      return parsed.base;
    case 'perpetual':
      return `${parsed.base}FUT`;
    case 'future':
      return buildFutureSymbol(parsed.base, parsed.expiry);
    case 'option':
      return buildOptionSymbol(parsed.base, parsed.expiry, parsed.strike, parsed.optionType);
  }
}

/** A zod schema for a syntactically valid OpenAlgo symbol text (any kind). */
export const symbolTextSchema = z
  .string()
  .min(1)
  .max(MAX_SYMBOL_LENGTH)
  .refine((value) => parseSymbol(value) !== null, { message: 'Not a valid OpenAlgo symbol.' });
