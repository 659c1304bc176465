import type { BrokerContext } from '@openalgo/broker-sdk';
import type { Exchange } from '@openalgo/shared-types';
import { isOpenAlgoExchange } from './mapping.js';

/** A Kite book row's instrument as OpenAlgo names it (core's resolver, no database access here). */
export function resolveRowInstrument(
  context: BrokerContext,
  tradingsymbol: string | null | undefined,
  kiteExchange: string | null | undefined,
): { symbol: string; exchange: Exchange } {
  const brSymbol = tradingsymbol ?? '';
  const brExchange = kiteExchange ?? '';
  const resolved = brSymbol ? context.resolveBrokerInstrument({ brSymbol, brExchange }) : undefined;
  if (resolved) {
    return { symbol: resolved.symbol, exchange: resolved.exchange };
  }
  if (isOpenAlgoExchange(brExchange)) {
    return { symbol: brSymbol || '?', exchange: brExchange };
  }
  context.logger.warn({ brSymbol, brExchange }, 'kite row on an exchange OpenAlgo does not name');
  return { symbol: brSymbol || '?', exchange: 'NSE' };
}
