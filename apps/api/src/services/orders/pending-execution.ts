import { OpenAlgoError, toHttpError } from '@openalgo/broker-sdk';
import type { PendingOrderApiType } from '@openalgo/db';
import {
  basketOrderRequestSchema,
  checkGttRequest,
  checkPlaceOrderRequest,
  checkSplitOrderRequest,
  optionsMultiOrderRequestSchema,
  optionsOrderRequestSchema,
  placeGttOrderRequestSchema,
  placeOrderRequestSchema,
  placeSmartOrderRequestSchema,
  splitOrderRequestSchema,
} from '@openalgo/shared-types';
import type { z } from 'zod';
import { ApiError } from '../../errors.js';
import type { RequestAuth } from '../../plugins/auth.js';
import type { ExecutePendingOrder, ExecutionOutcome } from '../action-center.js';
import type { OptionsService } from '../options/options-service.js';
import { fetchOrderStatus } from './account-books.js';
import { placeGttOrder } from './gtt-orders.js';
import type { OrderCall, OrderService } from './order-service.js';
import type { ModeSwitch } from './order-target.js';
import { placeBasketOrder } from './place-basket-order.js';
import { placeOptionsMultiOrder, placeOptionsOrder } from './place-options-order.js';
import { placeSmartOrder } from './place-smart-order.js';
import { placeSplitOrder } from './place-split-order.js';

export interface PendingExecutionOptions {
  service: OrderService;
  /** Option resolution for `optionsorder` / `optionsmultiorder`. */
  options: OptionsService;
  modeSwitch: ModeSwitch;
  /** The owner's API-key identity and broker session, or null when either is missing. */
  resolveAuth: (userId: number) => Promise<RequestAuth | null>;
}

/** The request schemas of the session door (no `apikey`), with their cross-field rules. */
const schemas = {
  placeorder: placeOrderRequestSchema.omit({ apikey: true }).superRefine(checkPlaceOrderRequest),
  smartorder: placeSmartOrderRequestSchema.omit({ apikey: true }),
  basketorder: basketOrderRequestSchema.omit({ apikey: true }),
  splitorder: splitOrderRequestSchema.omit({ apikey: true }).superRefine(checkSplitOrderRequest),
  placegttorder: placeGttOrderRequestSchema.omit({ apikey: true }).superRefine(checkGttRequest),
  optionsorder: optionsOrderRequestSchema.omit({ apikey: true }),
  optionsmultiorder: optionsMultiOrderRequestSchema.omit({ apikey: true }),
};

function parse<Schema extends z.ZodType>(schema: Schema, data: unknown, mark: object): z.output<Schema> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.') || 'request').join(', ');
    throw ApiError.message(400, `The queued request is no longer valid (${fields})`, mark);
  }
  return result.data;
}

/**
 * Runs an approved Action Center order through the normal order path, in the mode in force at
 * approval (sandbox.md §15.4), as the owner's key in auto mode (an approved order is never
 * queued again). Answers what the API route would have answered.
 */
export function createPendingExecutor(options: PendingExecutionOptions): ExecutePendingOrder {
  const { service, modeSwitch } = options;
  return async ({ userId, apiType, orderData, requestId }): Promise<ExecutionOutcome> => {
    const mode = modeSwitch.decide();
    const mark = mode === 'analyze' ? { mode: 'analyze' as const } : {};
    const auth = await options.resolveAuth(userId);
    if (!auth) {
      return {
        statusCode: 403,
        body: {
          status: 'error',
          message: 'No active API key or broker session for the order owner',
          ...mark,
        },
        mode,
      };
    }
    const call: OrderCall = {
      auth: { ...auth, orderMode: 'auto' },
      mode,
      // The queuing call's id (a strategy alert's): the order log links the placement to it.
      requestId,
      receivedAt: performance.now(),
    };
    try {
      return await run(apiType, orderData, call, mark);
    } catch (error) {
      if (error instanceof ApiError) {
        return { statusCode: error.statusCode, body: { ...error.body }, mode };
      }
      if (OpenAlgoError.isInstance(error)) {
        const { status, message } = toHttpError(error);
        return { statusCode: status, body: { status: 'error', message, ...mark }, mode };
      }
      throw error;
    }
  };

  async function run(
    apiType: PendingOrderApiType,
    data: Record<string, unknown>,
    call: OrderCall,
    mark: { mode?: 'analyze' },
  ): Promise<ExecutionOutcome> {
    const mode = call.mode;
    const single = async (outcome: {
      ok: boolean;
      statusCode: number;
      body: object;
    }): Promise<ExecutionOutcome> => {
      const body = { ...outcome.body } as Record<string, unknown>;
      const orderid = typeof body.orderid === 'string' ? body.orderid : null;
      if (!outcome.ok || !orderid) {
        return { statusCode: outcome.statusCode, body, mode };
      }
      // Its status once, as OpenAlgo reads it after a single order (fallback `open`).
      const status = await fetchOrderStatus(service, call, { orderid }).catch(() => null);
      return {
        statusCode: outcome.statusCode,
        body,
        mode,
        ...(status ? { brokerStatus: status.order_status } : {}),
      };
    };
    switch (apiType) {
      case 'placeorder': {
        const { underlying_ltp: _ltp, ...input } = parse(schemas.placeorder, data, mark);
        return single(await service.placeOrder(call, input));
      }
      case 'smartorder':
        return single(await placeSmartOrder(service, call, parse(schemas.smartorder, data, mark)));
      case 'basketorder': {
        const results = await placeBasketOrder(service, call, parse(schemas.basketorder, data, mark));
        return { statusCode: 200, body: { status: 'success', results, ...mark }, mode };
      }
      case 'splitorder': {
        const split = await placeSplitOrder(service, call, parse(schemas.splitorder, data, mark));
        return {
          statusCode: 200,
          body: {
            status: 'success',
            total_quantity: split.totalQuantity,
            split_size: split.splitSize,
            results: split.results,
            ...mark,
          },
          mode,
        };
      }
      case 'placegttorder': {
        const body = await placeGttOrder(service, call, parse(schemas.placegttorder, data, mark));
        return { statusCode: 200, body: { ...body }, mode };
      }
      case 'optionsorder': {
        const input = parse(schemas.optionsorder, data, mark);
        const body = await placeOptionsOrder(service, options.options, call, input);
        return 'orderid' in body
          ? single({ ok: true, statusCode: 200, body })
          : { statusCode: 200, body, mode };
      }
      case 'optionsmultiorder': {
        const input = parse(schemas.optionsmultiorder, data, mark);
        const body = await placeOptionsMultiOrder(service, options.options, call, input);
        return { statusCode: 200, body: { ...body }, mode };
      }
      default:
        return {
          statusCode: 501,
          body: { status: 'error', message: `${apiType} is not served by this installation`, ...mark },
          mode,
        };
    }
  }
}
