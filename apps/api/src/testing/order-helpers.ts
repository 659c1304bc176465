import { roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import type { TestApp } from './test-app.js';

/** Test helpers over a running api: prices from its broker, orders through its HTTP API. */

export async function adminCall(t: TestApp) {
  const admin = await t.app.services.accounts.findAdmin();
  const session = await t.app.services.brokerSessions.getActive(admin.id);
  return t.app.services.brokerGateway.call(session);
}

/** The live broker's last price of a symbol, as a decimal string. */
export async function lastPrice(t: TestApp, symbol: string, exchange = 'NSE'): Promise<string> {
  const instrument = t.app.services.symbols.resolve(symbol, exchange);
  if (!instrument) {
    throw new Error(`no ${exchange}:${symbol} in the symbol master`);
  }
  const { adapter, context } = await adminCall(t);
  const [quote] = await adapter.marketData.fetchQuotes([instrument], context);
  if (!quote?.ok) {
    throw new Error(`no quote for ${symbol}`);
  }
  return quote.quote.ltp;
}

/** A BUY limit price that rests (below the market, inside the circuit band). */
export async function restingBuyPrice(t: TestApp, symbol: string, exchange = 'NSE'): Promise<string> {
  const instrument = t.app.services.symbols.resolve(symbol, exchange);
  const ltp = toDecimal(await lastPrice(t, symbol, exchange));
  return roundToTick(ltp.mul('0.95'), instrument?.tickSize ?? '0.05', 'down').toString();
}

export async function placeOrder(
  t: TestApp,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return t.post(
    '/api/v1/placeorder',
    { apikey: t.apiKey, strategy: 'test', exchange: 'NSE', product: 'MIS', ...body },
    headers,
  );
}

/** Places a resting LIMIT BUY and returns its order id. */
export async function placeRestingOrder(t: TestApp, symbol = 'SBIN', quantity = 1): Promise<string> {
  const response = await placeOrder(t, {
    symbol,
    action: 'BUY',
    quantity,
    pricetype: 'LIMIT',
    price: await restingBuyPrice(t, symbol),
  });
  const orderid = (response.json as { orderid?: string }).orderid;
  if (response.status !== 200 || !orderid) {
    throw new Error(`resting order not placed: ${response.text}`);
  }
  return orderid;
}

export async function openQuantity(
  t: TestApp,
  symbol: string,
  product = 'MIS',
  exchange = 'NSE',
): Promise<number> {
  const response = await t.post('/api/v1/openposition', {
    apikey: t.apiKey,
    strategy: 'test',
    symbol,
    exchange,
    product,
  });
  return Number((response.json as { quantity: number | string }).quantity);
}

export interface BookOrder {
  orderid: string;
  symbol: string;
  action: string;
  quantity: number;
  order_status: string;
  pricetype: string;
  price: number;
}

export async function orderBook(t: TestApp): Promise<BookOrder[]> {
  const response = await t.post('/api/v1/orderbook', { apikey: t.apiKey });
  return (response.json as { data: { orders: BookOrder[] } }).data.orders;
}

/**
 * A long-only TradingView strategy of the admin, made through the strategy service, with one
 * NSE SBIN CNC mapping of `quantity`; its id and webhook path.
 */
export async function sbinStrategy(
  t: TestApp,
  name: string,
  quantity: number,
): Promise<{ userId: number; strategyId: number; url: string }> {
  const service = t.app.services.strategies;
  const userId = (await t.app.services.accounts.findAdmin()).id;
  const strategy = await service.create(userId, {
    name,
    platform: 'tradingview',
    is_intraday: false,
    trading_mode: 'LONG',
    is_active: true,
  });
  await service.addSymbols(userId, strategy.id, [
    { symbol: 'SBIN', exchange: 'NSE', quantity, product: 'CNC' },
  ]);
  return { userId, strategyId: strategy.id, url: `/strategy/webhook/${strategy.webhook_id}` };
}
