import { Dec, type DecimalInput, toDecimal } from '@openalgo/shared-types/decimal';

/**
 * Display formatting (the one place where a decimal becomes text for people). Indian digit
 * grouping, two decimals, a sign for P&L.
 */

const grouping = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatMoney(value: DecimalInput | undefined | null): string {
  if (value === undefined || value === null || value === '') {
    return '—';
  }
  const decimal = toDecimal(value).toDecimalPlaces(2, Dec.ROUND_HALF_UP);
  // Intl takes a numeric string without float conversion in modern engines.
  return grouping.format(decimal.toFixed(2) as unknown as number);
}

export function formatSigned(value: DecimalInput | undefined | null): string {
  if (value === undefined || value === null || value === '') {
    return '—';
  }
  const decimal = toDecimal(value);
  const text = formatMoney(decimal.abs());
  if (decimal.isZero()) {
    return text;
  }
  return decimal.isNegative() ? `−${text}` : `+${text}`;
}

export function toneOf(value: DecimalInput | undefined | null): 'up' | 'down' | 'flat' {
  if (value === undefined || value === null || value === '') {
    return 'flat';
  }
  const decimal = toDecimal(value);
  return decimal.isZero() ? 'flat' : decimal.isNegative() ? 'down' : 'up';
}

/** Percent change of `ltp` against `base`, two decimals, or undefined without a base. */
export function percentChange(ltp: DecimalInput, base: DecimalInput | undefined): string | undefined {
  if (base === undefined) {
    return undefined;
  }
  const baseDecimal = toDecimal(base);
  if (baseDecimal.isZero()) {
    return undefined;
  }
  return toDecimal(ltp)
    .minus(baseDecimal)
    .div(baseDecimal)
    .mul(100)
    .toDecimalPlaces(2, Dec.ROUND_HALF_UP)
    .toFixed(2);
}

const timeFormat = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** An epoch-ms (or server string) timestamp shown in IST. */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (typeof value === 'string' && !/^\d+$/.test(value)) {
    return value;
  }
  return `${timeFormat.format(new Date(Number(value)))} IST`;
}
