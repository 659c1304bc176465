import type { JsonObject, JsonValue } from '@openalgo/db';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { parseExpiry, parseSymbol } from '@openalgo/shared-types';
import { formatIsoDate, type IstDate } from './ist.js';

/** Exchanges whose contracts are derivatives: lot sizes apply, CNC does not. */
export const DERIVATIVE_SEGMENTS = ['NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCDEX', 'NCO', 'CRYPTO'] as const;
/** Exchanges the sandbox trades on (index exchanges only quote). */
export const TRADABLE_EXCHANGES = ['NSE', 'BSE', ...DERIVATIVE_SEGMENTS] as const;

export type InstrumentKind = 'equity' | 'future' | 'option';

export function isDerivativeSegment(exchange: string): boolean {
  return (DERIVATIVE_SEGMENTS as readonly string[]).includes(exchange);
}

/** Future, option or equity: from the symbol master's type, else the symbol's suffix (sandbox.md §4). */
export function instrumentKindOf(instrument: ResolvedInstrument): InstrumentKind {
  if (instrument.instrumentType === 'CE' || instrument.instrumentType === 'PE') {
    return 'option';
  }
  if (instrument.instrumentType === 'FUT') {
    return 'future';
  }
  if (!isDerivativeSegment(instrument.exchange)) {
    return 'equity';
  }
  if (instrument.symbol.endsWith('CE') || instrument.symbol.endsWith('PE')) {
    return 'option';
  }
  // On derivative segments everything else is a future (crypto perpetuals included).
  return instrument.exchange === 'CRYPTO' || instrument.symbol.endsWith('FUT') ? 'future' : 'equity';
}

/** The expiry day of a derivative, `yyyy-MM-dd`: from the symbol (`DDMMMYY`), else the master's expiry. */
export function expiryDateOf(instrument: ResolvedInstrument): IstDate | null {
  if (!isDerivativeSegment(instrument.exchange)) {
    return null;
  }
  const parsed = parseSymbol(instrument.symbol, { exchange: instrument.exchange });
  if (parsed && (parsed.kind === 'future' || parsed.kind === 'option')) {
    return formatIsoDate(parsed.expiry.year, parsed.expiry.month, parsed.expiry.day);
  }
  const fromMaster = instrument.expiry ? parseExpiry(instrument.expiry) : null;
  return fromMaster ? formatIsoDate(fromMaster.year, fromMaster.month, fromMaster.day) : null;
}

/** When an expired contract settles on its expiry day (sandbox.md §8.3). */
export function expiryCloseOf(exchange: string): string {
  switch (exchange) {
    case 'NFO':
    case 'BFO':
      return '15:40';
    case 'CDS':
    case 'BCD':
    case 'NCDEX':
      return '17:00';
    case 'MCX':
    case 'NCO':
      return '23:30';
    default:
      return '15:30';
  }
}

/** `EXCHANGE:SYMBOL`, the key of every per-symbol structure. */
export function symbolKey(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}

/** The resolved instrument as stored JSON (undefined fields left out). */
export function instrumentJson(instrument: ResolvedInstrument): JsonObject {
  const json: JsonObject = {};
  for (const [key, value] of Object.entries(instrument)) {
    if (value !== undefined) {
      json[key] = value as JsonValue;
    }
  }
  return json;
}

/** A stored instrument back as the resolved instrument it was written from. */
export function instrumentOf(json: unknown): ResolvedInstrument {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError('stored instrument is not an object');
  }
  return json as ResolvedInstrument;
}
