import { toDecimal } from '@openalgo/shared-types/decimal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToPips, pipsToDecimal } from './mapping.js';

describe('pipsToDecimal', () => {
  it('writes canonical decimal text', () => {
    expect(pipsToDecimal(12_345_600)).toBe('1234.56');
    expect(pipsToDecimal(8_000_000)).toBe('800');
    expect(pipsToDecimal(5)).toBe('0.0005');
    expect(pipsToDecimal(-10_500)).toBe('-1.05');
    expect(pipsToDecimal(-10_000)).toBe('-1');
    expect(pipsToDecimal(0)).toBe('0');
    expect(pipsToDecimal(-0)).toBe('0');
  });

  it('is the exact value of any whole number of pips, and reads back to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (pips) => {
        const text = pipsToDecimal(pips);
        expect(text).toBe(toDecimal(String(pips)).div(10_000).toString());
        expect(decimalToPips(text)).toBe(pips === 0 ? 0 : pips);
      }),
      { numRuns: 5_000 },
    );
  });
});
