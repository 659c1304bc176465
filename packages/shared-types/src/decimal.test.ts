import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundTo, toWireNumber } from './decimal.js';

/** The definition: round to the places, then the number that text reads as. */
const byRounding = (value: string, places: number) => Number(roundTo(value, places, 'nearest').toString());

describe('toWireNumber', () => {
  it('rounds half up to the places asked', () => {
    expect(toWireNumber('800.005')).toBe(800.01);
    expect(toWireNumber('800.004')).toBe(800);
    expect(toWireNumber('-12.345')).toBe(-12.35);
    expect(toWireNumber('0.125', 1)).toBe(0.1);
    expect(toWireNumber(2.675)).toBe(2.68);
  });

  it('reads text with no more than two decimals as it is, and never a negative zero', () => {
    expect(toWireNumber('800')).toBe(800);
    expect(toWireNumber('800.5')).toBe(800.5);
    expect(toWireNumber('0.05')).toBe(0.05);
    expect(Object.is(toWireNumber('-0'), 0)).toBe(true);
    expect(Object.is(toWireNumber('-0.00'), 0)).toBe(true);
  });

  it('agrees with rounding for any decimal text', () => {
    const decimalText = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }),
        fc.stringMatching(/^\d{0,5}$/),
        fc.boolean(),
      )
      .map(([isNegative, whole, fraction, hasDot]) => {
        const text = hasDot || fraction.length > 0 ? `${whole}.${fraction}` : String(whole);
        return isNegative ? `-${text}` : text;
      });
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 4 }), (text, places) => {
        expect(Object.is(toWireNumber(text, places), byRounding(text, places))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});
