import { BrokerError } from '@openalgo/broker-sdk';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';
import { assertAccepted, canonicalJson } from './order-service.js';
import { planSmartOrder } from './place-smart-order.js';
import { planSplit } from './place-split-order.js';
import { protectedLimitPrice } from './price-protection.js';

describe('smart order plan (api-v1 §4.1.2 worked examples)', () => {
  it.each([
    // action, quantity, target, current → result
    ['BUY', 100, 0, 0, { action: 'BUY', quantity: 100 }],
    ['BUY', 100, 100, -100, { action: 'BUY', quantity: 200 }],
    ['BUY', 100, 100, 100, null],
    ['BUY', 100, 200, 100, { action: 'BUY', quantity: 100 }],
    ['SELL', 100, -100, 100, { action: 'SELL', quantity: 200 }],
    ['SELL', 100, -200, -100, { action: 'SELL', quantity: 100 }],
    ['BUY', 5, 0, 5, { action: 'SELL', quantity: 5 }],
    ['SELL', 5, 0, -5, { action: 'BUY', quantity: 5 }],
    ['BUY', 0, 0, 0, null],
    ['SELL', 7, 30, 0, { action: 'BUY', quantity: 30 }],
    ['BUY', 7, -30, 0, { action: 'SELL', quantity: 30 }],
  ] as const)('%s %d, target %d, current %d', (action, quantity, target, current, expected) => {
    expect(planSmartOrder({ action, quantity, position_size: target }, current)).toEqual(expected);
  });
});

describe('split plan', () => {
  it('splits into whole children plus the remainder, up to 100', () => {
    expect(planSplit(105, 20)).toEqual([20, 20, 20, 20, 20, 5]);
    expect(planSplit(40, 20)).toEqual([20, 20]);
    expect(planSplit(5, 50)).toEqual([5]);
    expect(planSplit(1000, 10)).toHaveLength(100);
    expect(() => planSplit(1001, 10)).toThrow('Total number of orders would exceed maximum limit of 100');
  });
});

describe('market price protection (spec/brokers.md §3.g)', () => {
  const equity = { instrumentType: 'EQ', tickSize: '0.05', symbol: 'SBIN' } as ResolvedInstrument;
  const option = { instrumentType: 'CE', tickSize: '0.05', symbol: 'NIFTYCE' } as ResolvedInstrument;
  it('prices a slab beyond the reference, on the tick, away from the market', () => {
    expect(protectedLimitPrice(equity, 'BUY', '820')).toBe('824.1');
    expect(protectedLimitPrice(equity, 'SELL', '820')).toBe('815.9');
    expect(protectedLimitPrice(equity, 'BUY', '250')).toBe('252.5');
    expect(protectedLimitPrice(equity, 'BUY', '50')).toBe('51');
    expect(protectedLimitPrice(option, 'BUY', '8')).toBe('8.4');
    expect(protectedLimitPrice(option, 'SELL', '120')).toBe('117.6');
  });
  it('stays at least one tick beyond the reference and positive', () => {
    expect(protectedLimitPrice(equity, 'BUY', '0.05')).toBe('0.1');
    expect(protectedLimitPrice(equity, 'SELL', '0.05')).toBe('0.05');
    expect(() => protectedLimitPrice(equity, 'BUY', '0')).toThrow(/No price/);
  });
});

describe('broker acknowledgements', () => {
  it('an ack without an id, or whose body says it failed, is a broker error', () => {
    expect(() => assertAccepted({ orderId: '1', raw: { status: 'success' } })).not.toThrow();
    expect(() => assertAccepted({ orderId: '', raw: {} })).toThrow(BrokerError);
    expect(() => assertAccepted({ orderId: '9', raw: { status: false, message: 'RMS rejected' } })).toThrow(
      'RMS rejected',
    );
    expect(() => assertAccepted({ orderId: '9', raw: { status: 'error' } })).toThrow(
      'The broker refused the order',
    );
  });
});

describe('helpers', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it('the keyed lock serializes one key and not the others', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const step = (label: string, ms: number) => async () => {
      order.push(`${label}:start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${label}:end`);
    };
    await Promise.all([
      lock.run('a', step('a1', 20)),
      lock.run('a', step('a2', 1)),
      lock.run('b', step('b1', 1)),
    ]);
    expect(order.indexOf('a2:start')).toBeGreaterThan(order.indexOf('a1:end'));
    expect(order.indexOf('b1:end')).toBeLessThan(order.indexOf('a1:end'));
    await expect(lock.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('a', async () => 'next')).resolves.toBe('next');
    expect(lock.size).toBe(0);
  });
});
