import { type Exchange, type ExpiryDate, type OptionType, parseExpiry } from '@openalgo/shared-types';
import { Dec, roundTo } from '@openalgo/shared-types/decimal';

/**
 * Pure option-resolution rules (api-v1 §4.5): which exchange lists the options, where the
 * underlying is quoted, ATM and ITM/OTM offsets over listed strikes (or an arithmetic
 * interval), and the chain labels.
 */

const NSE_INDICES = new Set(['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'NIFTYNXT50', 'INDIAVIX']);
const BSE_INDICES = new Set(['SENSEX', 'BANKEX', 'SENSEX50']);
const SAME_EXCHANGE = new Set<Exchange>(['MCX', 'CDS', 'NCO', 'BCD', 'NCDEX', 'CRYPTO']);

/** The exchange that lists the options of an underlying given on `exchange`. */
export function optionsExchangeFor(exchange: Exchange): Exchange {
  if (exchange === 'BSE' || exchange === 'BSE_INDEX' || exchange === 'BFO') {
    return 'BFO';
  }
  return SAME_EXCHANGE.has(exchange) ? exchange : 'NFO';
}

/** Where the underlying's price is read: F&O exchanges map back to the index or the equity. */
export function quoteExchangeFor(base: string, exchange: Exchange): Exchange {
  if (exchange === 'NFO') {
    return NSE_INDICES.has(base) ? 'NSE_INDEX' : 'NSE';
  }
  if (exchange === 'BFO') {
    return BSE_INDICES.has(base) ? 'BSE_INDEX' : 'BSE';
  }
  return exchange;
}

/** `NIFTY`, or `NIFTY28OCT25FUT` / `NIFTY28OCT25` with an embedded expiry. */
export function parseUnderlying(text: string): { base: string; expiry?: ExpiryDate; expiryText?: string } {
  const match = /^([A-Z][A-Z0-9&-]*?)(\d{2}[A-Z]{3}\d{2})(FUT)?$/.exec(text);
  const expiry = match?.[2] ? parseExpiry(match[2]) : null;
  if (match?.[1] && match[2] && expiry) {
    return { base: match[1], expiry, expiryText: match[2] };
  }
  return { base: text };
}

/** Index of the listed strike nearest `ltp` (strikes ascending); an exact tie takes the lower. */
export function nearestStrikeIndex(strikes: readonly string[], ltp: string): number {
  let best = -1;
  let bestDistance: Dec | null = null;
  const price = new Dec(ltp);
  for (const [index, strike] of strikes.entries()) {
    const distance = new Dec(strike).minus(price).abs();
    if (bestDistance === null || distance.lt(bestDistance)) {
      best = index;
      bestDistance = distance;
    }
  }
  return best;
}

/** `ATM` → 0, `ITM3` → 3 in the money, `OTM2` → 2 out. */
export function parseOffset(offset: string): { kind: 'ATM' | 'ITM' | 'OTM'; steps: number } {
  const match = /^(ATM|ITM|OTM)(\d*)$/.exec(offset.toUpperCase());
  const kind = (match?.[1] ?? 'ATM') as 'ATM' | 'ITM' | 'OTM';
  return { kind, steps: kind === 'ATM' ? 0 : Number(match?.[2] ?? 0) };
}

/** Signed move in strike steps: for CE in the money is lower strikes, for PE higher. */
export function offsetSteps(offset: string, optionType: OptionType): number {
  const { kind, steps } = parseOffset(offset);
  if (kind === 'ATM') {
    return 0;
  }
  const towardsLower = (kind === 'ITM') === (optionType === 'CE');
  return towardsLower ? -steps : steps;
}

/** The strike index an offset lands on among listed strikes, or null when out of range. */
export function offsetStrikeIndex(
  strikeCount: number,
  atmIndex: number,
  offset: string,
  optionType: OptionType,
): number | null {
  const index = atmIndex + offsetSteps(offset, optionType);
  return index >= 0 && index < strikeCount ? index : null;
}

/** Legacy arithmetic strikes: ATM = round-half-even(LTP / interval) × interval, then ± n intervals. */
export function arithmeticStrike(
  ltp: string,
  interval: number,
  offset: string,
  optionType: OptionType,
): string {
  const step = new Dec(interval);
  const atm = roundTo(new Dec(ltp).div(step), 0, 'half-even').mul(step);
  return atm.plus(step.mul(offsetSteps(offset, optionType))).toString();
}

/** Chain labels: ATM on both legs; below ATM CE ITMk / PE OTMk; above, CE OTMk / PE ITMk. */
export function chainLabel(index: number, atmIndex: number, optionType: OptionType): string {
  if (index === atmIndex) {
    return 'ATM';
  }
  const distance = Math.abs(index - atmIndex);
  const isBelow = index < atmIndex;
  const inTheMoney = isBelow === (optionType === 'CE');
  return `${inTheMoney ? 'ITM' : 'OTM'}${distance}`;
}

/** Synthetic future by put-call parity: ATM strike + CE − PE. */
export function syntheticFuture(atmStrike: string, callPrice: string, putPrice: string): Dec {
  return new Dec(atmStrike).plus(callPrice).minus(putPrice);
}
