import {
  BadResponseError,
  type BrokerContext,
  type BrokerGtt,
  InvalidOrderError,
} from '@openalgo/broker-sdk';
import type { Gtt, GttLeg, GttRequest } from '@openalgo/shared-types';
import { roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import type { FormEntries, KiteHttpClient } from './kite-http.js';
import { decimalText, fromKiteProduct, integerOf, isTradableOnKite, toKiteProduct } from './mapping.js';
import { resolveRowInstrument } from './resolve.js';
import { parseKiteTime } from './time.js';
import { type KiteGtt, kiteGttsSchema, kiteTriggerIdSchema, parseKite } from './zerodha-api-schemas.js';

/** GTT triggers (Kite `/gtt/triggers`): single and two-leg (OCO). */

/**
 * Kite GTT legs are LIMIT only: a MARKET leg becomes a LIMIT protected by OpenAlgo's MPP slab
 * around its trigger (spec/brokers.md §3.g): BUY above, SELL below, snapped to the tick outward,
 * at least one tick away.
 */
export function protectedLimitPrice(leg: GttLeg, tickSize: string, isOption: boolean): string {
  const reference = toDecimal(leg.triggerPrice);
  let percent: string;
  if (isOption) {
    percent = reference.lt(10) ? '5' : reference.lt(100) ? '3' : reference.lt(500) ? '2' : '1';
  } else {
    percent = reference.lt(100) ? '2' : reference.lte(500) ? '1' : '0.5';
  }
  const factor = toDecimal(percent).div(100);
  const tick = toDecimal(tickSize);
  if (leg.action === 'BUY') {
    const price = roundToTick(reference.mul(toDecimal(1).add(factor)), tick, 'up');
    return (price.lte(reference) ? reference.add(tick) : price).toString();
  }
  const price = roundToTick(reference.mul(toDecimal(1).sub(factor)), tick, 'down');
  const floor = price.gte(reference) ? reference.sub(tick) : price;
  return (floor.lte(0) ? tick : floor).toString();
}

/** The form of `POST/PUT /gtt/triggers` (pure). */
export function buildGttForm(request: GttRequest): FormEntries {
  const { instrument, legs } = request;
  if (!isTradableOnKite(instrument)) {
    throw new InvalidOrderError(`GTT needs a tradable instrument; ${instrument.symbol} is quote-only`, {
      context: { broker: 'zerodha' },
    });
  }
  const expectedLegs = request.triggerType === 'single' ? 1 : 2;
  if (legs.length !== expectedLegs) {
    throw new InvalidOrderError(
      `A ${request.triggerType} GTT has ${expectedLegs} leg(s), not ${legs.length}`,
      {
        context: { broker: 'zerodha' },
      },
    );
  }
  const isOption = instrument.instrumentType === 'CE' || instrument.instrumentType === 'PE';
  const condition = {
    exchange: instrument.brExchange,
    tradingsymbol: instrument.brSymbol,
    trigger_values: legs.map((leg) => Number(leg.triggerPrice)),
    last_price: Number(request.lastPrice),
  };
  const orders = legs.map((leg) => ({
    exchange: instrument.brExchange,
    tradingsymbol: instrument.brSymbol,
    transaction_type: leg.action,
    quantity: leg.quantity,
    order_type: 'LIMIT',
    product: toKiteProduct(leg.product),
    price: Number(
      leg.priceType === 'LIMIT' ? leg.price : protectedLimitPrice(leg, instrument.tickSize, isOption),
    ),
  }));
  const form: Array<[string, string]> = [
    ['type', request.triggerType],
    ['condition', JSON.stringify(condition)],
    ['orders', JSON.stringify(orders)],
  ];
  return form;
}

export function toGtt(row: KiteGtt, context: BrokerContext): Gtt {
  const { symbol, exchange } = resolveRowInstrument(
    context,
    row.condition.tradingsymbol,
    row.condition.exchange,
  );
  const triggers = row.condition.trigger_values ?? [];
  const legs: GttLeg[] = (row.orders ?? []).map((order, index) => ({
    triggerPrice: decimalText(triggers[index]),
    price: decimalText(order.price),
    quantity: Math.max(1, integerOf(order.quantity)),
    action: order.transaction_type === 'SELL' ? 'SELL' : 'BUY',
    priceType: order.order_type === 'MARKET' ? 'MARKET' : 'LIMIT',
    product: fromKiteProduct(order.product),
  }));
  const gtt: Gtt = {
    triggerId: String(row.id ?? ''),
    symbol,
    exchange,
    triggerType: row.type === 'two-leg' ? 'two-leg' : 'single',
    status: row.status ?? 'unknown',
    lastPrice: decimalText(row.condition.last_price),
    legs,
    createdAt: parseKiteTime(row.created_at) ?? context.now(),
    raw: row,
  };
  const expiresAt = parseKiteTime(row.expires_at);
  if (expiresAt !== undefined) {
    gtt.expiresAt = expiresAt;
  }
  return gtt;
}

function triggerIdOf(data: unknown, operation: string): { triggerId: string } {
  const { trigger_id: triggerId } = parseKite(kiteTriggerIdSchema, data, operation);
  if (triggerId === null || triggerId === undefined) {
    throw new BadResponseError(`Kite answered ${operation} without a trigger id`, {
      context: { broker: 'zerodha', body: data },
    });
  }
  return { triggerId: String(triggerId) };
}

export function createGtt(http: KiteHttpClient): BrokerGtt {
  return {
    async placeGtt(request, context) {
      const data = await http.requestData({
        method: 'POST',
        path: '/gtt/triggers',
        form: buildGttForm(request),
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'placeGtt',
        signal: context.signal,
      });
      return triggerIdOf(data, 'placeGtt');
    },

    async modifyGtt(triggerId, request, context) {
      const data = await http.requestData({
        method: 'PUT',
        path: `/gtt/triggers/${encodeURIComponent(triggerId)}`,
        form: buildGttForm(request),
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'modifyGtt',
        signal: context.signal,
      });
      return triggerIdOf(data, 'modifyGtt');
    },

    async cancelGtt(triggerId, context) {
      const data = await http.requestData({
        method: 'DELETE',
        path: `/gtt/triggers/${encodeURIComponent(triggerId)}`,
        accessToken: context.session.accessToken,
        kind: 'write',
        operation: 'cancelGtt',
        signal: context.signal,
      });
      return triggerIdOf(data, 'cancelGtt');
    },

    async fetchGtts(context) {
      const data = await http.requestData({
        method: 'GET',
        path: '/gtt/triggers',
        accessToken: context.session.accessToken,
        kind: 'read',
        operation: 'fetchGtts',
        signal: context.signal,
      });
      return parseKite(kiteGttsSchema, data ?? [], 'fetchGtts').map((row) => toGtt(row, context));
    },
  };
}
