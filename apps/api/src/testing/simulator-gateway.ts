import type { BrokerContext } from '@openalgo/broker-sdk';
import { createSimulatorBroker, type SimulatorBroker } from '@openalgo/brokers-simulator';
import pino from 'pino';
import type { GatewayOrder, GatewayResult, OrderGateway } from '../services/strategies/strategy-service.js';

/**
 * An order gateway straight onto the simulator adapter, for tests of components that sit in
 * front of the order path (webhooks, bots). It places real simulated orders; smart orders
 * move the position to the target as the order service does.
 */
export class SimulatorGateway implements OrderGateway {
  readonly broker: SimulatorBroker;
  readonly placed: GatewayOrder[] = [];
  #context: BrokerContext | null = null;

  constructor(now: () => number) {
    this.broker = createSimulatorBroker({ seed: 5, now, alwaysOpen: true });
  }

  async context(): Promise<BrokerContext> {
    this.#context ??= {
      session: await this.broker.auth.completeLogin(
        {},
        { redirectUrl: '', state: '', logger: pino({ level: 'silent' }), now: Date.now },
      ),
      logger: pino({ level: 'silent' }),
      now: Date.now,
      resolveBrokerInstrument: () => undefined,
    };
    return this.#context;
  }

  async placeOrder(order: GatewayOrder): Promise<GatewayResult> {
    const instrument = this.broker.exchange.findInstrument(order.symbol, order.exchange);
    if (!instrument) {
      return { status: 'error', message: `Symbol ${order.symbol} not found` };
    }
    this.placed.push(order);
    const placed = this.broker.exchange.placeOrder({
      instrument,
      action: order.action,
      product: order.product,
      priceType: 'MARKET',
      quantity: order.quantity,
      pricePips: 0,
      triggerPips: 0,
      clientOrderId: order.strategy.slice(0, 20),
    });
    return { status: 'success', orderid: placed.orderId, mode: 'analyze' };
  }

  async placeSmartOrder(order: GatewayOrder & { positionSize: number }): Promise<GatewayResult> {
    const positions = await this.broker.portfolio.fetchPositions(await this.context());
    const current =
      positions.find(
        (position) =>
          position.symbol === order.symbol &&
          position.exchange === order.exchange &&
          position.product === order.product,
      )?.quantity ?? 0;
    const delta = order.positionSize - current;
    if (delta === 0) {
      return { status: 'success', message: 'Positions Already Matched. No Action needed.' };
    }
    return this.placeOrder({ ...order, action: delta > 0 ? 'BUY' : 'SELL', quantity: Math.abs(delta) });
  }

  async netQuantity(symbol: string, exchange: string, product: string): Promise<number> {
    const positions = await this.broker.portfolio.fetchPositions(await this.context());
    return (
      positions.find(
        (position) =>
          position.symbol === symbol && position.exchange === exchange && position.product === product,
      )?.quantity ?? 0
    );
  }
}
