import type { JsonValue } from '@openalgo/db';
import { ORDER_MESSAGES, type QueuedOrderResponse } from '@openalgo/shared-types';
import { ApiError } from '../../errors.js';
import type { RequestAuth } from '../../plugins/auth.js';
import type { OrderCall } from './order-service.js';
import type { OrderMode } from './order-target.js';

/**
 * Semi-auto ("Action Center") mode (api-v1 §2.8): an API key in `semi_auto` does not execute
 * order placements; they wait for the operator's approval. Changing or cancelling orders is
 * refused outright (except in analyzer mode).
 */

/** The operations that queue instead of executing (their Action Center `api_type`). */
export type QueuedOperation =
  | 'placeorder'
  | 'smartorder'
  | 'basketorder'
  | 'splitorder'
  | 'optionsorder'
  | 'optionsmultiorder'
  | 'placegttorder';

/** Where queued orders go: the Action Center's pending-order store. */
export interface OrderQueue {
  /**
   * Stores the request (without `apikey`) for approval, with the id of the call that queued it
   * (the order placed on approval is logged under it); returns its `pending_order_id`.
   */
  enqueue(input: {
    userId: number;
    apiType: QueuedOperation;
    request: JsonValue;
    requestId: string | null;
  }): Promise<number>;
}

export const SEMI_AUTO_MESSAGES = {
  modifyorder:
    'Modify order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to modify orders.',
  cancelorder:
    'Cancel order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.',
  cancelallorder:
    'Cancel all orders operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.',
  closeposition:
    'Close position operation is not allowed in Semi-Auto mode. Please switch to Auto mode to close positions.',
  modifygttorder: 'Modify GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.',
  cancelgttorder: 'Cancel GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.',
  queueFailed: 'Failed to queue order',
} as const;

export type BlockedOperation = Exclude<keyof typeof SEMI_AUTO_MESSAGES, 'queueFailed'>;

/** Refuses a changing operation for a semi-auto key (403), unless served by the analyzer. */
export function refuseInSemiAuto(auth: RequestAuth, mode: OrderMode, operation: BlockedOperation): void {
  if (auth.orderMode === 'semi_auto' && mode !== 'analyze') {
    throw ApiError.message(403, SEMI_AUTO_MESSAGES[operation]);
  }
}

/** Queues a placement for a semi-auto key; `null` when the key executes directly. */
export async function queueInSemiAuto(
  queue: OrderQueue,
  call: Pick<OrderCall, 'auth' | 'requestId'>,
  apiType: QueuedOperation,
  request: Record<string, unknown>,
): Promise<QueuedOrderResponse | null> {
  const { auth } = call;
  if (auth.orderMode !== 'semi_auto') {
    return null;
  }
  const { apikey: _apikey, ...withoutKey } = request;
  let pendingOrderId: number;
  try {
    pendingOrderId = await queue.enqueue({
      userId: auth.userId,
      apiType,
      request: withoutKey as JsonValue,
      requestId: call.requestId,
    });
  } catch (error) {
    throw ApiError.message(500, SEMI_AUTO_MESSAGES.queueFailed, {}, { cause: error });
  }
  return {
    status: 'success',
    message: ORDER_MESSAGES.queued,
    mode: 'semi_auto',
    pending_order_id: pendingOrderId,
  };
}
