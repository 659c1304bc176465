import { InvalidOrderError, OrderNotFoundError } from '@openalgo/broker-sdk';
import type { GttRequest, MarginLeg } from '@openalgo/shared-types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { protectedLimitPrice } from './gtt.js';
import { type Harness, startHarness } from './testing/harness.js';

const NOW = Date.parse('2026-11-24T04:00:00.000Z');

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ fake: { now: () => NOW } });
});

afterAll(async () => {
  await harness.close();
});

beforeEach(() => {
  harness.fake.control.clearRequests();
});

describe('GTT', () => {
  function twoLeg(): GttRequest {
    return {
      instrument: harness.instrument('SBIN', 'NSE'),
      triggerType: 'two-leg',
      lastPrice: '800',
      legs: [
        {
          triggerPrice: '760',
          price: '759.5',
          quantity: 5,
          action: 'SELL',
          priceType: 'LIMIT',
          product: 'CNC',
        },
        {
          triggerPrice: '880',
          price: '879.5',
          quantity: 5,
          action: 'SELL',
          priceType: 'LIMIT',
          product: 'CNC',
        },
      ],
    };
  }

  it("places a two-leg trigger with Kite's JSON condition and orders", async () => {
    const { triggerId } = await harness.broker.gtt.placeGtt(twoLeg(), harness.context);
    const request = harness.fake.requests[0];
    expect(`${request?.method} ${request?.path}`).toBe('POST /gtt/triggers');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.form?.map(([name]) => name)).toEqual(['type', 'condition', 'orders']);
    const form = Object.fromEntries(request?.form ?? []);
    expect(form.type).toBe('two-leg');
    expect(JSON.parse(form.condition as string)).toEqual({
      exchange: 'NSE',
      tradingsymbol: 'SBIN',
      trigger_values: [760, 880],
      last_price: 800,
    });
    expect(JSON.parse(form.orders as string)).toEqual([
      {
        exchange: 'NSE',
        tradingsymbol: 'SBIN',
        transaction_type: 'SELL',
        quantity: 5,
        order_type: 'LIMIT',
        product: 'CNC',
        price: 759.5,
      },
      {
        exchange: 'NSE',
        tradingsymbol: 'SBIN',
        transaction_type: 'SELL',
        quantity: 5,
        order_type: 'LIMIT',
        product: 'CNC',
        price: 879.5,
      },
    ]);
    const book = await harness.broker.gtt.fetchGtts(harness.context);
    const placed = book.find((gtt) => gtt.triggerId === triggerId);
    expect({ ...placed, raw: undefined }).toEqual({
      triggerId,
      symbol: 'SBIN',
      exchange: 'NSE',
      triggerType: 'two-leg',
      status: 'active',
      lastPrice: '800',
      legs: twoLeg().legs,
      createdAt: NOW,
      expiresAt: NOW + 365 * 86_400_000,
      raw: undefined,
    });
  });

  it('modifies and cancels by trigger id; a deleted trigger is not found', async () => {
    const { triggerId } = await harness.broker.gtt.placeGtt(twoLeg(), harness.context);
    const changed = twoLeg();
    changed.legs[0] = {
      ...changed.legs[0],
      triggerPrice: '750',
      price: '749.5',
    } as GttRequest['legs'][number];
    await harness.broker.gtt.modifyGtt(triggerId, changed, harness.context);
    expect(harness.fake.requests.at(-1)?.method).toBe('PUT');
    expect(harness.fake.requests.at(-1)?.path).toBe(`/gtt/triggers/${triggerId}`);
    const modified = (await harness.broker.gtt.fetchGtts(harness.context)).find(
      (gtt) => gtt.triggerId === triggerId,
    );
    expect(modified?.legs[0]).toMatchObject({ triggerPrice: '750', price: '749.5' });
    expect(await harness.broker.gtt.cancelGtt(triggerId, harness.context)).toEqual({ triggerId });
    expect(harness.fake.requests.at(-1)?.method).toBe('DELETE');
    await expect(harness.broker.gtt.cancelGtt(triggerId, harness.context)).rejects.toSatisfy(
      OrderNotFoundError.isInstance,
    );
  });

  it('turns a MARKET leg into an MPP-protected LIMIT (Kite GTT legs are LIMIT only)', async () => {
    const request: GttRequest = {
      instrument: harness.instrument('SBIN', 'NSE'),
      triggerType: 'single',
      lastPrice: '800',
      legs: [
        { triggerPrice: '850', price: '0', quantity: 1, action: 'BUY', priceType: 'MARKET', product: 'CNC' },
      ],
    };
    await harness.broker.gtt.placeGtt(request, harness.context);
    const form = Object.fromEntries(harness.fake.requests.at(-1)?.form ?? []);
    expect(JSON.parse(form.orders as string)[0]).toMatchObject({ order_type: 'LIMIT', price: 854.25 });
    expect(protectedLimitPrice(request.legs[0] as GttRequest['legs'][number], '0.05', false)).toBe('854.25');
    expect(
      protectedLimitPrice(
        { triggerPrice: '5', price: '0', quantity: 1, action: 'SELL', priceType: 'MARKET', product: 'NRML' },
        '0.05',
        true,
      ),
    ).toBe('4.75');
    expect(
      protectedLimitPrice(
        {
          triggerPrice: '0.05',
          price: '0',
          quantity: 1,
          action: 'SELL',
          priceType: 'MARKET',
          product: 'NRML',
        },
        '0.05',
        true,
      ),
    ).toBe('0.05');
  });

  it("fires when the price crosses a trigger and places the leg's order", async () => {
    harness.fake.control.setPrice('NSE', 'SBIN', '800');
    const { triggerId } = await harness.broker.gtt.placeGtt(twoLeg(), harness.context);
    harness.fake.control.setPrice('NSE', 'SBIN', '759');
    const fired = (await harness.broker.gtt.fetchGtts(harness.context)).find(
      (gtt) => gtt.triggerId === triggerId,
    );
    expect(fired?.status).toBe('triggered');
  });

  it('refuses a leg count that does not match the trigger type', async () => {
    const request = { ...twoLeg(), triggerType: 'single' as const };
    await expect(harness.broker.gtt.placeGtt(request, harness.context)).rejects.toSatisfy(
      InvalidOrderError.isInstance,
    );
  });
});

describe('margin calculator', () => {
  function leg(overrides: Partial<MarginLeg> = {}): MarginLeg {
    return {
      instrument: harness.instrument('SBIN', 'NSE'),
      action: 'BUY',
      quantity: 10,
      product: 'MIS',
      priceType: 'LIMIT',
      price: '800',
      triggerPrice: '0',
      ...overrides,
    };
  }

  it('sends one leg to /margins/orders as JSON', async () => {
    const result = await harness.broker.margin.calculateMargin([leg()], harness.context);
    const request = harness.fake.requests[0];
    expect(`${request?.method} ${request?.path}`).toBe('POST /margins/orders');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json).toEqual([
      {
        exchange: 'NSE',
        tradingsymbol: 'SBIN',
        transaction_type: 'BUY',
        variety: 'regular',
        product: 'MIS',
        order_type: 'LIMIT',
        quantity: 10,
        price: 800,
        trigger_price: 0,
      },
    ]);
    expect({ ...result, raw: undefined }).toEqual({
      totalMargin: '1600',
      spanMargin: '0',
      exposureMargin: '0',
      raw: undefined,
    });
  });

  it('sends two or more legs to the basket calculator, which nets a hedge', async () => {
    const future = harness.findInstrument(
      (instrument) => instrument.symbol.startsWith('NIFTY') && instrument.instrumentType === 'FUT',
    );
    const call = harness.findInstrument(
      (instrument) =>
        instrument.symbol.startsWith('NIFTY') &&
        instrument.instrumentType === 'CE' &&
        instrument.strike === '24000',
    );
    const result = await harness.broker.margin.calculateMargin(
      [
        leg({ instrument: future, product: 'NRML', quantity: 75, priceType: 'MARKET', price: '0' }),
        leg({
          instrument: call,
          action: 'SELL',
          product: 'NRML',
          quantity: 75,
          priceType: 'MARKET',
          price: '0',
        }),
      ],
      harness.context,
    );
    const request = harness.fake.requests[0];
    expect(`${request?.method} ${request?.path}`).toBe('POST /margins/basket');
    expect(request?.query).toEqual([['consider_positions', 'true']]);
    expect(request?.json).toHaveLength(2);
    const raw = result.raw as { initial: { total: number }; final: { total: number; span: number } };
    expect(Number(result.totalMargin)).toBe(raw.final.total);
    expect(Number(result.spanMargin)).toBe(raw.final.span);
    expect(raw.final.total).toBeLessThan(raw.initial.total);
  });

  it('refuses index legs', async () => {
    await expect(
      harness.broker.margin.calculateMargin(
        [leg({ instrument: harness.instrument('NIFTY', 'NSE_INDEX') })],
        harness.context,
      ),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
  });
});
