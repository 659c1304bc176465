import { InvalidOrderError } from '@openalgo/broker-sdk';
import type { Action, ResolvedInstrument } from '@openalgo/shared-types';
import { type Dec, roundToTick, toDecimal } from '@openalgo/shared-types/decimal';

/**
 * Market-price protection (spec/brokers.md §3.g): how the core emulates MARKET and SL-M on
 * brokers that declare them `'emulated'`. The order becomes a LIMIT (or SL) priced a slab
 * percentage beyond the reference price, snapped to the tick away from the market, at least
 * one tick beyond the reference and always positive.
 */

function slabPercent(instrument: ResolvedInstrument, reference: Dec): string {
  const isOption = instrument.instrumentType === 'CE' || instrument.instrumentType === 'PE';
  if (isOption) {
    if (reference.lt(10)) {
      return '5';
    }
    if (reference.lt(100)) {
      return '3';
    }
    return reference.lte(500) ? '2' : '1';
  }
  if (reference.lt(100)) {
    return '2';
  }
  return reference.lte(500) ? '1' : '0.5';
}

/** The protected limit price for a marketable order of `action` around `referencePrice`. */
export function protectedLimitPrice(
  instrument: ResolvedInstrument,
  action: Action,
  referencePrice: string,
): string {
  const reference = toDecimal(referencePrice);
  if (reference.lte(0)) {
    throw new InvalidOrderError(`No price to protect a market order on ${instrument.symbol}`);
  }
  const tick = toDecimal(instrument.tickSize);
  const percent = toDecimal(slabPercent(instrument, reference)).div(100);
  let limit =
    action === 'BUY'
      ? roundToTick(reference.mul(toDecimal(1).add(percent)), tick, 'up')
      : roundToTick(reference.mul(toDecimal(1).sub(percent)), tick, 'down');
  if (action === 'BUY' && limit.lte(reference)) {
    limit = roundToTick(reference, tick, 'up').add(tick);
  }
  if (action === 'SELL' && limit.gte(reference)) {
    limit = roundToTick(reference, tick, 'down').sub(tick);
  }
  if (limit.lte(0)) {
    limit = tick;
  }
  return limit.toString();
}
