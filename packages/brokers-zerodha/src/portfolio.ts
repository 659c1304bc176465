import type { BrokerContext, BrokerPortfolio } from '@openalgo/broker-sdk';
import type { Funds, Holding, Position } from '@openalgo/shared-types';
import { type Dec, roundTo, toDecimal } from '@openalgo/shared-types/decimal';
import type { KiteHttpClient } from './kite-http.js';
import { decimalText, fromKiteProduct, integerOf } from './mapping.js';
import { resolveRowInstrument } from './resolve.js';
import {
  type KiteHolding,
  type KitePosition,
  type KiteUserMargins,
  kiteHoldingsSchema,
  kitePositionsSchema,
  kiteUserMarginsSchema,
  parseKite,
} from './zerodha-api-schemas.js';

/** Positions, holdings and funds (Kite `/portfolio/*`, `/user/margins`). */

export function toPosition(row: KitePosition, context: BrokerContext): Position {
  const { symbol, exchange } = resolveRowInstrument(context, row.tradingsymbol, row.exchange);
  return {
    symbol,
    exchange,
    product: fromKiteProduct(row.product),
    quantity: integerOf(row.quantity),
    averagePrice: decimalText(row.average_price),
    ltp: decimalText(row.last_price),
    realizedPnl: decimalText(row.realised),
    unrealizedPnl: decimalText(row.unrealised),
    pnl: decimalText(row.pnl),
    buyQuantity: integerOf(row.buy_quantity),
    sellQuantity: integerOf(row.sell_quantity),
    buyValue: decimalText(row.buy_value),
    sellValue: decimalText(row.sell_value),
    raw: row,
  };
}

export function toHolding(row: KiteHolding, context: BrokerContext): Holding {
  const { symbol, exchange } = resolveRowInstrument(context, row.tradingsymbol, row.exchange);
  // Shares bought yesterday (T1) are held too, only not yet settled.
  const quantity = integerOf(row.quantity) + integerOf(row.t1_quantity);
  const averagePrice = toDecimal(decimalText(row.average_price));
  const pnl = toDecimal(decimalText(row.pnl));
  const invested = averagePrice.mul(quantity);
  const holding: Holding = {
    symbol,
    exchange,
    product: fromKiteProduct(row.product),
    quantity,
    averagePrice: averagePrice.toString(),
    ltp: decimalText(row.last_price),
    pnl: pnl.toString(),
    pnlPercent: invested.isZero() ? '0' : roundTo(pnl.div(invested).mul(100), 2, 'nearest').toString(),
    raw: row,
  };
  return holding;
}

function sum(values: ReadonlyArray<number | string | null | undefined>): Dec {
  return values.reduce<Dec>((total, value) => total.add(toDecimal(decimalText(value))), toDecimal(0));
}

/**
 * Funds from `/user/margins` (equity + commodity), with m2m taken from the net positions:
 * Kite's RMS m2m fields were observed to stay at 0 (spec/brokers.md §1.3 `get_margin_data`).
 */
export function toFunds(margins: KiteUserMargins, positions: readonly KitePosition[]): Funds {
  const segments = [margins.equity, margins.commodity];
  return {
    availableCash: sum(segments.map((segment) => segment?.net)).toString(),
    collateral: sum(segments.map((segment) => segment?.available?.collateral)).toString(),
    utilisedDebits: sum(segments.map((segment) => segment?.utilised?.debits)).toString(),
    m2mRealized: sum(positions.map((position) => position.realised)).toString(),
    m2mUnrealized: sum(positions.map((position) => position.unrealised)).toString(),
    raw: margins,
  };
}

export function createPortfolio(http: KiteHttpClient): BrokerPortfolio {
  async function fetchNetPositions(context: BrokerContext): Promise<KitePosition[]> {
    const data = await http.requestData({
      method: 'GET',
      path: '/portfolio/positions',
      accessToken: context.session.accessToken,
      kind: 'read',
      operation: 'fetchPositions',
      signal: context.signal,
    });
    return parseKite(kitePositionsSchema, data, 'fetchPositions').net ?? [];
  }

  return {
    async fetchPositions(context: BrokerContext): Promise<readonly Position[]> {
      return (await fetchNetPositions(context)).map((row) => toPosition(row, context));
    },

    async fetchHoldings(context: BrokerContext): Promise<readonly Holding[]> {
      const data = await http.requestData({
        method: 'GET',
        path: '/portfolio/holdings',
        accessToken: context.session.accessToken,
        kind: 'read',
        operation: 'fetchHoldings',
        signal: context.signal,
      });
      return parseKite(kiteHoldingsSchema, data ?? [], 'fetchHoldings').map((row) => toHolding(row, context));
    },

    async fetchFunds(context: BrokerContext): Promise<Funds> {
      const [marginsData, positions] = await Promise.all([
        http.requestData({
          method: 'GET',
          path: '/user/margins',
          accessToken: context.session.accessToken,
          kind: 'read',
          operation: 'fetchFunds',
          signal: context.signal,
        }),
        fetchNetPositions(context),
      ]);
      return toFunds(parseKite(kiteUserMarginsSchema, marginsData, 'fetchFunds'), positions);
    },
  };
}
