import Decimal from 'decimal.js';

/**
 * The one decimal type for prices, amounts and P&L (house rule 13): decimal.js, with its own
 * configuration so no other copy's settings leak in. Import it only through
 * `@openalgo/shared-types/decimal`.
 */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Dec = InstanceType<typeof Dec>;

export type DecimalInput = Dec | string | number;

/** Builds a decimal; JSON numbers go through their shortest string form, never arithmetic. */
export function toDecimal(value: DecimalInput): Dec {
  if (value instanceof Dec) {
    return value;
  }
  return new Dec(typeof value === 'number' ? String(value) : value);
}

export type RoundingMode = 'nearest' | 'down' | 'up' | 'half-even';

const MODES: Record<RoundingMode, Decimal.Rounding> = {
  nearest: Decimal.ROUND_HALF_UP,
  down: Decimal.ROUND_FLOOR,
  up: Decimal.ROUND_CEIL,
  'half-even': Decimal.ROUND_HALF_EVEN,
};

/** Rounds a price to a multiple of the tick size with an explicit mode (house rule 14). */
export function roundToTick(price: DecimalInput, tickSize: DecimalInput, mode: RoundingMode): Dec {
  const tick = toDecimal(tickSize);
  if (tick.lte(0)) {
    throw new RangeError(`tick size must be positive, got ${tick.toString()}`);
  }
  return toDecimal(price).div(tick).toDecimalPlaces(0, MODES[mode]).mul(tick);
}

/** Rounds to a number of decimal places with an explicit mode. */
export function roundTo(value: DecimalInput, places: number, mode: RoundingMode): Dec {
  return toDecimal(value).toDecimalPlaces(places, MODES[mode]);
}

/** Whether a price sits exactly on the tick grid. */
export function isOnTick(price: DecimalInput, tickSize: DecimalInput): boolean {
  return toDecimal(price).mod(toDecimal(tickSize)).isZero();
}

/** Converts a decimal to a JSON number at the wire edge, rounded to `places` (default 2). */
export function toWireNumber(value: DecimalInput, places = 2): number {
  if (typeof value === 'string' && places === 2 && AT_MOST_TWO_DECIMALS.test(value)) {
    // Nothing to round: the number nearest the text is the one the rounded text would give.
    return Number(value) || 0;
  }
  return Number(roundTo(value, places, 'nearest').toString());
}

/** Plain decimal text with at most two decimals (the wire's prices, as brokers send them). */
const AT_MOST_TWO_DECIMALS = /^-?\d{1,15}(?:\.\d{0,2})?$/;

/** Integer paise from rupees, for integer-only hot paths. */
export function toPaise(rupees: DecimalInput): number {
  return toDecimal(rupees).mul(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** Rupees (as a decimal) from integer paise. */
export function fromPaise(paise: number): Dec {
  return new Dec(paise).div(100);
}

/** A decimal as text with exactly `places` decimals (`"320.60"`), rounded with an explicit mode. */
export function toFixedText(value: DecimalInput, places: number, mode: RoundingMode): string {
  const rounded = roundTo(value, places, mode);
  const text = (rounded.isZero() ? rounded.abs() : rounded).toString();
  if (places <= 0) {
    return text;
  }
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(places, '0')}`;
}
