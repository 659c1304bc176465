import type { BrokerGtt } from '@openalgo/broker-sdk';
import type { Gtt, GttRequest } from '@openalgo/shared-types';
import type { SimulatorControl } from './control.js';
import type { SimGtt } from './exchange.js';
import { decimalToPips, lookupInstrument, pipsToDecimal } from './mapping.js';

function toGtt(gtt: SimGtt): Gtt {
  return {
    triggerId: gtt.triggerId,
    symbol: gtt.instrument.symbol,
    exchange: gtt.instrument.exchange,
    triggerType: gtt.triggerType,
    status: gtt.status,
    lastPrice: pipsToDecimal(gtt.lastPricePips),
    legs: gtt.legs.map((leg) => ({
      triggerPrice: pipsToDecimal(leg.triggerPips),
      price: pipsToDecimal(leg.pricePips),
      quantity: leg.quantity,
      action: leg.action,
      priceType: leg.priceType,
      product: leg.product,
    })),
    createdAt: gtt.createdAt,
    ...(gtt.expiresAt !== undefined ? { expiresAt: gtt.expiresAt } : {}),
    raw: { triggerId: gtt.triggerId, orderIds: gtt.orderIds },
  };
}

function toSimGtt(control: SimulatorControl, request: GttRequest) {
  return {
    instrument: lookupInstrument(control.exchange, request.instrument),
    triggerType: request.triggerType,
    lastPricePips: decimalToPips(request.lastPrice),
    legs: request.legs.map((leg) => ({
      triggerPips: decimalToPips(leg.triggerPrice),
      pricePips: decimalToPips(leg.price),
      quantity: leg.quantity,
      action: leg.action,
      priceType: leg.priceType,
      product: leg.product,
    })),
    expiresAt: request.expiresAt,
  };
}

export function createGtt(control: SimulatorControl): BrokerGtt {
  return {
    placeGtt: async (request, context) => {
      control.guard('gtt', context);
      return { triggerId: control.exchange.placeGtt(toSimGtt(control, request)).triggerId };
    },
    modifyGtt: async (triggerId, request, context) => {
      control.guard('gtt', context);
      const { instrument: _instrument, ...change } = toSimGtt(control, request);
      return { triggerId: control.exchange.modifyGtt(triggerId, change).triggerId };
    },
    cancelGtt: async (triggerId, context) => {
      control.guard('gtt', context);
      return { triggerId: control.exchange.cancelGtt(triggerId).triggerId };
    },
    fetchGtts: async (context) => {
      control.guard('gtt', context);
      return control.exchange.listGtts().map(toGtt);
    },
  };
}
