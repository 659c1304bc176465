import type { BrokerGateway } from '../broker-gateway.js';
import type { BrokerSessionService } from '../broker-sessions.js';
import type { TelegramAccountViews } from './format.js';

/**
 * The bot's read-only views, straight from the connected broker for the linked user's session
 * (the same data as the REST books), and the analyzer switch's current mode.
 */
export function createTelegramAccountViews(options: {
  gateway: BrokerGateway;
  sessions: BrokerSessionService;
  /** The analyzer switch as the bot reports it. */
  mode: () => 'live' | 'analyze';
}): TelegramAccountViews {
  const call = async (userId: number) => options.gateway.call(await options.sessions.getActive(userId));
  return {
    mode: async () => options.mode(),
    orderBook: async (userId) => {
      const { adapter, context } = await call(userId);
      return (await adapter.orders.fetchOrders(context)).map((order) => ({
        orderid: order.orderId,
        symbol: order.symbol,
        exchange: order.exchange,
        action: order.action,
        quantity: order.quantity,
        price: order.price,
        pricetype: order.priceType,
        product: order.product,
        order_status: order.status,
      }));
    },
    tradeBook: async (userId) => {
      const { adapter, context } = await call(userId);
      return (await adapter.orders.fetchTrades(context)).map((trade) => ({
        orderid: trade.orderId,
        symbol: trade.symbol,
        exchange: trade.exchange,
        action: trade.action,
        quantity: trade.quantity,
        average_price: trade.price,
        product: trade.product,
      }));
    },
    positions: async (userId) => {
      const { adapter, context } = await call(userId);
      return (await adapter.portfolio.fetchPositions(context)).map((position) => ({
        symbol: position.symbol,
        exchange: position.exchange,
        product: position.product,
        quantity: position.quantity,
        average_price: position.averagePrice,
        ltp: position.ltp,
        pnl: position.pnl,
      }));
    },
    holdings: async (userId) => {
      const { adapter, context } = await call(userId);
      return (await adapter.portfolio.fetchHoldings(context)).map((holding) => ({
        symbol: holding.symbol,
        exchange: holding.exchange,
        quantity: holding.quantity,
        pnl: holding.pnl ?? '0',
      }));
    },
    funds: async (userId) => {
      const { adapter, context } = await call(userId);
      const funds = await adapter.portfolio.fetchFunds(context);
      return {
        availablecash: funds.availableCash,
        collateral: funds.collateral,
        m2mrealized: funds.m2mRealized,
        m2munrealized: funds.m2mUnrealized,
        utiliseddebits: funds.utilisedDebits,
      };
    },
  };
}
