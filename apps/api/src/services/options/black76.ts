import erfc from '@stdlib/math-base-special-erfc';

/**
 * Black-76 on a forward (api-v1 §4.5.3), the model OpenAlgo uses for Indian F&O: price,
 * Greeks in trader units (theta per calendar day, vega and rho per 1 point of rate or vol)
 * and a bracketed Newton implied-volatility solver. Floating-point maths by nature: prices
 * leave this module only through the caller's single rounding.
 */

export type OptionKind = 'CE' | 'PE';

export interface Black76Input {
  kind: OptionKind;
  /** Forward (futures) price. */
  forward: number;
  strike: number;
  /** Years to expiry. */
  years: number;
  /** Annual rate as a fraction (0.065 for 6.5 %). */
  rate: number;
}

/** Standard normal CDF through erfc: full relative precision in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

function d1d2(input: Black76Input, volatility: number): { d1: number; d2: number } {
  const root = volatility * Math.sqrt(input.years);
  const d1 = (Math.log(input.forward / input.strike) + 0.5 * volatility * volatility * input.years) / root;
  return { d1, d2: d1 - root };
}

export function black76Price(input: Black76Input, volatility: number): number {
  const discount = Math.exp(-input.rate * input.years);
  if (volatility <= 0 || input.years <= 0) {
    const intrinsic = input.kind === 'CE' ? input.forward - input.strike : input.strike - input.forward;
    return discount * Math.max(0, intrinsic);
  }
  const { d1, d2 } = d1d2(input, volatility);
  return input.kind === 'CE'
    ? discount * (input.forward * normalCdf(d1) - input.strike * normalCdf(d2))
    : discount * (input.strike * normalCdf(-d2) - input.forward * normalCdf(-d1));
}

export interface Greeks {
  delta: number;
  gamma: number;
  /** Per calendar day. */
  theta: number;
  /** Per 1 vol point. */
  vega: number;
  /** Per 1 rate point. */
  rho: number;
}

export function black76Greeks(input: Black76Input, volatility: number): Greeks {
  const { forward, strike, years, rate, kind } = input;
  const discount = Math.exp(-rate * years);
  const { d1, d2 } = d1d2(input, volatility);
  const density = normalPdf(d1);
  const sqrtYears = Math.sqrt(years);
  const price = black76Price(input, volatility);
  const decay = (-forward * discount * density * volatility) / (2 * sqrtYears);
  const carry =
    kind === 'CE'
      ? rate * forward * discount * normalCdf(d1) - rate * strike * discount * normalCdf(d2)
      : -rate * forward * discount * normalCdf(-d1) + rate * strike * discount * normalCdf(-d2);
  return {
    delta: kind === 'CE' ? discount * normalCdf(d1) : -discount * normalCdf(-d1),
    gamma: (discount * density) / (forward * volatility * sqrtYears),
    theta: (decay + carry) / 365,
    vega: (forward * discount * density * sqrtYears) / 100,
    rho: (-years * price) / 100,
  };
}

/** No-arbitrage bounds of a Black-76 price. */
export function priceBounds(input: Black76Input): { lower: number; upper: number } {
  const discount = Math.exp(-input.rate * input.years);
  const intrinsic = input.kind === 'CE' ? input.forward - input.strike : input.strike - input.forward;
  return {
    lower: discount * Math.max(0, intrinsic),
    upper: discount * (input.kind === 'CE' ? input.forward : input.strike),
  };
}

const MIN_VOLATILITY = 1e-6;
const MAX_VOLATILITY = 20;

/**
 * The volatility at which Black-76 gives `price`, or null when no volatility does (price at or
 * below intrinsic value, at or above the upper bound, or no time left). Newton steps on vega,
 * kept inside a bracket that every evaluation narrows, falling back to bisection when a step
 * would leave it or vega vanishes (deep in or out of the money, the last hours of an expiry
 * day): it always converges when a solution exists.
 */
export function impliedVolatility(input: Black76Input, price: number): number | null {
  if (!(price > 0) || !(input.years > 0) || !(input.forward > 0) || !(input.strike > 0)) {
    return null;
  }
  const { lower, upper } = priceBounds(input);
  if (price <= lower || price >= upper) {
    return null;
  }
  let low = MIN_VOLATILITY;
  let high = MAX_VOLATILITY;
  if (black76Price(input, high) < price || black76Price(input, low) > price) {
    return null;
  }
  const tolerance = Math.max(1e-12, price * 1e-12);
  let volatility = Math.min(
    high,
    Math.max(low, Math.sqrt((2 * Math.abs(Math.log(input.forward / input.strike))) / input.years) || 0.3),
  );
  for (let iteration = 0; iteration < 200; iteration += 1) {
    const difference = black76Price(input, volatility) - price;
    if (Math.abs(difference) <= tolerance) {
      return volatility;
    }
    if (difference > 0) {
      high = volatility;
    } else {
      low = volatility;
    }
    const vega = black76Greeks(input, volatility).vega * 100;
    const step = vega > 1e-12 ? volatility - difference / vega : Number.NaN;
    volatility = step > low && step < high ? step : 0.5 * (low + high);
    if (high - low < 1e-14) {
      return volatility;
    }
  }
  return volatility;
}
