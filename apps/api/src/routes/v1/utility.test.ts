import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

const INVALID_KEY = { status: 'error', message: 'Invalid openalgo apikey' };
const INVALID_JSON = { status: 'error', message: 'Request body must be a JSON object' };
const BAD_KEY = '0'.repeat(64);

/** 2026-12-01 10:00 IST. */
const NOW = Date.UTC(2026, 11, 1, 4, 30);

describe.each(testBackends())('utility routes on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string) => t.request(path, { method: 'GET' });

  describe('POST /market/holidays', () => {
    it('lists the year with epoch-ms special sessions, never verifying the key', async () => {
      const response = await t.post('/api/v1/market/holidays', { apikey: 'anything', year: '2025' });
      expect(response.status).toBe(200);
      const body = response.json as {
        status: string;
        year: number;
        timezone: string;
        data: Array<{
          date: string;
          holiday_type: string;
          closed_exchanges: string[];
          open_exchanges: unknown[];
        }>;
      };
      expect(body).toMatchObject({ status: 'success', year: 2025, timezone: 'Asia/Kolkata' });
      const holi = body.data.find((row) => row.date === '2025-03-14');
      expect(holi).toEqual({
        date: '2025-03-14',
        description: 'Holi',
        holiday_type: 'TRADING_HOLIDAY',
        closed_exchanges: ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD'],
        // MCX evening session, 17:00–23:55 IST.
        open_exchanges: [
          {
            exchange: 'MCX',
            start_time: Date.UTC(2025, 2, 14, 11, 30),
            end_time: Date.UTC(2025, 2, 14, 18, 25),
          },
        ],
      });
      const muhurat = body.data.find((row) => row.holiday_type === 'SPECIAL_SESSION');
      expect(muhurat?.date).toBe('2025-10-21');
      expect(muhurat?.closed_exchanges).toEqual([]);
      expect(muhurat?.open_exchanges).toContainEqual({
        exchange: 'NSE',
        start_time: Date.UTC(2025, 9, 21, 8, 15),
        end_time: Date.UTC(2025, 9, 21, 9, 15),
      });
      expect(body.data.map((row) => row.date)).toEqual([...body.data.map((row) => row.date)].sort());
    });

    it('defaults to the current IST year', async () => {
      const response = await t.post('/api/v1/market/holidays', { apikey: 'x' });
      expect(response.json).toMatchObject({ status: 'success', year: 2026 });
      expect(
        (response.json as { data: Array<{ date: string }> }).data.every((row) =>
          row.date.startsWith('2026-'),
        ),
      ).toBe(true);
    });

    it('validates like the reference (E2)', async () => {
      expect((await t.post('/api/v1/market/holidays', { year: 2025 })).json).toEqual({
        status: 'error',
        message: { apikey: ['Missing data for required field.'] },
      });
      const outOfRange = await t.post('/api/v1/market/holidays', { apikey: 'x', year: 2019 });
      expect(outOfRange.status).toBe(400);
      expect(outOfRange.json).toEqual({
        status: 'error',
        message: { year: ['Must be greater than or equal to 2020 and less than or equal to 2050.'] },
      });
      expect((await t.post('/api/v1/market/holidays', { apikey: 'x', year: '20x5' })).json).toEqual({
        status: 'error',
        message: { year: ['Not a valid integer.'] },
      });
      expect((await t.post('/api/v1/market/holidays', { apikey: 'x', extra: 1 })).json).toEqual({
        status: 'error',
        message: { extra: ['Unknown field.'] },
      });
      expect((await t.post('/api/v1/market/holidays', '{"apikey":')).json).toEqual(INVALID_JSON);
      expect((await t.post('/api/v1/market/holidays', '')).status).toBe(400);
    });
  });

  describe('POST /market/timings', () => {
    const timings = async (date: string) => {
      const response = await t.post('/api/v1/market/timings', { apikey: 'x', date });
      expect(response.status).toBe(200);
      return (response.json as { data: Array<{ exchange: string; start_time: number; end_time: number }> })
        .data;
    };

    it('gives ordinary sessions on a weekday, in the contract order, in IST', async () => {
      const data = await timings('2025-12-19');
      expect(data.map((row) => row.exchange)).toEqual([
        'NSE',
        'BSE',
        'NFO',
        'BFO',
        'MCX',
        'BCD',
        'CDS',
        'NCO',
        'CRYPTO',
      ]);
      expect(data[0]).toEqual({
        exchange: 'NSE',
        start_time: 1_766_115_900_000,
        end_time: 1_766_138_400_000,
      });
      expect(data.find((row) => row.exchange === 'MCX')).toEqual({
        exchange: 'MCX',
        start_time: Date.UTC(2025, 11, 19, 3, 30),
        end_time: Date.UTC(2025, 11, 19, 18, 25),
      });
      expect(data.find((row) => row.exchange === 'CRYPTO')).toEqual({
        exchange: 'CRYPTO',
        start_time: Date.UTC(2025, 11, 18, 18, 30),
        end_time: Date.UTC(2025, 11, 19, 18, 29, 59),
      });
    });

    it('gives only CRYPTO on a weekend, nothing on a full holiday, the open exchanges on a partial one', async () => {
      expect((await timings('2025-12-20')).map((row) => row.exchange)).toEqual(['CRYPTO']);
      expect(await timings('2025-12-25')).toEqual([]);
      expect(await timings('2025-03-14')).toEqual([
        {
          exchange: 'MCX',
          start_time: Date.UTC(2025, 2, 14, 11, 30),
          end_time: Date.UTC(2025, 2, 14, 18, 25),
        },
      ]);
    });

    it('gives only the special session on Muhurat day and normal hours on a settlement holiday', async () => {
      const muhurat = await timings('2025-10-21');
      expect(muhurat.map((row) => row.exchange)).toEqual(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX']);
      expect(muhurat.every((row) => row.end_time - row.start_time === 3_600_000)).toBe(true);
      expect((await timings('2025-02-19')).length).toBe(9);
    });

    it('refuses bad dates with the reference texts', async () => {
      expect((await t.post('/api/v1/market/timings', { apikey: 'x', date: '19-12-2025' })).json).toEqual({
        status: 'error',
        message: 'Invalid date format. Use YYYY-MM-DD',
      });
      expect((await t.post('/api/v1/market/timings', { apikey: 'x', date: '2025-02-30' })).status).toBe(400);
      expect((await t.post('/api/v1/market/timings', { apikey: 'x', date: '2051-01-01' })).json).toEqual({
        status: 'error',
        message: 'Date must be between 2020-01-01 and 2050-12-31',
      });
      expect((await t.post('/api/v1/market/timings', { apikey: 'x' })).json).toEqual({
        status: 'error',
        message: { date: ['Missing data for required field.'] },
      });
      expect((await t.post('/api/v1/market/timings', { apikey: 'x', date: 20251219 })).json).toEqual({
        status: 'error',
        message: { date: ['Not a valid string.'] },
      });
    });
  });

  describe('GET and POST /chart', () => {
    it('stores preferences per user with upsert semantics and reads them back as text', async () => {
      const first = await t.post('/api/v1/chart', {
        apikey: t.apiKey,
        tv_theme: 'dark',
        tv_chart_layout: '{"a":1}',
      });
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ status: 'success', message: 'Preferences updated successfully' });
      const second = await t.post('/api/v1/chart', { apikey: t.apiKey, tv_theme: 'light', zoom: 3 });
      expect(second.status).toBe(200);
      const read = await get(`/api/v1/chart?apikey=${t.apiKey}`);
      expect(read.status).toBe(200);
      expect(read.json).toEqual({
        status: 'success',
        data: { tv_chart_layout: '{"a":1}', tv_theme: 'light', zoom: '3' },
      });
    });

    it('answers the reference errors', async () => {
      expect((await get('/api/v1/chart')).json).toEqual({
        status: 'error',
        message: 'Missing apikey parameter',
      });
      expect((await get('/api/v1/chart')).status).toBe(400);
      const badGet = await get(`/api/v1/chart?apikey=${BAD_KEY}`);
      expect(badGet.status).toBe(403);
      expect(badGet.json).toEqual(INVALID_KEY);
      expect((await t.post('/api/v1/chart', {})).json).toEqual({
        status: 'error',
        message: 'No data provided',
      });
      expect((await t.post('/api/v1/chart', { apikey: t.apiKey })).json).toEqual({
        status: 'error',
        message: 'No preferences provided to update',
      });
      expect((await t.post('/api/v1/chart', { tv_theme: 'dark' })).json).toEqual({
        status: 'error',
        message: { apikey: ['Missing data for required field.'] },
      });
      const badPost = await t.post('/api/v1/chart', { apikey: BAD_KEY, tv_theme: 'dark' });
      expect(badPost.status).toBe(403);
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']));
      expect((await t.post('/api/v1/chart', { apikey: t.apiKey, ...many })).json).toEqual({
        status: 'error',
        message: 'Too many preference keys (max 50)',
      });
      const longKey = 'x'.repeat(51);
      expect((await t.post('/api/v1/chart', { apikey: t.apiKey, [longKey]: 'v' })).json).toEqual({
        status: 'error',
        message: `Preference key too long: ${'x'.repeat(20)}... (max 50 chars)`,
      });
      expect((await t.post('/api/v1/chart', '[1]')).status).toBe(400);
      expect((await t.post('/api/v1/chart', 'not json')).json).toEqual(INVALID_JSON);
    });
  });

  describe('/portfolio/*', () => {
    const backtestBody = {
      holdings: [
        { symbol: 'SBIN', weight: 0.5 },
        { symbol: 'INFY', exchange: 'NSE', weight: '0.5' },
      ],
      start_date: '2024-01-01',
      end_date: '2024-12-31',
    };

    it('lists benchmark indices from the symbol master', async () => {
      const response = await get(`/api/v1/portfolio/benchmarks?apikey=${t.apiKey}`);
      expect(response.status).toBe(200);
      const body = response.json as { data: Array<{ symbol: string; exchange: string; name: string }> };
      expect(body.data.length).toBeGreaterThan(0);
      expect(
        body.data.every((row) => ['NSE_INDEX', 'BSE_INDEX', 'GLOBAL_INDEX'].includes(row.exchange)),
      ).toBe(true);
      expect(body.data.some((row) => row.symbol === 'NIFTY' && row.exchange === 'NSE_INDEX')).toBe(true);
      expect((await get(`/api/v1/portfolio/benchmarks?apikey=${BAD_KEY}`)).status).toBe(403);
      expect((await get('/api/v1/portfolio/benchmarks')).json).toEqual(INVALID_KEY);
    });

    it('validates backtest bodies fully, then answers a clear 501', async () => {
      for (const path of ['/api/v1/portfolio/backtest', '/api/v1/portfolio/tearsheet']) {
        const response = await t.post(path, { apikey: t.apiKey, ...backtestBody });
        expect(response.status).toBe(501);
        expect(response.json).toEqual({
          status: 'error',
          message: 'Portfolio backtesting is not supported by this server yet',
        });
        expect((await t.post(path, { apikey: BAD_KEY, ...backtestBody })).status).toBe(403);
      }
      const invalid = await t.post('/api/v1/portfolio/backtest', {
        apikey: t.apiKey,
        holdings: [{ symbol: 'SBIN', weight: -1, sector: 'x' }],
        start_date: '2024-13-01',
        rebalance: 'weekly',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.json).toEqual({
        status: 'error',
        message: {
          holdings: { '0': { weight: ['Must be greater than or equal to 0.'], sector: ['Unknown field.'] } },
          start_date: ['Not a valid date.'],
          end_date: ['Missing data for required field.'],
          rebalance: ['Must be one of: never, monthly, quarterly, yearly.'],
        },
      });
      const duplicate = await t.post('/api/v1/portfolio/backtest', {
        apikey: t.apiKey,
        ...backtestBody,
        holdings: [
          { symbol: 'SBIN', weight: 1 },
          { symbol: 'SBIN', weight: 1 },
        ],
      });
      expect(duplicate.json).toEqual({ status: 'error', message: 'duplicate symbol in holdings' });
      expect(
        (await t.post('/api/v1/portfolio/backtest', { apikey: t.apiKey, ...backtestBody, holdings: [] }))
          .json,
      ).toEqual({
        status: 'error',
        message: { holdings: ['Shorter than minimum length 1.'] },
      });
    });

    it('validates holdings analysis and needs a key', async () => {
      expect((await t.post('/api/v1/portfolio/holdings', { apikey: t.apiKey })).status).toBe(501);
      expect(
        (await t.post('/api/v1/portfolio/holdings', { apikey: t.apiKey, lookback_days: 30 })).json,
      ).toEqual({
        status: 'error',
        message: { lookback_days: ['Must be greater than or equal to 60 and less than or equal to 3650.'] },
      });
      expect((await t.post('/api/v1/portfolio/holdings', { apikey: BAD_KEY })).json).toEqual(INVALID_KEY);
    });
  });

  describe('/sip/*', () => {
    it('lists the frequencies without a key', async () => {
      const response = await get('/api/v1/sip/frequencies');
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        status: 'success',
        data: [
          { value: 'monthly', label: 'Monthly' },
          { value: 'fortnightly', label: 'Fortnightly' },
          { value: 'weekly', label: 'Weekly' },
          { value: 'quarterly', label: 'Quarterly' },
        ],
      });
    });

    it('validates the backtest body (E2)', async () => {
      const response = await t.post('/api/v1/sip/backtest', {
        apikey: t.apiKey,
        symbol: 'SBIN',
        start_date: '2020-1-1',
        end_date: '2024-01-01',
        amount: 0,
        frequency: 'daily',
        day_of_month: 29,
      });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        status: 'error',
        message: {
          start_date: ['Length must be 10.', 'Not a valid date.'],
          amount: ['Must be greater than or equal to 1 and less than or equal to 10000000.'],
          frequency: ['Must be one of: monthly, fortnightly, weekly, quarterly.'],
          day_of_month: ['Must be greater than or equal to 1 and less than or equal to 28.'],
        },
      });
      expect(
        (
          await t.post('/api/v1/sip/backtest', {
            apikey: BAD_KEY,
            symbol: 'SBIN',
            start_date: '2020-01-01',
            end_date: '2024-01-01',
            amount: 1000,
          })
        ).status,
      ).toBe(403);
    });
  });
});
