import { type BrokerContext, type BrokerMargin, InvalidOrderError } from '@openalgo/broker-sdk';
import type { MarginLeg, MarginResult } from '@openalgo/shared-types';
import type { KiteHttpClient } from './kite-http.js';
import { decimalText, isTradableOnKite, toKiteProduct } from './mapping.js';
import { kiteBasketMarginsSchema, kiteOrderMarginsSchema, parseKite } from './zerodha-api-schemas.js';

/**
 * Margin calculation: one leg → Kite's order calculator (`POST /margins/orders`), two or more →
 * the basket calculator (`POST /margins/basket?consider_positions=true`), which nets hedges.
 */

/** One leg as Kite's margin APIs take it (JSON; prices are JSON numbers at this edge). */
export function toKiteMarginOrder(leg: MarginLeg): Record<string, string | number> {
  const { instrument } = leg;
  if (!isTradableOnKite(instrument)) {
    throw new InvalidOrderError(
      `${instrument.symbol} on ${instrument.exchange} has no margin: it is quote-only`,
      {
        context: { broker: 'zerodha' },
      },
    );
  }
  return {
    exchange: instrument.brExchange,
    tradingsymbol: instrument.brSymbol,
    transaction_type: leg.action,
    variety: 'regular',
    product: toKiteProduct(leg.product),
    order_type: leg.priceType,
    quantity: leg.quantity,
    price: leg.priceType === 'LIMIT' || leg.priceType === 'SL' ? Number(leg.price) : 0,
    trigger_price: leg.priceType === 'SL' || leg.priceType === 'SL-M' ? Number(leg.triggerPrice) : 0,
  };
}

export function createMargin(http: KiteHttpClient): BrokerMargin {
  return {
    async calculateMargin(legs: readonly MarginLeg[], context: BrokerContext): Promise<MarginResult> {
      if (legs.length === 0) {
        throw new InvalidOrderError('Margin needs at least one leg', { context: { broker: 'zerodha' } });
      }
      const orders = legs.map(toKiteMarginOrder);
      if (orders.length === 1) {
        const data = await http.requestData({
          method: 'POST',
          path: '/margins/orders',
          json: orders,
          accessToken: context.session.accessToken,
          kind: 'read',
          operation: 'calculateMargin',
          signal: context.signal,
        });
        const [margin] = parseKite(kiteOrderMarginsSchema, data, 'calculateMargin');
        return {
          totalMargin: decimalText(margin?.total),
          spanMargin: decimalText(margin?.span),
          exposureMargin: decimalText(margin?.exposure),
          raw: data,
        };
      }
      const data = await http.requestData({
        method: 'POST',
        path: '/margins/basket',
        query: [['consider_positions', 'true']],
        json: orders,
        accessToken: context.session.accessToken,
        kind: 'read',
        operation: 'calculateMargin',
        signal: context.signal,
      });
      const basket = parseKite(kiteBasketMarginsSchema, data, 'calculateMargin');
      return {
        totalMargin: decimalText(basket.final.total),
        spanMargin: decimalText(basket.final.span),
        exposureMargin: decimalText(basket.final.exposure),
        raw: data,
      };
    },
  };
}
