import { z } from 'zod';

/** Exchanges accepted by `/api/v1` (api-v1 §3.1), exact upper-case strings. */
export const EXCHANGES = [
  'NSE',
  'BSE',
  'NFO',
  'BFO',
  'CDS',
  'BCD',
  'MCX',
  'NCDEX',
  'NCO',
  'NSE_INDEX',
  'BSE_INDEX',
  'MCX_INDEX',
  'GLOBAL_INDEX',
  'CRYPTO',
] as const;
export const exchangeSchema = z.enum(EXCHANGES);
export type Exchange = z.infer<typeof exchangeSchema>;

/** Quote-only exchanges: indices cannot be traded. */
export const INDEX_EXCHANGES = ['NSE_INDEX', 'BSE_INDEX', 'MCX_INDEX', 'GLOBAL_INDEX'] as const;
export const indexExchangeSchema = z.enum(INDEX_EXCHANGES);
export type IndexExchange = z.infer<typeof indexExchangeSchema>;

/** The derivative exchange subset used by `/expiry` and the greeks routes. */
export const DERIVATIVE_EXCHANGES = ['NFO', 'BFO', 'MCX', 'CDS', 'NCO', 'BCD', 'NCDEX', 'CRYPTO'] as const;
export const derivativeExchangeSchema = z.enum(DERIVATIVE_EXCHANGES);
export type DerivativeExchange = z.infer<typeof derivativeExchangeSchema>;

export const ACTIONS = ['BUY', 'SELL'] as const;
export const actionSchema = z.enum(ACTIONS);
export type Action = z.infer<typeof actionSchema>;

export const PRICE_TYPES = ['MARKET', 'LIMIT', 'SL', 'SL-M'] as const;
export const priceTypeSchema = z.enum(PRICE_TYPES);
export type PriceType = z.infer<typeof priceTypeSchema>;

export const PRODUCTS = ['CNC', 'NRML', 'MIS'] as const;
export const productSchema = z.enum(PRODUCTS);
export type Product = z.infer<typeof productSchema>;

export const OPTION_TYPES = ['CE', 'PE'] as const;
export const optionTypeSchema = z.enum(OPTION_TYPES);
export type OptionType = z.infer<typeof optionTypeSchema>;

/** Order status values as they appear in responses (lower case, a space in the last one). */
export const ORDER_STATUSES = ['open', 'complete', 'rejected', 'cancelled', 'trigger pending'] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** History intervals accepted by the schema; each broker supports a subset (`/intervals`). */
export const INTERVALS = [
  '1s',
  '5s',
  '10s',
  '15s',
  '30s',
  '45s',
  '1m',
  '2m',
  '3m',
  '5m',
  '10m',
  '15m',
  '20m',
  '30m',
  '1h',
  '2h',
  '3h',
  '4h',
  'D',
  'W',
  'M',
  'Q',
  'Y',
] as const;
export const intervalSchema = z.enum(INTERVALS);
export type Interval = z.infer<typeof intervalSchema>;

/** Instrument types of the normalized symbol master (spec/brokers.md §2.5). */
export const INSTRUMENT_TYPES = ['EQ', 'FUT', 'CE', 'PE', 'INDEX'] as const;
export const instrumentTypeSchema = z.enum(INSTRUMENT_TYPES);
export type InstrumentType = z.infer<typeof instrumentTypeSchema>;

/** Option offsets: ATM, ITM1…ITM50, OTM1…OTM50. */
export const OFFSETS = [
  'ATM',
  ...Array.from({ length: 50 }, (_, index) => `ITM${index + 1}`),
  ...Array.from({ length: 50 }, (_, index) => `OTM${index + 1}`),
] as readonly string[];
export const offsetSchema = z.string().regex(/^(ATM|ITM([1-9]|[1-4][0-9]|50)|OTM([1-9]|[1-4][0-9]|50))$/);
export type Offset = z.infer<typeof offsetSchema>;

/** Products each exchange accepts (api-v1 §3.1). */
export function isProductAllowed(exchange: Exchange, product: Product): boolean {
  if (exchange === 'NSE' || exchange === 'BSE') {
    return product === 'CNC' || product === 'MIS';
  }
  if ((INDEX_EXCHANGES as readonly string[]).includes(exchange)) {
    return false;
  }
  return product === 'NRML' || product === 'MIS';
}

export function isIndexExchange(exchange: string): exchange is IndexExchange {
  return (INDEX_EXCHANGES as readonly string[]).includes(exchange);
}
