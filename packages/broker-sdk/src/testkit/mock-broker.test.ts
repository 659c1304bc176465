import { describe, expect, it } from 'vitest';
import { InsufficientFundsError, NotSupportedError, TokenExpiredError } from '../errors.js';
import type { BrokerContext } from '../v1/adapter.js';
import { MockBroker } from './mock-broker.js';

const SBIN = {
  symbol: 'SBIN',
  exchange: 'NSE' as const,
  brSymbol: 'SBIN-EQ',
  brExchange: 'NSE',
  token: '3045',
  name: 'STATE BANK OF INDIA',
  lotSize: 1,
  tickSize: '0.05',
  instrumentType: 'EQ' as const,
};

function setup(options: ConstructorParameters<typeof MockBroker>[0] = {}) {
  const broker = new MockBroker(options);
  const context: BrokerContext = {
    session: broker.createSession(),
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child() {
        return this;
      },
    },
    now: Date.now,
    resolveBrokerInstrument: () => undefined,
  };
  const limit = (price: string, quantity = 1) => ({
    instrument: SBIN,
    action: 'BUY' as const,
    quantity,
    product: 'MIS' as const,
    priceType: 'LIMIT' as const,
    price,
    triggerPrice: '0',
    disclosedQuantity: 0,
    validity: 'DAY' as const,
    clientOrderId: 'c1',
  });
  return { broker, context, limit };
}

describe('MockBroker', () => {
  it('records every call with its arguments, in order', async () => {
    const { broker, context, limit } = setup();
    const request = limit('700');
    await broker.orders.placeOrder(request, context);
    await broker.portfolio.fetchFunds(context);
    expect(broker.calls.map((call) => call.method)).toEqual(['orders.placeOrder', 'portfolio.fetchFunds']);
    expect(broker.callsOf('orders.placeOrder')[0]?.args[0]).toBe(request);
  });

  it('rests and fills orders against its price, and positions follow the trades', async () => {
    const { broker, context, limit } = setup();
    const { orderId } = await broker.orders.placeOrder(limit('790', 3), context);
    expect(await broker.orders.fetchOrder({ orderId }, context)).toMatchObject({
      status: 'open',
      pendingQuantity: 3,
    });
    broker.setPrice('NSE', 'SBIN', '789.5');
    expect(await broker.orders.fetchOrder({ orderId }, context)).toMatchObject({
      status: 'complete',
      filledQuantity: 3,
      pendingQuantity: 0,
      averagePrice: '790',
    });
    expect(await broker.portfolio.fetchPositions(context)).toEqual([
      expect.objectContaining({
        symbol: 'SBIN',
        quantity: 3,
        averagePrice: '790',
        ltp: '789.5',
        unrealizedPnl: '-1.5',
      }),
    ]);
  });

  it('lets a test replace a method or fail its next call', async () => {
    const { broker, context, limit } = setup();
    broker.respond('orders.placeOrder', async () => ({ orderId: 'scripted', raw: {} }));
    expect(await broker.orders.placeOrder(limit('700'), context)).toEqual({ orderId: 'scripted', raw: {} });
    broker.failNext('fetchFunds', new InsufficientFundsError('scripted refusal'));
    await expect(broker.portfolio.fetchFunds(context)).rejects.toThrow('scripted refusal');
    await expect(broker.portfolio.fetchFunds(context)).resolves.toMatchObject({ availableCash: '1000000' });
  });

  it('throws NotSupportedError for every capability set to false', async () => {
    const { broker, context, limit } = setup({
      capabilities: { gtt: false, iocValidity: false, streamMarketData: false },
    });
    await expect(broker.gtt.fetchGtts(context)).rejects.toSatisfy((error) =>
      NotSupportedError.isInstance(error),
    );
    await expect(broker.orders.placeOrder({ ...limit('700'), validity: 'IOC' }, context)).rejects.toSatisfy(
      (error) => NotSupportedError.isInstance(error),
    );
    expect(broker.streams.marketData).toBeUndefined();
    // The refused calls are still recorded.
    expect(broker.callsOf('gtt.fetchGtts')).toHaveLength(1);
  });

  it('expires sessions and delivers scripted ticks to subscribers only', async () => {
    const { broker, context } = setup();
    const stream = broker.streams.marketData?.create(context);
    const ticks: string[] = [];
    stream?.onTick((tick) => ticks.push(`${tick.symbol}@${tick.ltp}`));
    await stream?.connect();
    stream?.subscribe([{ instrument: SBIN, mode: 'ltp' }]);
    broker.emitTick({ symbol: 'SBIN', exchange: 'NSE', mode: 'ltp', ltp: 801, timestamp: 1 });
    broker.emitTick({ symbol: 'INFY', exchange: 'NSE', mode: 'ltp', ltp: 1, timestamp: 1 });
    expect(ticks).toEqual(['SBIN@801']);
    await stream?.close();
    await broker.control.expireSessions();
    await expect(broker.orders.fetchOrders(context)).rejects.toSatisfy((error) =>
      TokenExpiredError.isInstance(error),
    );
  });
});
