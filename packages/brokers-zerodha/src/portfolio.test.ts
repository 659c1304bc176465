import type { OrderRequest } from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';

const NOW = Date.parse('2026-11-24T04:00:00.000Z');

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ fake: { now: () => NOW } });
});

afterAll(async () => {
  await harness.close();
});

function market(
  symbol: string,
  action: 'BUY' | 'SELL',
  quantity: number,
  product: OrderRequest['product'],
): OrderRequest {
  return {
    instrument: harness.instrument(symbol, 'NSE'),
    action,
    quantity,
    product,
    priceType: 'MARKET',
    price: '0',
    triggerPrice: '0',
    disclosedQuantity: 0,
    validity: 'DAY',
    clientOrderId: `${action}${symbol}`.slice(0, 20),
  };
}

describe('positions, holdings and funds', () => {
  it('maps net positions with realised and unrealised P&L as decimals', async () => {
    harness.fake.control.setPrice('NSE', 'SBIN', '800');
    await harness.broker.orders.placeOrder(market('SBIN', 'BUY', 10, 'MIS'), harness.context);
    harness.fake.control.setPrice('NSE', 'SBIN', '810.5');
    await harness.broker.orders.placeOrder(market('SBIN', 'SELL', 4, 'MIS'), harness.context);
    harness.fake.control.setPrice('NSE', 'SBIN', '805.25');
    harness.fake.control.clearRequests();
    const positions = await harness.broker.portfolio.fetchPositions(harness.context);
    const request = harness.fake.requests[0];
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/portfolio/positions');
    expect(request?.headers.authorization).toBe(
      `token ${harness.fake.apiKey}:${harness.session.accessToken}`,
    );
    expect(positions).toHaveLength(1);
    expect({ ...positions[0], raw: undefined }).toEqual({
      symbol: 'SBIN',
      exchange: 'NSE',
      product: 'MIS',
      quantity: 6,
      averagePrice: '800',
      ltp: '805.25',
      realizedPnl: '42',
      unrealizedPnl: '31.5',
      pnl: '73.5',
      buyQuantity: 10,
      sellQuantity: 4,
      buyValue: '8000',
      sellValue: '3242',
      raw: undefined,
    });
  });

  it('maps holdings, counting T1 shares and computing P&L percent with decimals', async () => {
    harness.fake.control.addHolding('NSE', 'INFY', 10, '1400.5', 5);
    harness.fake.control.setPrice('NSE', 'INFY', '1500');
    const holdings = await harness.broker.portfolio.fetchHoldings(harness.context);
    expect(holdings.map((holding) => ({ ...holding, raw: undefined }))).toEqual([
      {
        symbol: 'INFY',
        exchange: 'NSE',
        product: 'CNC',
        quantity: 15,
        averagePrice: '1400.5',
        ltp: '1500',
        pnl: '1492.5',
        pnlPercent: '7.1',
        raw: undefined,
      },
    ]);
  });

  it('reads funds from the margins of both segments and m2m from the positions', async () => {
    harness.fake.control.clearRequests();
    const funds = await harness.broker.portfolio.fetchFunds(harness.context);
    expect(harness.fake.requests.map((request) => `${request.method} ${request.path}`).sort()).toEqual([
      'GET /portfolio/positions',
      'GET /user/margins',
    ]);
    // 6 SBIN open MIS at 805.25 block 20 % = 966.3; opening 1,000,000; realised 42.
    expect({ ...funds, raw: undefined }).toEqual({
      availableCash: '999075.7',
      collateral: '0',
      utilisedDebits: '966.3',
      m2mRealized: '42',
      m2mUnrealized: '31.5',
      raw: undefined,
    });
  });
});
