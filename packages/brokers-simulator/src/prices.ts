/**
 * Seeded, reproducible randomness and option pricing for the simulator. Everything here is a
 * measurement model, not money: results are rounded to the instrument's tick (integer pips)
 * before they become prices.
 */

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. Same seed ⇒ same sequence. */
export class Random {
  #state: number;
  #spareNormal: number | null = null;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let value = this.#state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Integer in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal (Marsaglia polar method; the spare value is kept). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    for (;;) {
      const u = this.next() * 2 - 1;
      const v = this.next() * 2 - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        this.#spareNormal = v * factor;
        return u * factor;
      }
    }
  }
}

/** A stable 32-bit hash of a string (FNV-1a), for per-instrument seeds. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return 0.5 * (1 + sign * erf);
}

/** Black–Scholes price of a European option (r = risk-free rate, t in years). */
export function blackScholes(
  optionType: 'CE' | 'PE',
  spot: number,
  strike: number,
  years: number,
  volatility: number,
  rate = 0.065,
): number {
  if (years <= 0 || volatility <= 0) {
    return Math.max(0, optionType === 'CE' ? spot - strike : strike - spot);
  }
  const sqrtT = Math.sqrt(years);
  const d1 =
    (Math.log(spot / strike) + (rate + (volatility * volatility) / 2) * years) / (volatility * sqrtT);
  const d2 = d1 - volatility * sqrtT;
  const discount = Math.exp(-rate * years);
  return optionType === 'CE'
    ? spot * normalCdf(d1) - strike * discount * normalCdf(d2)
    : strike * discount * normalCdf(-d2) - spot * normalCdf(-d1);
}

/** A volatility smile: higher implied volatility away from the money, skewed to puts. */
export function smileVolatility(
  baseVolatility: number,
  spot: number,
  strike: number,
  optionType: 'CE' | 'PE',
): number {
  const moneyness = Math.log(strike / spot);
  const skew = optionType === 'PE' ? -0.35 : -0.2;
  return Math.max(0.05, baseVolatility * (1 + 2.5 * moneyness * moneyness + skew * moneyness));
}

export const YEAR_MS = 365 * 24 * 60 * 60 * 1_000;
