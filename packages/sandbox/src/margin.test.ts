import { Dec } from '@openalgo/shared-types/decimal';
import { describe, expect, it } from 'vitest';
import { formatRupees, leverageOf, marginFor, reservesMargin } from './margin.js';
import { DEFAULT_SANDBOX_CONFIG } from './sandbox-config.js';
import { testInstrument } from './testing/index.js';

const config = DEFAULT_SANDBOX_CONFIG;

describe('margin and leverage', () => {
  it.each([
    [testInstrument('SBIN', 'NSE'), 'MIS', 'BUY', '5'],
    [testInstrument('SBIN', 'BSE'), 'CNC', 'BUY', '1'],
    [testInstrument('NIFTY29DEC26FUT', 'NFO', { instrumentType: 'FUT' }), 'NRML', 'SELL', '10'],
    [testInstrument('NIFTY29DEC2626000CE', 'NFO', { instrumentType: 'CE' }), 'MIS', 'BUY', '1'],
    [testInstrument('NIFTY29DEC2626000PE', 'NFO'), 'NRML', 'SELL', '1'],
    [testInstrument('BTCUSDFUT', 'CRYPTO'), 'NRML', 'BUY', '10'],
    [testInstrument('USDINR29DEC26FUT', 'CDS', { instrumentType: 'FUT' }), 'MIS', 'BUY', '10'],
  ] as const)('%o %s %s uses leverage %s', (instrument, product, action, leverage) => {
    expect(leverageOf(config, instrument, product, action).toString()).toBe(leverage);
  });

  it('reserves for every buy and every sell but a CNC equity sell', () => {
    expect(reservesMargin(testInstrument('SBIN', 'NSE'), 'CNC', 'SELL')).toBe(false);
    expect(reservesMargin(testInstrument('SBIN', 'NSE'), 'MIS', 'SELL')).toBe(true);
    expect(reservesMargin(testInstrument('SBIN', 'NSE'), 'CNC', 'BUY')).toBe(true);
    expect(
      reservesMargin(testInstrument('NIFTY29DEC2626000CE', 'NFO', { instrumentType: 'CE' }), 'NRML', 'SELL'),
    ).toBe(true);
  });

  it('computes quantity × price × contract value / leverage, to the paisa', () => {
    expect(marginFor(10, '500.05', new Dec(5)).toString()).toBe('1000.1');
    expect(marginFor(3, '100', new Dec(7)).toString()).toBe('42.86');
    expect(marginFor(2, '60000', new Dec(10), '0.01').toString()).toBe('120');
    expect(marginFor(0, '100', new Dec(1)).toString()).toBe('0');
  });

  it('prints rupees with two decimals', () => {
    expect(formatRupees('1000')).toBe('1000.00');
    expect(formatRupees('1000.5')).toBe('1000.50');
    expect(formatRupees('-0.125')).toBe('-0.13');
  });
});
