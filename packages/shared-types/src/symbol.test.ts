import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExpiryDate,
  formatExpiry,
  formatStrike,
  formatSymbol,
  type ParsedSymbol,
  parseExpiry,
  parseSymbol,
} from './symbol.js';

const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const baseChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789&-_'.split(''));
const base = fc
  .tuple(
    fc.oneof(letter, fc.constantFrom(...'0123456789'.split(''))),
    fc.array(baseChar, { maxLength: 14 }),
    letter,
  )
  .map(([first, middle, last]) => `${first}${middle.join('')}${last}`);
const baseEndingAnyhow = fc
  .tuple(base, fc.array(fc.constantFrom(...'0123456789'.split('')), { maxLength: 3 }))
  .map(([text, digits]) => `${text}${digits.join('')}`);

const expiry: fc.Arbitrary<ExpiryDate> = fc
  .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true })
  .map((date) => ({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }));

const strike = fc
  .tuple(fc.integer({ min: 0, max: 200_000 }), fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined }))
  .map(([whole, fraction]) => {
    if (fraction === undefined) {
      return String(whole);
    }
    const digits = String(fraction).padStart(2, '0').replace(/0+$/, '');
    return `${whole}.${digits}`;
  });

const parsedDerivative: fc.Arbitrary<ParsedSymbol> = fc.oneof(
  fc.record({ kind: fc.constant('future' as const), base: baseEndingAnyhow, expiry }),
  fc.record({
    kind: fc.constant('option' as const),
    base: baseEndingAnyhow,
    expiry,
    strike,
    optionType: fc.constantFrom('CE' as const, 'PE' as const),
  }),
);

describe('OpenAlgo symbol format', () => {
  it('parses the documented examples', () => {
    expect(parseSymbol('SBIN', { exchange: 'NSE' })).toEqual({ kind: 'equity', base: 'SBIN' });
    expect(parseSymbol('M&M', { exchange: 'NSE' })).toEqual({ kind: 'equity', base: 'M&M' });
    expect(parseSymbol('BAJAJ-AUTO')).toEqual({ kind: 'equity', base: 'BAJAJ-AUTO' });
    expect(parseSymbol('NIFTY', { exchange: 'NSE_INDEX' })).toEqual({ kind: 'index', base: 'NIFTY' });
    expect(parseSymbol('NIFTY28NOV24FUT')).toEqual({
      kind: 'future',
      base: 'NIFTY',
      expiry: { year: 2024, month: 11, day: 28 },
    });
    expect(parseSymbol('NIFTY28NOV2424000CE')).toEqual({
      kind: 'option',
      base: 'NIFTY',
      expiry: { year: 2024, month: 11, day: 28 },
      strike: '24000',
      optionType: 'CE',
    });
    expect(parseSymbol('VEDL25APR24292.5CE')).toMatchObject({
      kind: 'option',
      base: 'VEDL',
      strike: '292.5',
    });
    expect(parseSymbol('USDINR19APR2482CE')).toMatchObject({ base: 'USDINR', strike: '82' });
    expect(parseSymbol('CRUDEOILM20MAY24FUT')).toMatchObject({ kind: 'future', base: 'CRUDEOILM' });
    expect(parseSymbol('NIFTYNXT5028NOV2424000PE')).toMatchObject({ base: 'NIFTYNXT50', strike: '24000' });
    expect(parseSymbol('BTCUSDFUT', { exchange: 'CRYPTO' })).toEqual({ kind: 'perpetual', base: 'BTCUSD' });
    expect(parseSymbol('BTC28FEB2562000CE', { exchange: 'CRYPTO' })).toMatchObject({
      kind: 'option',
      base: 'BTC',
    });
  });

  it('format ∘ parse is the identity on valid derivative symbols', () => {
    fc.assert(
      fc.property(parsedDerivative, (parsed) => {
        const text = formatSymbol(parsed);
        const reparsed = parseSymbol(text, { exchange: 'NFO' });
        expect(reparsed).toEqual(parsed);
        expect(reparsed && formatSymbol(reparsed)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('format ∘ parse is the identity on equities and indices', () => {
    fc.assert(
      fc.property(
        base,
        fc.constantFrom('NSE' as const, 'BSE' as const, 'NSE_INDEX' as const),
        (text, exchange) => {
          const parsed = parseSymbol(text, { exchange });
          expect(parsed).not.toBeNull();
          expect(parsed && formatSymbol(parsed)).toBe(text);
        },
      ),
    );
  });

  it('refuses invalid symbols', () => {
    const invalid = [
      '',
      'sbin',
      'SB IN',
      'NIFTY 50',
      'NIFTY28nov24FUT',
      'NIFTY31FEB24FUT',
      'NIFTY30FEB24FUT',
      'NIFTY00JAN24FUT',
      'NIFTY28XYZ24FUT',
      'NIFTY28NOV2424000.0CE',
      'NIFTY28NOV24024000CE',
      'NIFTY28NOV24-5CE',
      '28NOV24FUT',
      '12345',
      'A'.repeat(65),
      'SBIN\n',
      'SBIN;DROP',
    ];
    for (const text of invalid) {
      expect(parseSymbol(text, { exchange: 'NFO' }), text).toBeNull();
    }
    expect(parseSymbol('NIFTY28NOV24FUT', { exchange: 'NSE_INDEX' })).toMatchObject({ kind: 'index' });
    expect(parseSymbol('SBIN', { exchange: 'NFO' })).toBeNull();
  });

  it('refuses random junk containing a forbidden character', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter((text) => /[^A-Z0-9&_.-]/.test(text)),
        (text) => {
          expect(parseSymbol(text)).toBeNull();
        },
      ),
    );
  });

  it('formats and parses expiries in both contract formats', () => {
    const date = { year: 2024, month: 11, day: 28 };
    expect(formatExpiry(date)).toBe('28NOV24');
    expect(formatExpiry(date, 'DD-MMM-YY')).toBe('28-NOV-24');
    expect(formatExpiry(date, 'YYYY-MM-DD')).toBe('2024-11-28');
    expect(parseExpiry('28NOV24')).toEqual(date);
    expect(parseExpiry('28-NOV-24')).toEqual(date);
    expect(parseExpiry('28-NOV-2024')).toEqual(date);
    expect(parseExpiry('2024-11-28')).toEqual(date);
    expect(parseExpiry('28nov24')).toBeNull();
    expect(parseExpiry('29FEB23')).toBeNull();
    expect(parseExpiry('29FEB24')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseExpiry('28-NOV24')).toBeNull();
    fc.assert(
      fc.property(
        expiry,
        fc.constantFrom('DDMMMYY' as const, 'DD-MMM-YY' as const, 'YYYY-MM-DD' as const),
        (value, format) => {
          expect(parseExpiry(formatExpiry(value, format))).toEqual(value);
        },
      ),
    );
  });

  it('canonicalises strikes', () => {
    expect(formatStrike(24000)).toBe('24000');
    expect(formatStrike('24000.0')).toBe('24000');
    expect(formatStrike(292.5)).toBe('292.5');
    expect(formatStrike('83.250')).toBe('83.25');
    expect(formatStrike(0.05)).toBe('0.05');
    expect(() => formatStrike(-1)).toThrow(RangeError);
    expect(() => formatStrike('1e3')).toThrow(RangeError);
  });
});
