import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { marginRequestSchema, openPositionRequestSchema } from './account.js';
import { analyzerToggleRequestSchema } from './analyzer.js';
import { formatPythonDict, toFieldErrors } from './errors.js';
import {
  basketOrderRequestSchema,
  cancelOrderRequestSchema,
  checkGttRequest,
  checkPlaceOrderRequest,
  modifyOrderRequestSchema,
  placeGttOrderRequestSchema,
  placeOrderRequestSchema,
  placeSmartOrderRequestSchema,
  splitOrderRequestSchema,
} from './orders.js';

function errorsOf(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) {
    throw new Error(`expected a failure for ${JSON.stringify(input)}`);
  }
  return toFieldErrors(result.error.issues);
}

const placeOrder = placeOrderRequestSchema.superRefine(checkPlaceOrderRequest);
const placeGtt = placeGttOrderRequestSchema.superRefine(checkGttRequest);
const base = {
  apikey: 'k',
  strategy: 'test',
  exchange: 'NSE',
  symbol: 'SBIN',
  action: 'buy',
  quantity: '10',
};

describe('placeorder schema (OrderSchema)', () => {
  it('applies the reference defaults and coercions', () => {
    expect(placeOrder.parse(base)).toEqual({
      apikey: 'k',
      strategy: 'test',
      exchange: 'NSE',
      symbol: 'SBIN',
      action: 'BUY',
      quantity: 10,
      pricetype: 'MARKET',
      product: 'MIS',
      price: '0',
      trigger_price: '0',
      disclosed_quantity: 0,
    });
    expect(
      placeOrder.parse({ ...base, quantity: 10.0, price: '500.50', disclosed_quantity: 5.9 }),
    ).toMatchObject({
      quantity: 10,
      price: '500.5',
      disclosed_quantity: 5,
    });
  });

  it('answers with the reference messages', () => {
    expect(
      errorsOf(placeOrder, {
        ...base,
        action: 'Buy',
        exchange: 'nse',
        quantity: 0,
        product: 'cnc',
        price: -1,
        trigger_price: 'x',
        disclosed_quantity: -2,
        extra: true,
      }),
    ).toEqual({
      action: ['Must be one of: BUY, SELL, buy, sell.'],
      exchange: [
        'Must be one of: NSE, BSE, NFO, BFO, CDS, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.',
      ],
      quantity: ['Quantity must be a positive number.'],
      product: ['Must be one of: MIS, NRML, CNC.'],
      price: ['Price must be a non-negative number.'],
      trigger_price: ['Not a valid number.'],
      disclosed_quantity: ['Disclosed quantity must be a non-negative integer.'],
      extra: ['Unknown field.'],
    });
    expect(errorsOf(placeOrder, { apikey: 'k', symbol: 5 })).toEqual({
      strategy: ['Missing data for required field.'],
      exchange: ['Missing data for required field.'],
      symbol: ['Not a valid string.'],
      action: ['Missing data for required field.'],
      quantity: ['Missing data for required field.'],
    });
    expect(errorsOf(placeOrder, { ...base, pricetype: null })).toEqual({
      pricetype: ['Field may not be null.'],
    });
  });

  it('refuses fractional quantities except on CRYPTO, after the field checks pass', () => {
    const errors = errorsOf(placeOrder, { ...base, quantity: '1.5' });
    expect(errors).toEqual({
      quantity: ['Fractional quantity (1.5) is not allowed for non-crypto exchanges.'],
    });
    expect(formatPythonDict(errors)).toBe(
      "{'quantity': ['Fractional quantity (1.5) is not allowed for non-crypto exchanges.']}",
    );
    expect(placeOrder.parse({ ...base, exchange: 'CRYPTO', quantity: 0.25 }).quantity).toBe(0.25);
    // A field error elsewhere: the post-load check does not run (marshmallow order).
    expect(errorsOf(placeOrder, { ...base, quantity: 1.5, action: 'HOLD' })).toEqual({
      action: ['Must be one of: BUY, SELL, buy, sell.'],
    });
  });
});

describe('other order schemas', () => {
  it('smart orders accept a zero quantity and truncate the target position', () => {
    const parsed = placeSmartOrderRequestSchema.parse({ ...base, quantity: 0, position_size: '-7.9' });
    expect(parsed).toMatchObject({ quantity: 0, position_size: -7 });
    expect(errorsOf(placeSmartOrderRequestSchema, { ...base, quantity: -1, position_size: 0 })).toEqual({
      quantity: ['Quantity must be a non-negative number.'],
    });
    expect(errorsOf(placeSmartOrderRequestSchema, { ...base, underlying_ltp: 1, position_size: 0 })).toEqual({
      underlying_ltp: ['Unknown field.'],
    });
  });

  it('basket legs refuse strategy and apikey and report errors by index', () => {
    const errors = errorsOf(basketOrderRequestSchema, {
      apikey: 'k',
      strategy: 's',
      orders: [
        { exchange: 'NSE', symbol: 'SBIN', action: 'BUY', quantity: 1 },
        { exchange: 'NSE', symbol: 'INFY', action: 'BUY', quantity: 1, strategy: 'x', apikey: 'k' },
        { exchange: 'NSE', symbol: 'TCS', action: 'SELL', quantity: 2.5 },
      ],
    });
    expect(errors).toEqual({
      orders: {
        '1': { strategy: ['Unknown field.'], apikey: ['Unknown field.'] },
        '2': { quantity: ['Fractional quantity (2.5) is not allowed for non-crypto exchanges.'] },
      },
    });
    expect(basketOrderRequestSchema.parse({ apikey: 'k', strategy: 's', orders: [] }).orders).toEqual([]);
  });

  it('split orders need a positive split size', () => {
    expect(errorsOf(splitOrderRequestSchema, { ...base, splitsize: 0 })).toEqual({
      splitsize: ['Split size must be a positive integer.'],
    });
    expect(errorsOf(splitOrderRequestSchema, { ...base, quantity: 0, splitsize: 1 })).toEqual({
      quantity: ['Total quantity must be a positive number.'],
    });
  });

  it('modify requires every field; order ids must be JSON strings', () => {
    expect(Object.keys(errorsOf(modifyOrderRequestSchema, { apikey: 'k', orderid: 123 })).sort()).toEqual(
      [
        'strategy',
        'exchange',
        'symbol',
        'orderid',
        'action',
        'product',
        'pricetype',
        'price',
        'quantity',
        'disclosed_quantity',
        'trigger_price',
      ].sort(),
    );
    expect(errorsOf(cancelOrderRequestSchema, { apikey: 'k', strategy: 's', orderid: 1 })).toEqual({
      orderid: ['Not a valid string.'],
    });
  });

  it('GTT: unknown fields dropped, trigger rules as the reference', () => {
    const gtt = {
      apikey: 'k',
      strategy: 's',
      trigger_type: 'single',
      exchange: 'NSE',
      symbol: 'INFY',
      action: 'sell',
      product: 'CNC',
      quantity: 5,
      price: 1478,
      triggerprice_sl: 1480,
      last_price: 1550,
    };
    expect(placeGtt.parse(gtt)).toEqual({
      apikey: 'k',
      strategy: 's',
      trigger_type: 'single',
      exchange: 'NSE',
      symbol: 'INFY',
      action: 'SELL',
      product: 'CNC',
      quantity: 5,
      pricetype: 'LIMIT',
      price: '1478',
      triggerprice_sl: '1480',
      triggerprice_tg: '0',
    });
    expect(errorsOf(placeGtt, { ...gtt, product: 'MIS' })).toEqual({
      product: ['GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only.'],
    });
    expect(errorsOf(placeGtt, { ...gtt, trigger_type: 'BOTH' })).toEqual({
      trigger_type: ["Must be 'SINGLE' or 'OCO'."],
    });
    expect(errorsOf(placeGtt, { ...gtt, triggerprice_sl: '' })).toEqual({
      triggerprice_sl: ['SINGLE GTT requires a positive triggerprice_sl or triggerprice_tg.'],
    });
    const oco = { ...gtt, trigger_type: 'OCO', triggerprice_tg: 1620 };
    expect(errorsOf(placeGtt, { ...oco, stoploss: '' })).toEqual({
      stoploss: ['Required for OCO (stoploss leg limit).'],
    });
    expect(errorsOf(placeGtt, { ...oco, stoploss: 1478 })).toEqual({
      target: ['Required for OCO (target leg limit).'],
    });
    expect(errorsOf(placeGtt, { ...oco, stoploss: 1478, target: 1622, triggerprice_tg: 1400 })).toEqual({
      triggerprice_sl: ['Stoploss trigger must be less than target trigger (triggerprice_tg).'],
    });
    expect(placeGtt.parse({ ...oco, stoploss: 1478, target: 1622 })).toMatchObject({
      stoploss: '1478',
      target: '1622',
    });
  });
});

describe('account and analyzer schemas', () => {
  it('margin positions: string fields, custom length messages', () => {
    expect(errorsOf(marginRequestSchema, { apikey: '', positions: [] })).toEqual({
      apikey: ['API key must be between 1 and 256 characters.'],
      positions: ['Positions must contain 1 to 50 items.'],
    });
    expect(
      errorsOf(marginRequestSchema, {
        apikey: 'k',
        positions: [
          { symbol: '', exchange: 'NSE', action: 'BUY', quantity: 1, product: 'MIS', pricetype: 'MARKET' },
        ],
      }),
    ).toEqual({
      positions: {
        '0': { symbol: ['Symbol must be between 1 and 50 characters.'], quantity: ['Not a valid string.'] },
      },
    });
  });

  it('openposition takes a free-form exchange; analyzer toggle takes string booleans', () => {
    expect(
      openPositionRequestSchema.parse({
        apikey: 'k',
        strategy: 's',
        symbol: 'X',
        exchange: 'whatever',
        product: 'MIS',
      }).exchange,
    ).toBe('whatever');
    expect(analyzerToggleRequestSchema.parse({ apikey: 'k', mode: 'true' }).mode).toBe(true);
    expect(errorsOf(analyzerToggleRequestSchema, { apikey: 'k', mode: 'maybe' })).toEqual({
      mode: ['Not a valid boolean.'],
    });
  });
});
