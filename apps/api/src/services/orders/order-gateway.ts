import { API_MESSAGES } from '@openalgo/shared-types';
import { ApiError } from '../../errors.js';
import type { RequestAuth } from '../../plugins/auth.js';
import type { GatewayOrder, GatewayResult, OrderGateway } from '../strategies/strategy-service.js';
import type { OrderCall, OrderService } from './order-service.js';
import type { ModeSwitch } from './order-target.js';
import { placeSmartOrder } from './place-smart-order.js';
import { queueInSemiAuto } from './semi-auto.js';

export interface CoreOrderGatewayOptions {
  service: OrderService;
  modeSwitch: ModeSwitch;
  /** The user's API-key identity and live broker session, or null when either is missing. */
  resolveAuth: (userId: number) => Promise<RequestAuth | null>;
}

/**
 * The order path as the strategy engine (webhooks, square-off) uses it: the same service as
 * `/api/v1`, so analyzer mode, semi-auto queueing, the order log and reconciliation apply.
 * Strategy orders are MARKET orders.
 */
export class CoreOrderGateway implements OrderGateway {
  readonly #options: CoreOrderGatewayOptions;

  constructor(options: CoreOrderGatewayOptions) {
    this.#options = options;
  }

  async #call(order: GatewayOrder): Promise<OrderCall | null> {
    const auth = await this.#options.resolveAuth(order.userId);
    if (!auth?.session) {
      return null;
    }
    // The alert id is the order's request id in the order log: alert recovery finds it there.
    return {
      auth,
      mode: this.#options.modeSwitch.decide(),
      requestId: order.alertId,
      receivedAt: performance.now(),
    };
  }

  #input(order: GatewayOrder) {
    return {
      strategy: order.strategy,
      exchange: order.exchange,
      symbol: order.symbol,
      action: order.action,
      quantity: order.quantity,
      pricetype: 'MARKET' as const,
      product: order.product,
      price: '0',
      trigger_price: '0',
      disclosed_quantity: 0,
    };
  }

  async #queued(call: OrderCall, apiType: 'placeorder' | 'smartorder', request: Record<string, unknown>) {
    try {
      return await queueInSemiAuto(this.#options.service.queue, call, apiType, request);
    } catch (error) {
      if (error instanceof ApiError) {
        return { status: 'error' as const, message: error.message };
      }
      throw error;
    }
  }

  async placeOrder(order: GatewayOrder): Promise<GatewayResult> {
    const call = await this.#call(order);
    if (!call) {
      return { status: 'error', message: API_MESSAGES.invalidApiKey };
    }
    const input = this.#input(order);
    const queued = await this.#queued(call, 'placeorder', input);
    if (queued) {
      return queued;
    }
    const outcome = await this.#options.service.placeOrder(call, input);
    return outcome.ok ? outcome.body : { status: 'error', message: outcome.body.message };
  }

  async placeSmartOrder(order: GatewayOrder & { positionSize: number }): Promise<GatewayResult> {
    const call = await this.#call(order);
    if (!call) {
      return { status: 'error', message: API_MESSAGES.invalidApiKey };
    }
    const input = { ...this.#input(order), position_size: order.positionSize };
    const queued = await this.#queued(call, 'smartorder', input);
    if (queued) {
      return queued;
    }
    const outcome = await placeSmartOrder(this.#options.service, call, input);
    return outcome.ok ? outcome.body : { status: 'error', message: outcome.body.message };
  }
}
