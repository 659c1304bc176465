/**
 * `@openalgo/broker-sdk/symbols`: what a broker package needs to turn its instrument dump into
 * OpenAlgo symbols. The symbol grammar itself lives in `@openalgo/shared-types` and is
 * re-exported here, so a broker author has one import.
 */
export {
  buildFutureSymbol,
  buildOptionSymbol,
  compareExpiry,
  type ExpiryDate,
  type ExpiryFormat,
  formatExpiry,
  formatStrike,
  formatSymbol,
  INDEX_EXCHANGES,
  type IndexExchange,
  isIndexExchange,
  MONTHS,
  type ParsedSymbol,
  parseExpiry,
  parseSymbol,
} from '@openalgo/shared-types';
export {
  buildDerivativeSymbol,
  compactUnderlying,
  type DerivativeParts,
  type DerivativeSymbol,
  derivativeExchangeOf,
  type ExpiryInput,
  expiryFields,
  stripSeriesSuffix,
  toIndexExchange,
} from './build-symbol.js';
export { INDEX_ALIASES, normalizeIndexName, squeezeIndexName } from './index-aliases.js';
