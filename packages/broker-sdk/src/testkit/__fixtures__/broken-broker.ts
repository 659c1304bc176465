import { BrokerError, BrokerUnavailableError, RequestTimeoutError } from '../../errors.js';
import type { BrokerAdapterV1 } from '../../v1/adapter.js';
import { MockBroker } from '../mock-broker.js';

/**
 * A deliberately broken adapter: the mock broker with the mistakes real adapters make. The
 * conformance suite must fail on each of them with a message that names the mistake.
 *
 * 1. Order book rows whose filled + pending quantities do not add up to the quantity.
 * 2. Quotes with the price as a JSON number instead of decimal text.
 * 3. Depth with the best bid above the best ask.
 * 4. GTT declared `false`, yet the methods quietly answer (a stub instead of NotSupportedError).
 * 5. A persistent 5xx reported as a generic BrokerError instead of BrokerUnavailableError.
 * 6. A timed-out order placement that does not say it may have reached the broker.
 */
export function createBrokenBroker(): { broker: BrokerAdapterV1; mock: MockBroker } {
  const mock = new MockBroker();
  const broker: BrokerAdapterV1 = {
    ...mock,
    specificationVersion: mock.specificationVersion,
    id: 'broken',
    family: mock.family,
    displayName: 'Broken broker',
    brokerType: mock.brokerType,
    exchanges: mock.exchanges,
    limits: mock.limits,
    capabilities: { ...mock.capabilities, gtt: false },
    auth: mock.auth,
    portfolio: mock.portfolio,
    instruments: mock.instruments,
    streams: mock.streams,
    margin: mock.margin,
    gtt: mock.gtt,
    orders: {
      ...mock.orders,
      placeOrder: async (request, context) => {
        try {
          return await mock.orders.placeOrder(request, context);
        } catch (error) {
          if (RequestTimeoutError.isInstance(error)) {
            throw new RequestTimeoutError(error.message);
          }
          throw error;
        }
      },
      fetchOrders: async (context) => {
        try {
          const orders = await mock.orders.fetchOrders(context);
          return orders.map((order) =>
            order.status === 'open' ? { ...order, pendingQuantity: order.pendingQuantity + 1 } : order,
          );
        } catch (error) {
          if (BrokerUnavailableError.isInstance(error)) {
            throw new BrokerError(error.message);
          }
          throw error;
        }
      },
    },
    marketData: {
      ...mock.marketData,
      intervals: mock.marketData.intervals,
      fetchQuotes: async (instruments, context) =>
        (await mock.marketData.fetchQuotes(instruments, context)).map((result) =>
          result.ok
            ? { ...result, quote: { ...result.quote, ltp: Number(result.quote.ltp) as unknown as string } }
            : result,
        ),
      fetchDepth: async (instrument, levels, context) => {
        const depth = await mock.marketData.fetchDepth(instrument, levels, context);
        return { ...depth, bids: depth.asks.slice().reverse(), asks: depth.bids.slice().reverse() };
      },
    },
  };
  return { broker, mock };
}
