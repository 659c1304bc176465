import type { SplitOrderResult } from '@openalgo/shared-types';
import { ApiError } from '../../errors.js';
import type { OrderCall, OrderInput, OrderService } from './order-service.js';

export const SPLIT_MESSAGES = {
  tooMany: 'Total number of orders would exceed maximum limit of 100',
  invalid: 'Invalid quantity or split size',
} as const;

/** The most children one split may create (api-v1 §4.1.4). */
export const MAX_SPLIT_ORDERS = 100;

/** `floor(total / size)` children of `size`, plus the remainder; one order when size > total. */
export function planSplit(total: number, size: number): number[] {
  if (!Number.isInteger(total) || !Number.isInteger(size) || total <= 0 || size <= 0) {
    throw ApiError.message(400, SPLIT_MESSAGES.invalid);
  }
  const count = Math.floor(total / size);
  const remainder = total - count * size;
  if (count + (remainder > 0 ? 1 : 0) > MAX_SPLIT_ORDERS) {
    throw ApiError.message(400, SPLIT_MESSAGES.tooMany);
  }
  return [...Array.from({ length: count }, () => size), ...(remainder > 0 ? [remainder] : [])];
}

/**
 * A split order: children placed one after another, `ORDER_CHILD_INTERVAL_MS` apart (the order
 * rate), each with its own result, in `order_num` order.
 */
export async function placeSplitOrder(
  service: OrderService,
  call: OrderCall,
  input: OrderInput & { splitsize: number },
  options: { operation?: string } = {},
): Promise<{ totalQuantity: number; splitSize: number; results: SplitOrderResult[] }> {
  const mark = call.mode === 'analyze' ? { mode: 'analyze' as const } : {};
  let children: number[];
  try {
    children = planSplit(input.quantity, input.splitsize);
  } catch (error) {
    if (error instanceof ApiError) {
      throw new ApiError(error.statusCode, { ...error.body, ...mark });
    }
    throw error;
  }
  const target = service.target(call);
  const { splitsize: _size, ...order } = input;
  const results: SplitOrderResult[] = [];
  for (const [index, quantity] of children.entries()) {
    if (index > 0 && service.settings.childIntervalMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, service.settings.childIntervalMs));
    }
    const outcome = await service.place(
      call,
      { ...order, quantity },
      { operation: options.operation ?? 'splitorder', target },
    );
    results.push(
      outcome.ok
        ? { order_num: index + 1, quantity, status: 'success', orderid: outcome.orderId }
        : { order_num: index + 1, quantity, status: 'error', message: outcome.body.message },
    );
  }
  return { totalQuantity: input.quantity, splitSize: input.splitsize, results };
}
