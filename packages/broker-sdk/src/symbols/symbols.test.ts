import { describe, expect, it } from 'vitest';
import {
  buildDerivativeSymbol,
  compactUnderlying,
  derivativeExchangeOf,
  expiryFields,
  normalizeIndexName,
  parseSymbol,
  stripSeriesSuffix,
  toIndexExchange,
} from './index.js';

describe('symbol helpers', () => {
  it('strips series suffixes and nothing else', () => {
    expect(stripSeriesSuffix('SBIN-EQ')).toBe('SBIN');
    expect(stripSeriesSuffix('IDEA-BE')).toBe('IDEA');
    expect(stripSeriesSuffix('BAJAJ-AUTO')).toBe('BAJAJ-AUTO');
    expect(stripSeriesSuffix('M&M')).toBe('M&M');
    expect(stripSeriesSuffix('NIFTYBEES-EQ ')).toBe('NIFTYBEES');
  });

  it('builds futures and options from parts, in both expiry spellings', () => {
    expect(
      buildDerivativeSymbol({ underlying: 'NIFTY', expiry: '2024-12-26', instrumentType: 'FUT' }),
    ).toEqual({
      symbol: 'NIFTY26DEC24FUT',
      name: 'NIFTY',
      expiry: '26-DEC-24',
    });
    expect(
      buildDerivativeSymbol({
        underlying: 'nifty',
        expiry: { year: 2024, month: 12, day: 26 },
        instrumentType: 'CE',
        strike: 24000,
      }).symbol,
    ).toBe('NIFTY26DEC2424000CE');
    expect(
      buildDerivativeSymbol({
        underlying: 'VEDL',
        expiry: '25APR24',
        instrumentType: 'CE',
        strike: '292.50',
      }),
    ).toEqual({ symbol: 'VEDL25APR24292.5CE', name: 'VEDL', expiry: '25-APR-24' });
    // A space in the underlying's name is removed so that `name` is the root inside `symbol`.
    const built = buildDerivativeSymbol({
      underlying: 'CRUDE OIL',
      expiry: '19-DEC-2024',
      instrumentType: 'PE',
      strike: 6100,
    });
    expect(built).toEqual({ symbol: 'CRUDEOIL19DEC246100PE', name: 'CRUDEOIL', expiry: '19-DEC-24' });
    expect(parseSymbol(built.symbol, { exchange: 'MCX' })).toMatchObject({
      kind: 'option',
      base: 'CRUDEOIL',
    });
    expect(expiryFields('2025-01-30')).toEqual({ compact: '30JAN25', dashed: '30-JAN-25' });
  });

  it('refuses impossible parts with a RangeError', () => {
    expect(() =>
      buildDerivativeSymbol({ underlying: 'NIFTY', expiry: '2024-02-30', instrumentType: 'FUT' }),
    ).toThrow(/invalid expiry/);
    expect(() =>
      buildDerivativeSymbol({ underlying: 'NIFTY', expiry: '2024-12-26', instrumentType: 'CE', strike: -5 }),
    ).toThrow(/invalid strike/);
    expect(() =>
      buildDerivativeSymbol({ underlying: '   ', expiry: '2024-12-26', instrumentType: 'FUT' }),
    ).toThrow(/invalid underlying/);
    expect(compactUnderlying(' bank nifty ')).toBe('BANKNIFTY');
  });

  it('maps index spellings per exchange onto OpenAlgo names', () => {
    expect(normalizeIndexName('NSE_INDEX', 'NIFTY 50')).toBe('NIFTY');
    expect(normalizeIndexName('NSE_INDEX', 'Nifty Bank')).toBe('BANKNIFTY');
    expect(normalizeIndexName('NSE_INDEX', 'NIFTY FIN SERVICE')).toBe('FINNIFTY');
    expect(normalizeIndexName('NSE_INDEX', 'NIFTY MID SELECT')).toBe('MIDCPNIFTY');
    expect(normalizeIndexName('NSE_INDEX', 'NIFTY IT')).toBe('NIFTYIT');
    // BSE short codes apply only on BSE_INDEX, where unknown codes get the BSE prefix.
    expect(normalizeIndexName('BSE_INDEX', 'AUTO')).toBe('BSEAUTO');
    expect(normalizeIndexName('BSE_INDEX', 'SNSX50')).toBe('SENSEX50');
    expect(normalizeIndexName('BSE_INDEX', 'SMALLCAP 250')).toBe('BSESMALLCAP250');
    expect(normalizeIndexName('NSE_INDEX', 'AUTO')).toBe('AUTO');
    expect(normalizeIndexName('GLOBAL_INDEX', 'GIFT NIFTY')).toBe('GIFTNIFTY');
    expect(normalizeIndexName('GLOBAL_INDEX', '^N225')).toBe('JAPAN225');
  });

  it('maps exchanges to their index and derivative exchanges', () => {
    expect(toIndexExchange('NSE')).toBe('NSE_INDEX');
    expect(toIndexExchange('bse')).toBe('BSE_INDEX');
    expect(toIndexExchange('MCX')).toBe('MCX_INDEX');
    expect(toIndexExchange('NSEIX')).toBe('GLOBAL_INDEX');
    expect(derivativeExchangeOf('NSE_INDEX')).toBe('NFO');
    expect(derivativeExchangeOf('BSE')).toBe('BFO');
    expect(derivativeExchangeOf('NCDEX')).toBeUndefined();
  });
});
