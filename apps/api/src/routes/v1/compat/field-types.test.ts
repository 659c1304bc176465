import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';

/**
 * api-v1 §2.4 and §7.2–7.3: numbers may arrive as numeric strings, integers truncate floats,
 * strings must be JSON strings, booleans accept the usual spellings. Shown on routes whose
 * validation result is visible: a body that passes the SIP schema reaches the 501 answer.
 */
const NOT_SUPPORTED = 501;

describe('string versus number fields', () => {
  let t: TestApp;
  const sip = (fields: Record<string, unknown>) =>
    t.post('/api/v1/sip/backtest', {
      apikey: t.apiKey,
      symbol: 'SBIN',
      start_date: '2020-01-01',
      end_date: '2024-01-01',
      amount: 1000,
      ...fields,
    });
  const holidays = async (year: unknown) =>
    (await t.post('/api/v1/market/holidays', { apikey: 'x', year })).json as {
      year?: number;
      message?: unknown;
    };

  beforeAll(async () => {
    t = await startTestApp('pglite');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('float fields accept numbers and numeric strings, refuse the rest', async () => {
    for (const amount of [1000, '1000', '1000.50', ' 2500 ', '1e3']) {
      expect((await sip({ amount })).status, String(amount)).toBe(NOT_SUPPORTED);
    }
    for (const amount of [true, 'ten', '', 'NaN', 'Infinity', [1], { value: 1 }]) {
      const response = await sip({ amount });
      expect(response.status, JSON.stringify(amount)).toBe(400);
      expect(response.json).toEqual({ status: 'error', message: { amount: ['Not a valid number.'] } });
    }
    expect((await sip({ amount: null })).json).toEqual({
      status: 'error',
      message: { amount: ['Field may not be null.'] },
    });
  });

  it('integer fields take numeric strings and truncate floats; a fractional string is refused', async () => {
    expect((await holidays(2025)).year).toBe(2025);
    expect((await holidays('2025')).year).toBe(2025);
    expect((await holidays(2025.9)).year).toBe(2025);
    expect((await holidays('2025.5')).message).toEqual({ year: ['Not a valid integer.'] });
    expect((await holidays(false)).message).toEqual({ year: ['Not a valid integer.'] });
    expect((await sip({ day_of_month: '28' })).status).toBe(NOT_SUPPORTED);
    expect((await sip({ day_of_month: 28.99 })).status).toBe(NOT_SUPPORTED);
  });

  it('string fields must be JSON strings', async () => {
    expect((await sip({ symbol: 12 })).json).toEqual({
      status: 'error',
      message: { symbol: ['Not a valid string.'] },
    });
    const date = await t.post('/api/v1/market/timings', { apikey: 'x', date: 20250101 });
    expect(date.json).toEqual({ status: 'error', message: { date: ['Not a valid string.'] } });
    const key = await t.post('/api/v1/market/timings', { apikey: 123, date: '2025-01-01' });
    expect(key.json).toEqual({ status: 'error', message: { apikey: ['Not a valid string.'] } });
  });

  it('boolean fields accept true/false, 1/0 and the usual words', async () => {
    for (const value of [true, false, 1, 0, 'true', 'True', 'yes', 'on', '1', 'false', 'no', 'off', '0']) {
      expect((await sip({ include_grids: value })).status, String(value)).toBe(NOT_SUPPORTED);
    }
    for (const value of ['maybe', 2, '', null]) {
      const response = await sip({ include_grids: value });
      expect(response.status, String(value)).toBe(400);
    }
  });

  it('enums are case-sensitive unless the contract says otherwise', async () => {
    expect((await sip({ frequency: 'Monthly' })).json).toEqual({
      status: 'error',
      message: { frequency: ['Must be one of: monthly, fortnightly, weekly, quarterly.'] },
    });
    expect((await sip({ exchange: 'nse' })).json).toEqual({
      status: 'error',
      message: { exchange: ['Must be one of: NSE, BSE.'] },
    });
  });

  it('numbers in responses are JSON numbers where the contract gives numbers', async () => {
    const timings = (await t.post('/api/v1/market/timings', { apikey: 'x', date: '2025-12-19' })).json as {
      data: Array<{ start_time: unknown; end_time: unknown }>;
    };
    for (const row of timings.data) {
      expect(Number.isInteger(row.start_time)).toBe(true);
      expect(Number.isInteger(row.end_time)).toBe(true);
    }
  });
});
