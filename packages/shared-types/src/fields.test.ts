import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildValidationErrorBody, formatPythonDict, toFieldErrors } from './errors.js';
import {
  apikeyField,
  booleanField,
  decimalField,
  enumField,
  floatField,
  integerField,
  listField,
  requestObject,
  stringField,
} from './fields.js';
import { pingRequestSchema } from './utility.js';

function errorsOf(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) {
    throw new Error(`expected a failure for ${JSON.stringify(input)}`);
  }
  return toFieldErrors(result.error.issues);
}

const orderSchema = requestObject({
  apikey: apikeyField(),
  symbol: stringField(),
  action: enumField(['BUY', 'SELL'], { caseInsensitive: true }),
  product: enumField(['CNC', 'NRML', 'MIS']).default('MIS'),
  quantity: integerField(),
  price: decimalField().default('0'),
  ratio: floatField().optional(),
  flag: booleanField().optional(),
  legs: listField(requestObject({ quantity: integerField() }), { min: 1 }).optional(),
});

describe('marshmallow-compatible fields', () => {
  it('coerces what the reference coerces', () => {
    const parsed = orderSchema.parse({
      apikey: 'k',
      symbol: 'SBIN',
      action: 'buy',
      quantity: '65',
      price: 500,
      ratio: '10.5',
      flag: 'yes',
      legs: [{ quantity: 65.9 }],
    });
    expect(parsed).toEqual({
      apikey: 'k',
      symbol: 'SBIN',
      action: 'BUY',
      product: 'MIS',
      quantity: 65,
      price: '500',
      ratio: 10.5,
      flag: true,
      legs: [{ quantity: 65 }],
    });
  });

  it('keeps prices as canonical decimal strings', () => {
    const schema = requestObject({ price: decimalField() });
    expect(schema.parse({ price: 0.1 }).price).toBe('0.1');
    expect(schema.parse({ price: '00500.50' }).price).toBe('500.5');
    expect(schema.parse({ price: '-0.0' }).price).toBe('0');
    expect(errorsOf(schema, { price: '1e3' })).toEqual({ price: ['Not a valid number.'] });
    expect(errorsOf(schema, { price: 'abc' })).toEqual({ price: ['Not a valid number.'] });
    expect(errorsOf(schema, { price: true })).toEqual({ price: ['Not a valid number.'] });
    expect(errorsOf(schema, { price: '' })).toEqual({ price: ['Not a valid number.'] });
  });

  it('reports the reference messages', () => {
    expect(
      errorsOf(orderSchema, { apikey: '', symbol: 5, action: 'HOLD', quantity: '65.5', extra: 1 }),
    ).toEqual({
      apikey: ['Length must be between 1 and 256.'],
      symbol: ['Not a valid string.'],
      action: ['Must be one of: BUY, SELL.'],
      quantity: ['Not a valid integer.'],
      extra: ['Unknown field.'],
    });
    expect(errorsOf(orderSchema, { apikey: 'k', symbol: null, action: 'BUY' })).toEqual({
      symbol: ['Field may not be null.'],
      quantity: ['Missing data for required field.'],
    });
    expect(
      errorsOf(orderSchema, { apikey: 'k', symbol: 'S', action: 'BUY', quantity: 1, product: 'cnc' }),
    ).toEqual({
      product: ['Must be one of: CNC, NRML, MIS.'],
    });
    expect(
      errorsOf(orderSchema, { apikey: 'k', symbol: 'S', action: 'BUY', quantity: 1, ratio: 'NaN' }),
    ).toEqual({
      ratio: ['Not a valid number.'],
    });
    expect(
      errorsOf(orderSchema, { apikey: 'k', symbol: 'S', action: 'BUY', quantity: 1, flag: 'maybe' }),
    ).toEqual({
      flag: ['Not a valid boolean.'],
    });
  });

  it('keys nested errors by list index', () => {
    const errors = errorsOf(orderSchema, {
      apikey: 'k',
      symbol: 'S',
      action: 'BUY',
      quantity: 1,
      legs: [{ quantity: 1 }, { quantity: 'x', apikey: 'k' }, 'nope'],
    });
    expect(errors).toEqual({
      legs: {
        '1': { quantity: ['Not a valid integer.'], apikey: ['Unknown field.'] },
        '2': { _schema: ['Invalid input type.'] },
      },
    });
    expect(formatPythonDict(errors)).toBe(
      "{'legs': {1: {'quantity': ['Not a valid integer.'], 'apikey': ['Unknown field.']}, 2: {'_schema': ['Invalid input type.']}}}",
    );
    expect(errorsOf(orderSchema, { apikey: 'k', symbol: 'S', action: 'BUY', quantity: 1, legs: [] })).toEqual(
      {
        legs: ['Shorter than minimum length 1.'],
      },
    );
  });

  it('answers a non-object body with _schema', () => {
    expect(errorsOf(pingRequestSchema, null)).toEqual({ _schema: ['Invalid input type.'] });
    expect(errorsOf(pingRequestSchema, [])).toEqual({ _schema: ['Invalid input type.'] });
    expect(errorsOf(pingRequestSchema, {})).toEqual({ apikey: ['Missing data for required field.'] });
  });

  it('builds each envelope', () => {
    const errors = { quantity: ['Missing data for required field.'] };
    expect(buildValidationErrorBody('E1', errors)).toEqual({
      status: 'error',
      message: "{'quantity': ['Missing data for required field.']}",
    });
    expect(buildValidationErrorBody('E1', errors, { mode: 'analyze' })).toMatchObject({ mode: 'analyze' });
    expect(buildValidationErrorBody('E2', errors)).toEqual({ status: 'error', message: errors });
    expect(buildValidationErrorBody('E3', errors)).toEqual({
      status: 'error',
      message: 'Validation error',
      errors,
    });
    expect(buildValidationErrorBody('E4', errors)).toEqual({
      status: 'error',
      message: 'Validation failed',
      errors,
    });
  });

  it('renders python strings with the quote python would pick', () => {
    expect(formatPythonDict({ a: ["it's"] })).toBe(`{'a': ["it's"]}`);
    expect(formatPythonDict({ a: ['say "hi"'] })).toBe(`{'a': ['say "hi"']}`);
  });
});
