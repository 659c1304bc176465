import {
  BrokerUnavailableError,
  InvalidOrderError,
  OrderNotFoundError,
  RateLimitError,
  RequestTimeoutError,
} from '@openalgo/broker-sdk';
import type { OrderRequest } from '@openalgo/shared-types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from './fake-server/index.js';
import { type Harness, startHarness } from './testing/harness.js';

/** 2026-11-24 09:30:00 IST, a Tuesday: a fixed clock makes order ids and timestamps exact. */
const NOW = Date.parse('2026-11-24T04:00:00.000Z');

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ fake: { now: () => NOW } });
});

afterAll(async () => {
  await harness.close();
});

beforeEach(() => {
  harness.fake.control.clearFaults();
  harness.fake.control.clearRequests();
});

function order(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    instrument: harness.instrument('SBIN', 'NSE'),
    action: 'BUY',
    quantity: 10,
    product: 'MIS',
    priceType: 'LIMIT',
    price: '500',
    triggerPrice: '0',
    disclosedQuantity: 0,
    validity: 'DAY',
    clientOrderId: 'ord1',
    ...overrides,
  };
}

function only(method: string, path: string): RecordedRequest {
  const matching = harness.fake.requests.filter(
    (request) => request.method === method && request.path === path,
  );
  expect(matching).toHaveLength(1);
  return matching[0] as RecordedRequest;
}

function expectKiteHeaders(request: RecordedRequest, contentType?: string): void {
  expect(request.headers['x-kite-version']).toBe('3');
  expect(request.headers.authorization).toBe(`token ${harness.fake.apiKey}:${harness.session.accessToken}`);
  expect(request.headers['user-agent']).toBe('openalgo-ts-zerodha/0.1.0');
  if (contentType) {
    expect(request.headers['content-type']).toBe(contentType);
  }
}

describe('placing orders', () => {
  it('sends a regular LIMIT order exactly as Kite documents it and reads it back', async () => {
    harness.fake.control.setPrice('NSE', 'SBIN', '510');
    const ack = await harness.broker.orders.placeOrder(order(), harness.context);
    const request = only('POST', '/orders/regular');
    expectKiteHeaders(request, 'application/x-www-form-urlencoded');
    expect(request.form).toEqual([
      ['tradingsymbol', 'SBIN'],
      ['exchange', 'NSE'],
      ['transaction_type', 'BUY'],
      ['order_type', 'LIMIT'],
      ['quantity', '10'],
      ['product', 'MIS'],
      ['validity', 'DAY'],
      ['price', '500'],
      ['tag', 'ord1'],
    ]);
    expect(ack.orderId).toMatch(/^261124\d{9}$/);
    const placed = await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context);
    expect({ ...placed, raw: undefined }).toEqual({
      orderId: ack.orderId,
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 10,
      filledQuantity: 0,
      pendingQuantity: 10,
      price: '500',
      triggerPrice: '0',
      averagePrice: '0',
      priceType: 'LIMIT',
      product: 'MIS',
      status: 'open',
      variety: 'regular',
      clientOrderId: 'ord1',
      placedAt: NOW,
      updatedAt: NOW,
      raw: undefined,
    });
  });

  it('sends MARKET orders with automatic market protection; they fill at the last price', async () => {
    harness.fake.control.setPrice('NSE', 'INFY', '1424.05');
    const ack = await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('INFY', 'NSE'),
        priceType: 'MARKET',
        price: '0',
        product: 'CNC',
        clientOrderId: 'mkt1',
      }),
      harness.context,
    );
    expect(only('POST', '/orders/regular').form).toEqual([
      ['tradingsymbol', 'INFY'],
      ['exchange', 'NSE'],
      ['transaction_type', 'BUY'],
      ['order_type', 'MARKET'],
      ['quantity', '10'],
      ['product', 'CNC'],
      ['validity', 'DAY'],
      ['market_protection', '-1'],
      ['tag', 'mkt1'],
    ]);
    const filled = await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context);
    expect(filled).toMatchObject({
      status: 'complete',
      filledQuantity: 10,
      pendingQuantity: 0,
      averagePrice: '1424.05',
      price: '0',
      priceType: 'MARKET',
    });
  });

  it('rests an SL-M order as trigger pending until the price crosses its trigger', async () => {
    harness.fake.control.setPrice('NSE', 'TCS', '4000');
    const ack = await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('TCS', 'NSE'),
        action: 'SELL',
        priceType: 'SL-M',
        price: '0',
        triggerPrice: '3950',
        quantity: 2,
        clientOrderId: 'slm1',
        brokerOptions: { marketProtection: 2 },
      }),
      harness.context,
    );
    expect(only('POST', '/orders/regular').form).toEqual([
      ['tradingsymbol', 'TCS'],
      ['exchange', 'NSE'],
      ['transaction_type', 'SELL'],
      ['order_type', 'SL-M'],
      ['quantity', '2'],
      ['product', 'MIS'],
      ['validity', 'DAY'],
      ['trigger_price', '3950'],
      ['market_protection', '2'],
      ['tag', 'slm1'],
    ]);
    expect((await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context)).status).toBe(
      'trigger pending',
    );
    harness.fake.control.setPrice('NSE', 'TCS', '3949.5');
    expect(await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context)).toMatchObject({
      status: 'complete',
      averagePrice: '3949.5',
      triggerPrice: '3950',
    });
  });

  it('places an SL order with both prices and a disclosed quantity', async () => {
    harness.fake.control.setPrice('NSE', 'ITC', '450');
    await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('ITC', 'NSE'),
        priceType: 'SL',
        price: '461',
        triggerPrice: '460.5',
        quantity: 100,
        disclosedQuantity: 20,
        validity: 'IOC',
      }),
      harness.context,
    );
    expect(only('POST', '/orders/regular').form).toEqual([
      ['tradingsymbol', 'ITC'],
      ['exchange', 'NSE'],
      ['transaction_type', 'BUY'],
      ['order_type', 'SL'],
      ['quantity', '100'],
      ['product', 'MIS'],
      ['validity', 'IOC'],
      ['price', '461'],
      ['trigger_price', '460.5'],
      ['disclosed_quantity', '20'],
      ['tag', 'ord1'],
    ]);
  });

  it('routes after-market orders to the amo variety', async () => {
    const ack = await harness.broker.orders.placeOrder(
      order({ amo: true, clientOrderId: 'amo1' }),
      harness.context,
    );
    only('POST', '/orders/amo');
    const placed = await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context);
    expect(placed).toMatchObject({ status: 'open', variety: 'amo' });
    expect((placed.raw as { status: string }).status).toBe('AMO REQ RECEIVED');
  });

  it('carries iceberg, TTL and auction parameters from brokerOptions', async () => {
    harness.fake.control.setPrice('NSE', 'RELIANCE', '2900');
    await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('RELIANCE', 'NSE'),
        quantity: 1000,
        price: '2800',
        brokerOptions: {
          variety: 'iceberg',
          icebergLegs: 5,
          icebergQuantity: 200,
          validity: 'TTL',
          validityTtl: 2,
        },
      }),
      harness.context,
    );
    expect(only('POST', '/orders/iceberg').form).toEqual([
      ['tradingsymbol', 'RELIANCE'],
      ['exchange', 'NSE'],
      ['transaction_type', 'BUY'],
      ['order_type', 'LIMIT'],
      ['quantity', '1000'],
      ['product', 'MIS'],
      ['validity', 'TTL'],
      ['price', '2800'],
      ['validity_ttl', '2'],
      ['iceberg_legs', '5'],
      ['iceberg_quantity', '200'],
      ['tag', 'ord1'],
    ]);
    await harness.broker.orders.placeOrder(
      order({
        product: 'CNC',
        action: 'SELL',
        price: '520',
        brokerOptions: { variety: 'auction', auctionNumber: '22' },
      }),
      harness.context,
    );
    expect(only('POST', '/orders/auction').form).toContainEqual(['auction_number', '22']);
  });

  it('refuses bad brokerOptions and quote-only instruments before calling Kite', async () => {
    await expect(
      harness.broker.orders.placeOrder(order({ brokerOptions: { variety: 'iceberg' } }), harness.context),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
    await expect(
      harness.broker.orders.placeOrder(order({ brokerOptions: { marketProtection: 0 } }), harness.context),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
    await expect(
      harness.broker.orders.placeOrder(order({ brokerOptions: { surprise: true } }), harness.context),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
    await expect(
      harness.broker.orders.placeOrder(
        order({ instrument: harness.instrument('NIFTY', 'NSE_INDEX') }),
        harness.context,
      ),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
    expect(harness.fake.requests).toEqual([]);
  });

  it('reports Kite input errors as InvalidOrderError carrying the broker message', async () => {
    const future = harness.findInstrument(
      (instrument) => instrument.symbol.startsWith('NIFTY') && instrument.instrumentType === 'FUT',
    );
    const error = await harness.broker.orders
      .placeOrder(
        order({ instrument: future, product: 'NRML', quantity: 10, price: '24000' }),
        harness.context,
      )
      .catch((caught: unknown) => caught);
    expect(InvalidOrderError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Quantity should be a multiple of lot size (75).');
    expect((error as InvalidOrderError).brokerStatus).toBe(400);
  });

  it('shows an RMS margin rejection as a rejected order with the reason', async () => {
    harness.fake.control.setAvailableCash('1000');
    try {
      harness.fake.control.setPrice('NSE', 'HDFCBANK', '1700');
      const ack = await harness.broker.orders.placeOrder(
        order({
          instrument: harness.instrument('HDFCBANK', 'NSE'),
          product: 'CNC',
          quantity: 100,
          price: '1690',
        }),
        harness.context,
      );
      const rejected = await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context);
      expect(rejected).toMatchObject({ status: 'rejected', pendingQuantity: 0, filledQuantity: 0 });
      expect(rejected.rejectionReason).toMatch(
        /^Insufficient funds\. Required margin is 169000 but available margin is /,
      );
    } finally {
      harness.fake.control.setAvailableCash('1000000');
    }
  });

  it('never retries a placement: a timeout says it may have reached Kite', async () => {
    const broker = (await import('./zerodha-broker.js')).createZerodhaBroker({
      apiKey: harness.fake.apiKey,
      apiSecret: harness.fake.apiSecret,
      baseUrl: harness.fake.baseUrl,
      timeouts: { writeMs: 100 },
    });
    harness.fake.control.delayNext({ method: 'POST', path: '/orders/regular', ms: 400 });
    const error = await broker.orders.placeOrder(order(), harness.context).catch((caught: unknown) => caught);
    expect(RequestTimeoutError.isInstance(error)).toBe(true);
    expect((error as RequestTimeoutError).context).toMatchObject({
      mayHaveReachedBroker: true,
      timeoutMs: 100,
    });
    expect(harness.fake.requests.filter((request) => request.path === '/orders/regular')).toHaveLength(1);
  });

  it('never retries a placement after a 5xx or a 429 either', async () => {
    harness.fake.control.failNext({ path: '/orders/regular', status: 503, count: 5 });
    const unavailable = await harness.broker.orders
      .placeOrder(order(), harness.context)
      .catch((caught: unknown) => caught);
    expect(BrokerUnavailableError.isInstance(unavailable)).toBe(true);
    expect((unavailable as BrokerUnavailableError).context).toMatchObject({ mayHaveReachedBroker: true });
    harness.fake.control.clearFaults();
    harness.fake.control.failNext({ path: '/orders/regular', status: 429, retryAfterSeconds: 1 });
    const limited = await harness.broker.orders
      .placeOrder(order(), harness.context)
      .catch((caught: unknown) => caught);
    expect(RateLimitError.isInstance(limited)).toBe(true);
    expect((limited as RateLimitError).context).toMatchObject({
      mayHaveReachedBroker: false,
      retryAfterMs: 1000,
    });
    expect(harness.fake.requests.filter((request) => request.path === '/orders/regular')).toHaveLength(2);
  });
});

describe("modifying and cancelling with the order's own variety", () => {
  it('keeps a triggered SL order open when it is modified (the fake does not re-arm its trigger)', async () => {
    harness.fake.control.setPrice('NSE', 'INFY', '1500');
    const ack = await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('INFY', 'NSE'),
        priceType: 'SL',
        price: '1490',
        triggerPrice: '1501',
        quantity: 3,
        clientOrderId: 'slmod1',
      }),
      harness.context,
    );
    // Triggered at 1502, resting as a limit at 1490; then the price falls back under the trigger.
    harness.fake.control.setPrice('NSE', 'INFY', '1502');
    harness.fake.control.setPrice('NSE', 'INFY', '1495');
    expect((await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context)).status).toBe(
      'open',
    );
    await harness.broker.orders.modifyOrder(
      { orderId: ack.orderId, variety: 'regular' },
      {
        instrument: harness.instrument('INFY', 'NSE'),
        action: 'BUY',
        product: 'MIS',
        priceType: 'SL',
        quantity: 3,
        price: '1491',
        triggerPrice: '1501',
        disclosedQuantity: 0,
        validity: 'DAY',
      },
      harness.context,
    );
    expect(await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context)).toMatchObject({
      status: 'open',
      price: '1491',
    });
    const statuses = (harness.fake.exchange.orders.get(ack.orderId)?.history ?? []).map((row) => row.status);
    expect(statuses.slice(statuses.lastIndexOf('MODIFY PENDING'))).toEqual(['MODIFY PENDING', 'OPEN']);
    expect(statuses.filter((status) => status === 'TRIGGER PENDING')).toHaveLength(1);
  });

  it('looks up the variety of an AMO order when the reference lacks it (never assumes regular)', async () => {
    const ack = await harness.broker.orders.placeOrder(order({ amo: true }), harness.context);
    harness.fake.control.clearRequests();
    await harness.broker.orders.modifyOrder(
      { orderId: ack.orderId },
      {
        instrument: harness.instrument('SBIN', 'NSE'),
        action: 'BUY',
        product: 'MIS',
        priceType: 'LIMIT',
        quantity: 20,
        price: '499.5',
        triggerPrice: '0',
        disclosedQuantity: 0,
        validity: 'DAY',
      },
      harness.context,
    );
    expect(harness.fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /orders/${ack.orderId}`,
      `PUT /orders/amo/${ack.orderId}`,
    ]);
    const modify = harness.fake.requests[1] as RecordedRequest;
    expectKiteHeaders(modify, 'application/x-www-form-urlencoded');
    expect(modify.form).toEqual([
      ['order_type', 'LIMIT'],
      ['quantity', '20'],
      ['validity', 'DAY'],
      ['price', '499.5'],
      ['disclosed_quantity', '0'],
    ]);
    expect(await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context)).toMatchObject({
      quantity: 20,
      price: '499.5',
      variety: 'amo',
    });
    harness.fake.control.clearRequests();
    const cancelled = await harness.broker.orders.cancelOrder(
      { orderId: ack.orderId, variety: 'amo' },
      harness.context,
    );
    expect(cancelled.orderId).toBe(ack.orderId);
    expect(harness.fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `DELETE /orders/amo/${ack.orderId}`,
    ]);
    expect((await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context)).status).toBe(
      'cancelled',
    );
  });

  it('uses the variety carried by the reference without a lookup (iceberg)', async () => {
    harness.fake.control.setPrice('NSE', 'WIPRO', '300');
    const ack = await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('WIPRO', 'NSE'),
        quantity: 400,
        price: '290',
        brokerOptions: { variety: 'iceberg', icebergLegs: 2, icebergQuantity: 200 },
      }),
      harness.context,
    );
    harness.fake.control.clearRequests();
    await harness.broker.orders.cancelOrder({ orderId: ack.orderId, variety: 'iceberg' }, harness.context);
    expect(harness.fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `DELETE /orders/iceberg/${ack.orderId}`,
    ]);
  });

  it('refuses to modify a completed order and to cancel an unknown one', async () => {
    harness.fake.control.setPrice('NSE', 'LT', '3500');
    const ack = await harness.broker.orders.placeOrder(
      order({ instrument: harness.instrument('LT', 'NSE'), priceType: 'MARKET', price: '0' }),
      harness.context,
    );
    const modifyError = await harness.broker.orders
      .modifyOrder(
        { orderId: ack.orderId, variety: 'regular' },
        {
          instrument: harness.instrument('LT', 'NSE'),
          action: 'BUY',
          product: 'MIS',
          priceType: 'LIMIT',
          quantity: 10,
          price: '3400',
          triggerPrice: '0',
          disclosedQuantity: 0,
          validity: 'DAY',
        },
        harness.context,
      )
      .catch((caught: unknown) => caught);
    expect(InvalidOrderError.isInstance(modifyError)).toBe(true);
    expect((modifyError as Error).message).toBe('Order cannot be modified as it is complete.');
    await expect(
      harness.broker.orders.cancelOrder({ orderId: '999999999999999' }, harness.context),
    ).rejects.toSatisfy(OrderNotFoundError.isInstance);
    await expect(
      harness.broker.orders.cancelOrder({ orderId: '999999999999999', variety: 'regular' }, harness.context),
    ).rejects.toSatisfy(OrderNotFoundError.isInstance);
    await expect(
      harness.broker.orders.fetchOrder({ orderId: '999999999999999' }, harness.context),
    ).rejects.toSatisfy(OrderNotFoundError.isInstance);
  });
});

describe('order and trade books', () => {
  it('maps every order row and every trade, with tags and timestamps', async () => {
    harness.fake.control.setPrice('NSE', 'AXISBANK', '1100');
    const ack = await harness.broker.orders.placeOrder(
      order({
        instrument: harness.instrument('AXISBANK', 'NSE'),
        priceType: 'MARKET',
        price: '0',
        clientOrderId: 'book1',
      }),
      harness.context,
    );
    harness.fake.control.clearRequests();
    const orders = await harness.broker.orders.fetchOrders(harness.context);
    expectKiteHeaders(only('GET', '/orders'));
    expect(orders.find((row) => row.orderId === ack.orderId)).toMatchObject({
      symbol: 'AXISBANK',
      exchange: 'NSE',
      status: 'complete',
      clientOrderId: 'book1',
      averagePrice: '1100',
    });
    for (const row of orders) {
      expect(row.filledQuantity + row.pendingQuantity).toBeLessThanOrEqual(row.quantity);
    }
    const trades = await harness.broker.orders.fetchTrades(harness.context);
    const trade = trades.find((row) => row.orderId === ack.orderId);
    expect({ ...trade, raw: undefined }).toEqual({
      tradeId: expect.stringMatching(/^\d+$/),
      orderId: ack.orderId,
      symbol: 'AXISBANK',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 10,
      price: '1100',
      product: 'MIS',
      tradedAt: NOW,
      raw: undefined,
    });
  });

  it('maps a derivative row back to its OpenAlgo symbol through the core resolver', async () => {
    const option = harness.findInstrument(
      (instrument) => instrument.instrumentType === 'CE' && instrument.symbol.startsWith('BANKNIFTY'),
    );
    harness.fake.control.setPrice('NFO', option.brSymbol, '150');
    const ack = await harness.broker.orders.placeOrder(
      order({
        instrument: option,
        product: 'NRML',
        quantity: option.lotSize,
        priceType: 'MARKET',
        price: '0',
      }),
      harness.context,
    );
    const filled = await harness.broker.orders.fetchOrder({ orderId: ack.orderId }, harness.context);
    expect(filled).toMatchObject({
      symbol: option.symbol,
      exchange: 'NFO',
      product: 'NRML',
      status: 'complete',
    });
    expect(filled.symbol).toMatch(/^BANKNIFTY\d{2}[A-Z]{3}\d{2}\d+CE$/);
  });
});
