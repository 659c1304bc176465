import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arithmeticStrike,
  chainLabel,
  nearestStrikeIndex,
  offsetStrikeIndex,
  optionsExchangeFor,
  parseUnderlying,
  quoteExchangeFor,
  syntheticFuture,
} from './strikes.js';

const strikes = ['25900', '25950', '26000', '26050', '26100'];

describe('option resolution rules', () => {
  it('picks the nearest listed strike, the lower one on an exact tie', () => {
    expect(nearestStrikeIndex(strikes, '26012.35')).toBe(2);
    expect(nearestStrikeIndex(strikes, '25975')).toBe(1);
    expect(nearestStrikeIndex(strikes, '10')).toBe(0);
    expect(nearestStrikeIndex(['292.5', '295', '297.5'], '296.3')).toBe(2);
  });

  it('moves CE in the money to lower strikes and PE to higher ones', () => {
    expect(offsetStrikeIndex(5, 2, 'ITM2', 'CE')).toBe(0);
    expect(offsetStrikeIndex(5, 2, 'ITM2', 'PE')).toBe(4);
    expect(offsetStrikeIndex(5, 2, 'OTM1', 'CE')).toBe(3);
    expect(offsetStrikeIndex(5, 2, 'otm1', 'PE')).toBe(1);
    expect(offsetStrikeIndex(5, 2, 'ATM', 'PE')).toBe(2);
    expect(offsetStrikeIndex(5, 2, 'OTM3', 'CE')).toBeNull();
  });

  it('computes arithmetic strikes with round-half-to-even', () => {
    expect(arithmeticStrike('23587.5', 50, 'ATM', 'CE')).toBe('23600');
    expect(arithmeticStrike('23575', 50, 'ATM', 'CE')).toBe('23600');
    expect(arithmeticStrike('23525', 50, 'ATM', 'CE')).toBe('23500');
    expect(arithmeticStrike('470.5', 1, 'ATM', 'CE')).toBe('470');
    expect(arithmeticStrike('23587.5', 50, 'ITM2', 'CE')).toBe('23500');
    expect(arithmeticStrike('23587.5', 50, 'ITM2', 'PE')).toBe('23700');
  });

  it('labels chain legs symmetrically around ATM', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 }), (index, atm) => {
        const ce = chainLabel(index, atm, 'CE');
        const pe = chainLabel(index, atm, 'PE');
        if (index === atm) {
          expect([ce, pe]).toEqual(['ATM', 'ATM']);
        } else {
          const distance = Math.abs(index - atm);
          expect([ce, pe].sort()).toEqual([`ITM${distance}`, `OTM${distance}`]);
          expect(ce.startsWith('ITM')).toBe(index < atm);
        }
      }),
    );
  });

  it('maps exchanges and parses embedded expiries', () => {
    expect(optionsExchangeFor('NSE_INDEX')).toBe('NFO');
    expect(optionsExchangeFor('BSE')).toBe('BFO');
    expect(optionsExchangeFor('MCX')).toBe('MCX');
    expect(optionsExchangeFor('GLOBAL_INDEX')).toBe('NFO');
    expect(quoteExchangeFor('NIFTY', 'NFO')).toBe('NSE_INDEX');
    expect(quoteExchangeFor('RELIANCE', 'NFO')).toBe('NSE');
    expect(quoteExchangeFor('SENSEX', 'BFO')).toBe('BSE_INDEX');
    expect(parseUnderlying('NIFTY28OCT25FUT')).toEqual({
      base: 'NIFTY',
      expiry: { year: 2025, month: 10, day: 28 },
      expiryText: '28OCT25',
    });
    expect(parseUnderlying('NIFTY')).toEqual({ base: 'NIFTY' });
    expect(parseUnderlying('M&M')).toEqual({ base: 'M&M' });
    expect(syntheticFuture('26000', '435.5', '420.25').toString()).toBe('26015.25');
  });
});
