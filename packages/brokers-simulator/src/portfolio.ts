import type { BrokerContext, BrokerPortfolio } from '@openalgo/broker-sdk';
import type { Holding, OrderAck, Position } from '@openalgo/shared-types';
import { roundTo, toDecimal } from '@openalgo/shared-types/decimal';
import type { SimulatorControl } from './control.js';
import type { SimPosition } from './exchange.js';
import { pipsToDecimal } from './mapping.js';
import type { MarketState } from './market.js';
import { PIPS_PER_RUPEE } from './universe.js';

/** value (pips) / quantity, in rupees, as an exact decimal string rounded to 4 places. */
function averageOf(valuePips: number, quantity: number): string {
  if (quantity === 0) {
    return '0';
  }
  return roundTo(toDecimal(valuePips).div(quantity).div(PIPS_PER_RUPEE), 4, 'nearest').toString();
}

export function createPortfolio(control: SimulatorControl): BrokerPortfolio & {
  closeAllPositions(context: BrokerContext): Promise<readonly OrderAck[]>;
} {
  const { exchange } = control;
  const ltpOf = (index: number) => (exchange.market.states[index] as MarketState).ltp;
  const toPosition = (position: SimPosition): Position => {
    const unrealized = exchange.unrealizedOf(position);
    return {
      symbol: position.instrument.symbol,
      exchange: position.instrument.exchange,
      product: position.product,
      quantity: position.netQuantity,
      averagePrice: averageOf(position.openValuePips, Math.abs(position.netQuantity)),
      ltp: pipsToDecimal(ltpOf(position.instrument.index)),
      realizedPnl: pipsToDecimal(position.realizedPips),
      unrealizedPnl: pipsToDecimal(unrealized),
      pnl: pipsToDecimal(position.realizedPips + unrealized),
      buyQuantity: position.buyQuantity,
      sellQuantity: position.sellQuantity,
      buyValue: pipsToDecimal(position.buyValuePips),
      sellValue: pipsToDecimal(position.sellValuePips),
      raw: { key: `${position.instrument.exchange}|${position.instrument.symbol}|${position.product}` },
    };
  };
  return {
    fetchPositions: async (context) => {
      control.guard('fetchPositions', context);
      return exchange.listPositions().map(toPosition);
    },
    fetchHoldings: async (context) => {
      control.guard('fetchHoldings', context);
      return exchange.listHoldings().map((holding): Holding => {
        const ltp = ltpOf(holding.instrument.index);
        const pnlPips = (ltp - holding.averagePips) * holding.quantity;
        const costPips = holding.averagePips * holding.quantity;
        return {
          symbol: holding.instrument.symbol,
          exchange: holding.instrument.exchange,
          product: 'CNC',
          quantity: holding.quantity,
          averagePrice: pipsToDecimal(holding.averagePips),
          ltp: pipsToDecimal(ltp),
          pnl: pipsToDecimal(pnlPips),
          pnlPercent:
            costPips === 0
              ? '0'
              : roundTo(toDecimal(pnlPips).mul(100).div(costPips), 2, 'nearest').toString(),
          raw: { symbol: holding.instrument.symbol },
        };
      });
    },
    fetchFunds: async (context) => {
      control.guard('fetchFunds', context);
      const funds = exchange.funds();
      return {
        availableCash: pipsToDecimal(funds.availablePips),
        collateral: '0',
        utilisedDebits: pipsToDecimal(funds.usedPips),
        m2mRealized: pipsToDecimal(funds.realizedPips),
        m2mUnrealized: pipsToDecimal(funds.unrealizedPips),
        raw: { ...funds },
      };
    },
    closeAllPositions: async (context) => {
      control.guard('placeOrder', context);
      const acks: OrderAck[] = [];
      for (const position of exchange.listPositions()) {
        if (position.netQuantity === 0) {
          continue;
        }
        const order = exchange.placeOrder({
          instrument: position.instrument,
          action: position.netQuantity > 0 ? 'SELL' : 'BUY',
          product: position.product,
          priceType: 'MARKET',
          quantity: Math.abs(position.netQuantity),
          pricePips: 0,
          triggerPips: 0,
          clientOrderId: 'closeall',
        });
        acks.push({ orderId: order.orderId, raw: { orderid: order.orderId } });
      }
      return acks;
    },
  };
}
