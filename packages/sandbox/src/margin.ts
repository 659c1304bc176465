import type { Action, Product, ResolvedInstrument } from '@openalgo/shared-types';
import { Dec, type DecimalInput, roundTo, toDecimal } from '@openalgo/shared-types/decimal';
import { instrumentKindOf, isDerivativeSegment } from './instruments.js';
import type { SandboxConfig } from './sandbox-config.js';

/**
 * Margin = |quantity| × price basis × contract value / leverage (sandbox.md §4; the contract
 * value, ignored by the original, is applied here). Leverage: the first matching row.
 */
export function leverageOf(
  config: SandboxConfig,
  instrument: ResolvedInstrument,
  product: Product,
  action: Action,
): Dec {
  const { exchange } = instrument;
  if (exchange === 'NSE' || exchange === 'BSE') {
    return new Dec(product === 'MIS' ? config.equity_mis_leverage : config.equity_cnc_leverage);
  }
  if (isDerivativeSegment(exchange)) {
    const kind = instrumentKindOf(instrument);
    if (kind === 'option') {
      return new Dec(action === 'BUY' ? config.option_buy_leverage : config.option_sell_leverage);
    }
    return new Dec(config.futures_leverage);
  }
  return new Dec(1);
}

/** Whether an order of this side and product reserves margin at all (a CNC sell sells owned shares). */
export function reservesMargin(instrument: ResolvedInstrument, product: Product, action: Action): boolean {
  if (action === 'BUY') {
    return true;
  }
  return !(product === 'CNC' && instrumentKindOf(instrument) === 'equity');
}

export function marginFor(
  quantity: number,
  priceBasis: DecimalInput,
  leverage: Dec,
  contractValue: DecimalInput = 1,
): Dec {
  if (quantity <= 0) {
    return new Dec(0);
  }
  return roundTo(
    toDecimal(priceBasis).mul(quantity).mul(toDecimal(contractValue)).div(leverage),
    2,
    'nearest',
  );
}

/** Rupees as OpenAlgo prints them in messages: two decimals. */
export function formatRupees(value: DecimalInput): string {
  const text = roundTo(value, 2, 'nearest').toString();
  const dot = text.indexOf('.');
  if (dot < 0) {
    return `${text}.00`;
  }
  return text.length - dot === 2 ? `${text}0` : text;
}
