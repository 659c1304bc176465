import { BrokerError } from '@openalgo/broker-sdk';
import type {
  Exchange,
  GttLeg,
  GttOrderBookRow,
  GttOrderResponse,
  GttRequest,
  Product,
  ResolvedInstrument,
} from '@openalgo/shared-types';
import { ApiError, RequestValidationError } from '../../errors.js';
import { parseIstDateTime } from '../../time.js';
import { callBroker } from './broker-call.js';
import { checkProduct, checkQuantity, ORDER_CHECK_MESSAGES } from './instrument-checks.js';
import type { OrderCall, OrderService } from './order-service.js';
import type { OrderTarget } from './order-target.js';
import { toGttRow } from './wire-format.js';

/**
 * GTT (api-v1 §4.1.9): the flat request becomes one trigger leg (SINGLE) or two (OCO, stop-loss
 * leg first); the current price comes from the live broker's quote, never from the client.
 */

export interface GttInput {
  strategy: string;
  trigger_type: string;
  exchange: Exchange;
  symbol: string;
  action: 'BUY' | 'SELL';
  product: 'NRML' | 'CNC';
  quantity: number;
  pricetype: 'LIMIT' | 'MARKET';
  price: string;
  triggerprice_sl: string;
  triggerprice_tg: string;
  stoploss?: string | null | undefined;
  target?: string | null | undefined;
  expires_at?: string | null | undefined;
}

const markOf = (call: OrderCall) => (call.mode === 'analyze' ? ({ mode: 'analyze' } as const) : {});

function requireGtt(target: OrderTarget): void {
  if (target.capabilities.gtt === false) {
    throw ApiError.message(501, `GTT orders are not supported for broker '${target.broker}' yet`);
  }
}

/** The trigger legs of a validated request (the schema's `checkGttRequest` already passed). */
export function gttLegsOf(input: GttInput): { triggerType: 'single' | 'two-leg'; legs: GttLeg[] } {
  const leg = (triggerPrice: string, price: string): GttLeg => ({
    triggerPrice,
    price: input.pricetype === 'MARKET' ? '0' : price,
    quantity: input.quantity,
    action: input.action,
    priceType: input.pricetype,
    product: input.product as Product,
  });
  if (input.trigger_type.toUpperCase() === 'OCO') {
    return {
      triggerType: 'two-leg',
      legs: [
        leg(input.triggerprice_sl, input.stoploss ?? '0'),
        leg(input.triggerprice_tg, input.target ?? '0'),
      ],
    };
  }
  const trigger = input.triggerprice_sl !== '0' ? input.triggerprice_sl : input.triggerprice_tg;
  return { triggerType: 'single', legs: [leg(trigger, input.price)] };
}

async function buildGttRequest(service: OrderService, call: OrderCall, input: GttInput): Promise<GttRequest> {
  const instrument = service.symbols.resolve(input.symbol, input.exchange);
  if (!instrument) {
    throw ApiError.message(
      400,
      ORDER_CHECK_MESSAGES.symbolNotFound(input.symbol, input.exchange),
      markOf(call),
    );
  }
  checkProduct(input.exchange, input.product, input.symbol);
  checkQuantity(instrument, input.quantity);
  let expiresAt: number | undefined;
  if (input.expires_at) {
    const parsed = parseIstDateTime(input.expires_at);
    if (parsed === null) {
      throw new RequestValidationError(
        [{ code: 'custom', path: ['expires_at'], message: 'Not a valid datetime.', input: input.expires_at }],
        'body',
      );
    }
    expiresAt = parsed;
  }
  const { triggerType, legs } = gttLegsOf(input);
  return {
    instrument,
    triggerType,
    lastPrice: await lastPriceOf(service, call, instrument),
    legs,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

async function lastPriceOf(
  service: OrderService,
  call: OrderCall,
  instrument: ResolvedInstrument,
): Promise<string> {
  const live = service.options.modeSwitch.live(call.auth);
  const [quote] = await callBroker(
    live.context,
    { operation: 'fetchQuotes', timeoutMs: service.settings.readTimeoutMs },
    (context) => live.adapter.marketData.fetchQuotes([instrument], context),
  );
  if (!quote?.ok) {
    throw quote?.error ?? new BrokerError(`No quote for ${instrument.symbol}`);
  }
  return quote.quote.ltp;
}

export async function placeGttOrder(
  service: OrderService,
  call: OrderCall,
  input: GttInput,
): Promise<GttOrderResponse> {
  const target = service.target(call);
  requireGtt(target);
  const request = await buildGttRequest(service, call, input);
  const { triggerId } = await service.write(
    call,
    target,
    {
      operation: 'placegttorder',
      strategy: input.strategy,
      exchange: input.exchange,
      symbol: input.symbol,
      request: { ...input },
    },
    (context) => target.gtt.placeGtt(request, context),
    (result) => ({
      brokerOrderId: result.triggerId,
      body: { status: 'success', trigger_id: result.triggerId },
    }),
  );
  return { status: 'success', trigger_id: triggerId, ...markOf(call) };
}

export async function modifyGttOrder(
  service: OrderService,
  call: OrderCall,
  input: GttInput & { trigger_id: string },
): Promise<GttOrderResponse> {
  const target = service.target(call);
  requireGtt(target);
  const request = await buildGttRequest(service, call, input);
  const { triggerId } = await service.write(
    call,
    target,
    {
      operation: 'modifygttorder',
      strategy: input.strategy,
      exchange: input.exchange,
      symbol: input.symbol,
      request: { ...input },
      brokerOrderId: input.trigger_id,
    },
    (context) => target.gtt.modifyGtt(input.trigger_id, request, context),
    (result) => ({
      brokerOrderId: result.triggerId,
      body: { status: 'success', trigger_id: result.triggerId },
    }),
  );
  return { status: 'success', trigger_id: triggerId || input.trigger_id, ...markOf(call) };
}

export async function cancelGttOrder(
  service: OrderService,
  call: OrderCall,
  input: { strategy: string; trigger_id: string },
): Promise<GttOrderResponse> {
  if (input.trigger_id.trim() === '') {
    throw ApiError.message(400, 'trigger_id is missing', markOf(call));
  }
  const target = service.target(call);
  requireGtt(target);
  await service.write(
    call,
    target,
    {
      operation: 'cancelgttorder',
      strategy: input.strategy,
      request: { ...input },
      brokerOrderId: input.trigger_id,
    },
    (context) => target.gtt.cancelGtt(input.trigger_id, context),
    (result) => ({
      brokerOrderId: result.triggerId,
      body: { status: 'success', trigger_id: result.triggerId },
    }),
  );
  return { status: 'success', trigger_id: input.trigger_id, ...markOf(call) };
}

/** Active triggers only, one broker call. */
export async function fetchGttOrderBook(service: OrderService, call: OrderCall): Promise<GttOrderBookRow[]> {
  const target = service.target(call);
  requireGtt(target);
  const gtts = await service.read(target, 'fetchGtts', (context) => target.gtt.fetchGtts(context));
  return gtts.filter((gtt) => gtt.status === 'active').map((gtt) => toGttRow(gtt, target.mode));
}
