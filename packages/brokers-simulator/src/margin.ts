import type { BrokerMargin } from '@openalgo/broker-sdk';
import type { SimulatorControl } from './control.js';
import { decimalToPips, lookupInstrument, pipsToDecimal } from './mapping.js';

export function createMargin(control: SimulatorControl): BrokerMargin {
  return {
    calculateMargin: async (legs, context) => {
      control.guard('margin', context);
      const totalPips = control.exchange.marginFor(
        legs.map((leg) => ({
          instrument: lookupInstrument(control.exchange, leg.instrument),
          product: leg.product,
          action: leg.action,
          quantity: leg.quantity,
          pricePips: decimalToPips(leg.price),
          priceType: leg.priceType,
          triggerPips: decimalToPips(leg.triggerPrice),
        })),
      );
      // SPAN and exposure split as exchanges publish them: roughly 70 % / 30 %.
      const spanPips = Math.round((totalPips * 7) / 10);
      return {
        totalMargin: pipsToDecimal(totalPips),
        spanMargin: pipsToDecimal(spanPips),
        exposureMargin: pipsToDecimal(totalPips - spanPips),
        raw: { legs: legs.length },
      };
    },
  };
}
