import { type Action, ORDER_MESSAGES } from '@openalgo/shared-types';
import { KeyedLock } from './keyed-lock.js';
import {
  failureOf,
  type OrderCall,
  type OrderInput,
  type OrderOutcome,
  type OrderService,
} from './order-service.js';

/** A smart order's answer: an order's outcome, or nothing to do. */
export type SmartOrderOutcome =
  | OrderOutcome
  | {
      ok: true;
      statusCode: 200;
      orderId: null;
      body: { status: 'success'; message: string; mode?: 'analyze' };
    };

export interface SmartOrderInput extends OrderInput {
  /** The signed target net quantity for (symbol, exchange, product). */
  position_size: number;
}

/** What a smart order sends (api-v1 §4.1.2 table); `null` when nothing is to be done. */
export function planSmartOrder(
  input: { action: Action; quantity: number; position_size: number },
  current: number,
): { action: Action; quantity: number } | null {
  const target = input.position_size;
  if (target === 0 && current === 0) {
    return input.quantity > 0 ? { action: input.action, quantity: input.quantity } : null;
  }
  if (target === current) {
    return null;
  }
  return target > current
    ? { action: 'BUY', quantity: target - current }
    : { action: 'SELL', quantity: current - target };
}

const locks = new KeyedLock();

/**
 * Moves the position in (symbol, exchange, product) to `position_size`. Smart orders for one
 * position are serialized and each re-reads the position book, so a burst of signals cannot
 * double-fill. The request's action and quantity only matter from a flat position.
 */
export async function placeSmartOrder(
  service: OrderService,
  call: OrderCall,
  input: SmartOrderInput,
): Promise<SmartOrderOutcome> {
  const run = () =>
    locks.run(`${call.auth.userId}|${call.mode}|${input.exchange}|${input.symbol}|${input.product}`, () =>
      execute(service, call, input),
    );
  const key = call.idempotencyKey;
  if (!key || call.auth.apiKeyId === null) {
    return run();
  }
  return service.idempotent<SmartOrderOutcome>(
    call,
    key,
    { operation: 'placesmartorder', ...input },
    true,
    run,
  );
}

async function execute(
  service: OrderService,
  call: OrderCall,
  input: SmartOrderInput,
): Promise<SmartOrderOutcome> {
  const mark = call.mode === 'analyze' ? ({ mode: 'analyze' } as const) : {};
  let current: number;
  const target = service.target(call);
  try {
    const positions = await service.read(target, 'fetchPositions', (context) =>
      target.portfolio.fetchPositions(context),
    );
    current =
      positions.find(
        (position) =>
          position.symbol === input.symbol &&
          position.exchange === input.exchange &&
          position.product === input.product,
      )?.quantity ?? 0;
  } catch (error) {
    return failureOf(error, call.mode, 'Failed to place smart order due to internal error');
  }
  const plan = planSmartOrder(input, current);
  if (!plan) {
    const isExitWithoutPosition = call.mode === 'analyze' && input.quantity === 0;
    return {
      ok: true,
      statusCode: 200,
      orderId: null,
      body: {
        status: 'success',
        message: isExitWithoutPosition ? ORDER_MESSAGES.noOpenPosition : ORDER_MESSAGES.positionsMatched,
        ...mark,
      },
    };
  }
  const { position_size: _target, ...order } = input;
  return service.place(
    call,
    { ...order, action: plan.action, quantity: plan.quantity },
    {
      operation: 'placesmartorder',
      target,
      request: { operation: 'placesmartorder', ...input },
      idempotencyKey: call.idempotencyKey ?? null,
    },
  );
}
