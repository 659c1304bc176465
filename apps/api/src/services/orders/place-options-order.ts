import { OpenAlgoError, toHttpError } from '@openalgo/broker-sdk';
import {
  type Exchange,
  OFFSET_MESSAGE,
  type OptionsLeg,
  type OptionsLegResult,
  type OptionsMultiOrderRequest,
  type OptionsOrderRequest,
  type OptionType,
  type SplitOrderResult,
} from '@openalgo/shared-types';
import { ApiError } from '../../errors.js';
import { wireNumber } from '../market-data/market-data-service.js';
import type { OptionSymbolAnswer, OptionsService } from '../options/options-service.js';
import type { OrderCall, OrderInput, OrderService } from './order-service.js';
import { placeSplitOrder } from './place-split-order.js';

/**
 * Options orders (api-v1 §4.1.10–4.1.11): the option is resolved exactly like `/optionsymbol`
 * (listed strikes, or the legacy arithmetic interval), then placed through the ordinary order
 * path on the options exchange — so analyzer mode, the order log, the symbol checks and the
 * broker's refusals behave as for `/placeorder` and `/splitorder`.
 */

const OFFSET_PATTERN = /^(ATM|ITM([1-9]|[1-4][0-9]|50)|OTM([1-9]|[1-4][0-9]|50))$/;

type Mark = { mode?: 'analyze' };

const markOf = (call: OrderCall): Mark => (call.mode === 'analyze' ? { mode: 'analyze' } : {});

/** A resolution failure as an answer: API and broker errors keep their status, in this call's mode. */
function resolutionFailure(error: unknown, mark: Mark): ApiError {
  if (error instanceof ApiError) {
    return new ApiError(error.statusCode, { ...error.body, ...mark } as ApiError['body'], { cause: error });
  }
  if (OpenAlgoError.isInstance(error)) {
    const { status, message } = toHttpError(error);
    return ApiError.message(status, message, mark, { cause: error });
  }
  throw error;
}

interface Resolution {
  underlying: string;
  exchange: Exchange;
  expiry_date?: string | undefined;
  strike_int?: number | null | undefined;
  offset: string;
  option_type: OptionType;
}

/** The option an offset names, or the contract's error (400 for an offset outside ATM/ITMn/OTMn). */
async function resolveOption(
  options: OptionsService,
  call: OrderCall,
  request: Resolution,
  known?: { ltp: string },
): Promise<OptionSymbolAnswer> {
  const mark = markOf(call);
  if (!OFFSET_PATTERN.test(request.offset)) {
    throw ApiError.message(400, OFFSET_MESSAGE, mark);
  }
  try {
    return await options.optionSymbol(call.auth.session, request, known);
  } catch (error) {
    throw resolutionFailure(error, mark);
  }
}

type PricingInput = Pick<
  OrderInput,
  'action' | 'quantity' | 'pricetype' | 'product' | 'price' | 'trigger_price' | 'disclosed_quantity'
>;

function orderFor(strategy: string, option: OptionSymbolAnswer, pricing: PricingInput): OrderInput {
  return {
    strategy,
    exchange: option.exchange,
    symbol: option.symbol,
    action: pricing.action,
    quantity: pricing.quantity,
    pricetype: pricing.pricetype,
    product: pricing.product,
    price: pricing.price,
    trigger_price: pricing.trigger_price,
    disclosed_quantity: pricing.disclosed_quantity,
  };
}

export type OptionsOrderAnswer =
  | {
      status: 'success';
      orderid: string;
      symbol: string;
      exchange: string;
      underlying: string;
      underlying_ltp: number;
      offset: string;
      option_type: OptionType;
      mode?: 'analyze';
    }
  | {
      status: 'success';
      symbol: string;
      exchange: string;
      underlying: string;
      underlying_ltp: number;
      offset: string;
      option_type: OptionType;
      total_quantity: number;
      split_size: number;
      results: SplitOrderResult[];
      mode?: 'analyze';
    };

/** `POST /optionsorder`: one order (or a split) on the option the offset names. */
export async function placeOptionsOrder(
  orders: OrderService,
  options: OptionsService,
  call: OrderCall,
  input: Omit<OptionsOrderRequest, 'apikey'>,
): Promise<OptionsOrderAnswer> {
  const option = await resolveOption(options, call, input);
  const order = orderFor(input.strategy, option, input);
  const resolved = {
    symbol: option.symbol,
    exchange: option.exchange,
    underlying: input.underlying,
    underlying_ltp: option.underlying_ltp,
    offset: input.offset,
    option_type: input.option_type,
  };
  if (input.splitsize > 0) {
    const split = await placeSplitOrder(
      orders,
      call,
      { ...order, splitsize: input.splitsize },
      { operation: 'optionsorder' },
    );
    return {
      status: 'success',
      ...resolved,
      total_quantity: split.totalQuantity,
      split_size: split.splitSize,
      results: split.results,
      ...markOf(call),
    };
  }
  const outcome = await orders.placeOrder(call, order, { operation: 'optionsorder' });
  if (!outcome.ok) {
    throw new ApiError(outcome.statusCode, outcome.body);
  }
  return { status: 'success', orderid: outcome.orderId, ...resolved, ...markOf(call) };
}

const messageOf = (error: unknown): string => {
  if (error instanceof ApiError) {
    const message = error.body.message;
    return typeof message === 'string' ? message : JSON.stringify(message);
  }
  return error instanceof Error ? error.message : String(error);
};

/** One leg: resolved against the shared underlying price, placed (or split), never thrown. */
async function placeLeg(
  orders: OrderService,
  options: OptionsService,
  call: OrderCall,
  request: Omit<OptionsMultiOrderRequest, 'apikey' | 'legs'>,
  leg: OptionsLeg,
  number: number,
  ltp: string | undefined,
): Promise<OptionsLegResult> {
  const identity = { leg: number, offset: leg.offset, option_type: leg.option_type, action: leg.action };
  let option: OptionSymbolAnswer;
  try {
    option = await resolveOption(
      options,
      call,
      {
        underlying: request.underlying,
        exchange: request.exchange,
        expiry_date: leg.expiry_date ?? request.expiry_date,
        strike_int: request.strike_int,
        offset: leg.offset,
        option_type: leg.option_type,
      },
      ltp === undefined ? undefined : { ltp },
    );
  } catch (error) {
    if (!(error instanceof ApiError)) {
      throw error;
    }
    return { ...identity, status: 'error', message: messageOf(error) };
  }
  const order = orderFor(request.strategy, option, leg);
  const placed = {
    ...identity,
    symbol: option.symbol,
    exchange: option.exchange,
    product: leg.product,
    mode: call.mode,
  };
  if (leg.splitsize > 0) {
    let split: Awaited<ReturnType<typeof placeSplitOrder>>;
    try {
      split = await placeSplitOrder(
        orders,
        call,
        { ...order, splitsize: leg.splitsize },
        { operation: 'optionsmultiorder' },
      );
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      return { ...identity, status: 'error', message: messageOf(error) };
    }
    const firstFailure = split.results.find((child) => child.status === 'error');
    const anySucceeded = split.results.some((child) => child.status === 'success');
    return {
      ...placed,
      status: anySucceeded ? 'success' : 'error',
      total_quantity: split.totalQuantity,
      split_size: split.splitSize,
      split_results: split.results,
      ...(!anySucceeded && firstFailure?.status === 'error' ? { message: firstFailure.message } : {}),
    };
  }
  const outcome = await orders.place(call, order, { operation: 'optionsmultiorder' });
  return outcome.ok
    ? { ...placed, status: 'success', orderid: outcome.orderId }
    : { ...identity, status: 'error', message: outcome.body.message };
}

export interface OptionsMultiOrderAnswer {
  status: 'success';
  underlying: string;
  underlying_ltp: number | null;
  results: OptionsLegResult[];
  mode?: 'analyze';
}

/**
 * `POST /optionsmultiorder`: the underlying is quoted once for every leg; every BUY leg is
 * placed before any SELL leg (margin benefit), one after another; a failing leg does not stop
 * the others; results come sorted by leg number.
 */
export async function placeOptionsMultiOrder(
  orders: OrderService,
  options: OptionsService,
  call: OrderCall,
  input: Omit<OptionsMultiOrderRequest, 'apikey'>,
): Promise<OptionsMultiOrderAnswer> {
  const { legs, ...request } = input;
  let ltp: string | undefined;
  try {
    ltp = await options.underlyingLtp(call.auth.session, request.underlying, request.exchange);
  } catch (error) {
    if (!(error instanceof ApiError) && !OpenAlgoError.isInstance(error)) {
      throw error;
    }
    // Each leg then tries (and reports) the quote itself.
    ltp = undefined;
  }
  const numbered = legs.map((leg, index) => ({ leg, number: index + 1 }));
  const ordered = [
    ...numbered.filter((entry) => entry.leg.action === 'BUY'),
    ...numbered.filter((entry) => entry.leg.action === 'SELL'),
  ];
  const results: OptionsLegResult[] = [];
  for (const { leg, number } of ordered) {
    results.push(await placeLeg(orders, options, call, request, leg, number, ltp));
  }
  results.sort((left, right) => left.leg - right.leg);
  return {
    status: 'success',
    underlying: request.underlying,
    underlying_ltp: ltp === undefined ? null : wireNumber(ltp),
    results,
    ...markOf(call),
  };
}
