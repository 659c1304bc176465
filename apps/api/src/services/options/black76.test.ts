import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { black76Greeks, black76Price, impliedVolatility, normalCdf } from './black76.js';

describe('Black-76', () => {
  it('matches textbook values (Hull: S=42, K=40, r=10%, σ=20%, T=0.5 as a forward)', () => {
    const years = 0.5;
    const forward = 42 * Math.exp(0.1 * years);
    const input = { forward, strike: 40, years, rate: 0.1 };
    expect(black76Price({ ...input, kind: 'CE' }, 0.2)).toBeCloseTo(4.7594, 4);
    expect(black76Price({ ...input, kind: 'PE' }, 0.2)).toBeCloseTo(0.8086, 4);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-8)).toBeCloseTo(6.22096057e-16, 22);
  });

  it('reproduces the contract example (NIFTY 26000 CE, 28.5071 days, r=0, price 435)', () => {
    const input = { kind: 'CE' as const, forward: 25966.05, strike: 26000, years: 28.5071 / 365, rate: 0 };
    const volatility = impliedVolatility(input, 435);
    expect(volatility).not.toBeNull();
    expect((volatility ?? 0) * 100).toBeCloseTo(15.6, 1);
    const greeks = black76Greeks(input, volatility ?? 0);
    expect(greeks.delta).toBeCloseTo(0.4967, 3);
    expect(greeks.gamma).toBeCloseTo(0.000352, 5);
    expect(greeks.theta).toBeCloseTo(-7.919, 1);
    expect(greeks.vega).toBeCloseTo(28.9489, 1);
    expect(greeks.rho).toBeCloseTo(-0.339742, 3);
  });

  it('has sane Greeks: call delta in (0,1), put delta in (-1,0), gamma and vega positive', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 50, max: 100_000, noNaN: true }),
        fc.double({ min: 0.6, max: 1.6, noNaN: true }),
        fc.double({ min: 0.002, max: 2, noNaN: true }),
        fc.double({ min: 0.05, max: 1.5, noNaN: true }),
        fc.double({ min: 0, max: 0.15, noNaN: true }),
        (forward, moneyness, years, volatility, rate) => {
          const input = { forward, strike: forward * moneyness, years, rate };
          const call = black76Greeks({ ...input, kind: 'CE' }, volatility);
          const put = black76Greeks({ ...input, kind: 'PE' }, volatility);
          expect(call.delta).toBeGreaterThanOrEqual(0);
          expect(call.delta).toBeLessThanOrEqual(1);
          expect(put.delta).toBeLessThanOrEqual(0);
          expect(put.delta).toBeGreaterThanOrEqual(-1);
          expect(call.gamma).toBeGreaterThanOrEqual(0);
          expect(call.vega).toBeGreaterThanOrEqual(0);
          // Put-call parity on a forward: C − P = e^{−rT}(F − K).
          const parity =
            black76Price({ ...input, kind: 'CE' }, volatility) -
            black76Price({ ...input, kind: 'PE' }, volatility);
          expect(parity).toBeCloseTo(Math.exp(-rate * years) * (forward - input.strike), 6);
        },
      ),
    );
  });

  it('inverts its own price: price(IV(price)) ≈ price, deep ITM/OTM and expiry day included', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 50, max: 100_000, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 1 / (365 * 24 * 4), max: 2, noNaN: true }),
        fc.double({ min: 0.02, max: 3, noNaN: true }),
        fc.constantFrom('CE' as const, 'PE' as const),
        fc.double({ min: 0, max: 0.12, noNaN: true }),
        (forward, moneyness, years, volatility, kind, rate) => {
          const input = { kind, forward, strike: forward * moneyness, years, rate };
          const price = black76Price(input, volatility);
          const intrinsic =
            Math.exp(-rate * years) *
            Math.max(0, kind === 'CE' ? forward - input.strike : input.strike - forward);
          // Below a millionth of the forward above intrinsic, the price holds no usable volatility.
          fc.pre(price - intrinsic > forward * 1e-9);
          const solved = impliedVolatility(input, price);
          expect(solved).not.toBeNull();
          expect(black76Price(input, solved ?? 0)).toBeCloseTo(price, 6);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses prices no volatility can give', () => {
    const input = { kind: 'CE' as const, forward: 100, strike: 80, years: 0.1, rate: 0 };
    expect(impliedVolatility(input, 19.99)).toBeNull();
    expect(impliedVolatility(input, 20)).toBeNull();
    expect(impliedVolatility(input, 100)).toBeNull();
    expect(impliedVolatility({ ...input, years: 0 }, 25)).toBeNull();
    expect(impliedVolatility(input, 0)).toBeNull();
  });
});
