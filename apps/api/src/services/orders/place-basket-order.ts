import type { BasketOrderItem, BasketOrderResult } from '@openalgo/shared-types';
import type { OrderCall, OrderOutcome, OrderService } from './order-service.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A basket (api-v1 §4.1.3): every BUY leg before every SELL leg (margin benefit), one result per
 * leg. Live legs go concurrently in batches (`BASKET_BATCH_SIZE`, pausing between batches) and
 * results come in completion order; analyzer legs run one after another, in BUY-then-SELL order,
 * and successful items say `batch_order` / `is_last_order`.
 */
export async function placeBasketOrder(
  service: OrderService,
  call: OrderCall,
  input: { strategy: string; orders: readonly BasketOrderItem[] },
): Promise<BasketOrderResult[]> {
  const legs = [
    ...input.orders.filter((leg) => leg.action === 'BUY'),
    ...input.orders.filter((leg) => leg.action === 'SELL'),
  ];
  const target = service.target(call);
  const toResult = (leg: BasketOrderItem, outcome: OrderOutcome): BasketOrderResult =>
    outcome.ok
      ? {
          symbol: leg.symbol,
          exchange: leg.exchange,
          product: leg.product,
          status: 'success',
          orderid: outcome.orderId,
        }
      : { symbol: leg.symbol, status: 'error', message: outcome.body.message };
  const placeLeg = (leg: BasketOrderItem) =>
    service.place(call, { ...leg, strategy: input.strategy }, { operation: 'basketorder', target });

  const results: BasketOrderResult[] = [];
  if (call.mode === 'analyze') {
    for (const [index, leg] of legs.entries()) {
      const result = toResult(leg, await placeLeg(leg));
      results.push(
        result.status === 'success'
          ? { ...result, batch_order: true, is_last_order: index === legs.length - 1 }
          : result,
      );
    }
    return results;
  }
  const { basketBatchSize, basketBatchIntervalMs } = service.settings;
  for (let start = 0; start < legs.length; start += basketBatchSize) {
    if (start > 0) {
      await pause(basketBatchIntervalMs);
    }
    const batch = legs.slice(start, start + basketBatchSize);
    await Promise.all(
      batch.map(async (leg) => {
        results.push(toResult(leg, await placeLeg(leg)));
      }),
    );
  }
  return results;
}
