import { BadSymbolError, InvalidOrderError } from '@openalgo/broker-sdk';
import { formatExpiry, type ResolvedInstrument } from '@openalgo/shared-types';
import { toDecimal } from '@openalgo/shared-types/decimal';
import type { SimExchange } from './exchange.js';
import type { SimInstrument } from './universe.js';
import { PIPS_PER_RUPEE } from './universe.js';

/** Integer pips → canonical decimal string (`12345600` → `"1234.56"`). Exact. */
export function pipsToDecimal(pips: number): string {
  const absolute = Math.abs(Math.trunc(pips));
  const whole = Math.floor(absolute / PIPS_PER_RUPEE);
  let fraction = absolute % PIPS_PER_RUPEE;
  if (fraction === 0) {
    return whole === 0 || pips > 0 ? String(whole) : `-${whole}`;
  }
  // The fraction's digits without trailing zeros (a price is read on every book row).
  let digits = FRACTION_DIGITS;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits -= 1;
  }
  return `${pips < 0 ? '-' : ''}${whole}.${String(fraction).padStart(digits, '0')}`;
}

const FRACTION_DIGITS = String(PIPS_PER_RUPEE).length - 1;

/** Decimal string → integer pips; refuses more than 4 decimals (not on any tick grid). */
export function decimalToPips(value: string): number {
  const pips = toDecimal(value).mul(PIPS_PER_RUPEE);
  if (!pips.isInteger()) {
    throw new InvalidOrderError(`Price ${value} has more precision than any tick size allows`);
  }
  return pips.toNumber();
}

/** Pips → a JSON-friendly number in rupees (exact for 4 decimals). */
export function pipsToNumber(pips: number): number {
  return Number(pipsToDecimal(pips));
}

export function toResolvedInstrument(instrument: SimInstrument): ResolvedInstrument {
  return {
    symbol: instrument.symbol,
    exchange: instrument.exchange,
    brSymbol: instrument.symbol,
    brExchange: instrument.exchange,
    token: instrument.token,
    name: instrument.name,
    lotSize: instrument.lotSize,
    tickSize: pipsToDecimal(instrument.tickPips),
    instrumentType: instrument.instrumentType,
    ...(instrument.expiry ? { expiry: formatExpiry(instrument.expiry, 'DD-MMM-YY') } : {}),
    ...(instrument.strikePips !== undefined ? { strike: pipsToDecimal(instrument.strikePips) } : {}),
    ...(instrument.optionType ? { optionType: instrument.optionType } : {}),
  };
}

/** Finds the simulator's instrument behind a resolved instrument (token first, then symbol). */
export function lookupInstrument(exchange: SimExchange, instrument: ResolvedInstrument): SimInstrument {
  const byToken = exchange.findByToken(instrument.token);
  if (byToken && byToken.exchange === instrument.exchange) {
    return byToken;
  }
  const bySymbol = exchange.findInstrument(instrument.brSymbol, instrument.brExchange);
  if (!bySymbol) {
    throw new BadSymbolError(`Symbol ${instrument.symbol} not found on ${instrument.exchange}`, {
      context: { symbol: instrument.symbol, exchange: instrument.exchange },
    });
  }
  return bySymbol;
}
