import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { toFieldErrors } from './errors.js';
import { historyRequestSchema, multiQuotesRequestSchema, tickerQuerySchema } from './market-data.js';
import {
  multiOptionGreeksRequestSchema,
  optionChainRequestSchema,
  optionSymbolRequestSchema,
} from './options.js';
import { instrumentsQuerySchema } from './symbols.js';

function errorsOf(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) {
    throw new Error(`expected a failure for ${JSON.stringify(input)}`);
  }
  return toFieldErrors(result.error.issues);
}

const history = {
  apikey: 'k',
  symbol: 'SBIN',
  exchange: 'NSE',
  interval: '5m',
  start_date: '2025-01-01',
  end_date: '2025-01-31',
};

describe('market-data, symbols and options request schemas', () => {
  it('parses history with its default source and refuses impossible dates', () => {
    expect(historyRequestSchema.parse(history)).toEqual({ ...history, source: 'api' });
    expect(
      errorsOf(historyRequestSchema, { ...history, start_date: '2025-02-30', end_date: 20250101 }),
    ).toEqual({
      start_date: ['Not a valid date.'],
      end_date: ['Not a valid date.'],
    });
    expect(errorsOf(historyRequestSchema, { ...history, interval: '7m', source: 'disk' })).toEqual({
      interval: [
        'Must be one of: 1s, 5s, 10s, 15s, 30s, 45s, 1m, 2m, 3m, 5m, 10m, 15m, 20m, 30m, 1h, 2h, 3h, 4h, D, W, M, Q, Y.',
      ],
      source: ['Must be one of: api, db.'],
    });
  });

  it('treats absent query parameters as null, as the reference reads them', () => {
    expect(errorsOf(tickerQuerySchema, { interval: 'D' })).toEqual({
      apikey: ['Field may not be null.'],
      from: ['Field may not be null.'],
      to: ['Field may not be null.'],
    });
    expect(instrumentsQuerySchema.parse({ apikey: 'k' })).toEqual({ apikey: 'k', format: 'json' });
  });

  it('keys nested list errors by index', () => {
    expect(
      errorsOf(multiQuotesRequestSchema, { apikey: 'k', symbols: [{ symbol: 'A', exchange: 'X', x: 1 }] }),
    ).toEqual({
      symbols: {
        '0': {
          exchange: [
            'Must be one of: NSE, BSE, NFO, BFO, CDS, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.',
          ],
          x: ['Unknown field.'],
        },
      },
    });
    expect(errorsOf(multiQuotesRequestSchema, { apikey: 'k', symbols: [] })).toEqual({
      symbols: ['Shorter than minimum length 1.'],
    });
    expect(errorsOf(multiOptionGreeksRequestSchema, { apikey: 'k', symbols: [] })).toEqual({
      symbols: ['Length must be between 1 and 50.'],
    });
  });

  it('normalises offsets and option types, with the reference messages', () => {
    const base = { apikey: 'k', underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '28OCT25' };
    expect(optionSymbolRequestSchema.parse({ ...base, offset: 'itm3', option_type: 'pe' })).toMatchObject({
      offset: 'ITM3',
      option_type: 'PE',
    });
    expect(
      errorsOf(optionSymbolRequestSchema, { ...base, offset: 'ITM51', option_type: 'Ce', strike_int: 0 }),
    ).toEqual({
      offset: ['Offset must be ATM, ITM1-ITM50, or OTM1-OTM50'],
      option_type: ['Must be one of: CE, PE, ce, pe.'],
      strike_int: ['Must be greater than or equal to 1.'],
    });
    expect(
      optionSymbolRequestSchema.parse({ ...base, offset: 'ATM', option_type: 'CE', strike_int: null }),
    ).toMatchObject({ strike_int: null });
    expect(errorsOf(optionChainRequestSchema, { ...base, strike_count: 101, interest_rate: 'x' })).toEqual({
      strike_count: ['Must be greater than or equal to 1 and less than or equal to 100.'],
      interest_rate: ['Not a valid number.'],
    });
    expect(optionChainRequestSchema.parse({ ...base, with_greeks: 'yes', strike_count: '5' })).toMatchObject({
      with_greeks: true,
      strike_count: 5,
    });
  });
});
