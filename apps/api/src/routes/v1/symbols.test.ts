import { testBackends } from '@openalgo/db/testing';
import {
  INSTRUMENT_CSV_COLUMNS,
  instrumentsResponseSchema,
  searchResponseSchema,
} from '@openalgo/shared-types';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DERIVATIVE_EXCHANGE_MESSAGE,
  EXCHANGE_MESSAGE,
  expectBadInputRefused,
} from '../../testing/route-checks.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { formatIst } from '../../time.js';

describe.each(testBackends())('symbol routes on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers one master-contract row with id and freeze_qty, 404 for an unknown one', async () => {
    const response = await t.post('/api/v1/symbol', { apikey: t.apiKey, symbol: 'SBIN', exchange: 'NSE' });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      status: 'success',
      data: {
        id: expect.any(Number),
        symbol: 'SBIN',
        brsymbol: 'SBIN',
        name: 'STATE BANK OF INDIA',
        exchange: 'NSE',
        brexchange: 'NSE',
        token: expect.stringMatching(/^\d+$/),
        expiry: '',
        strike: 0,
        lotsize: 1,
        instrumenttype: 'EQ',
        tick_size: 0.05,
        freeze_qty: 1,
      },
    });
    const missing = await t.post('/api/v1/symbol', { apikey: t.apiKey, symbol: 'SBIN', exchange: 'NFO' });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ status: 'error', message: 'Symbol SBIN not found in exchange NFO' });
  });

  it('searches by every term, ranked, and answers no hits with 200 and []', async () => {
    const response = await t.post('/api/v1/search', { apikey: t.apiKey, query: 'sbin' });
    const body = searchResponseSchema.parse(response.json);
    expect(
      body.data
        .map((row) => `${row.symbol}:${row.exchange}`)
        .slice(0, 2)
        .sort(),
    ).toEqual(['SBIN:BSE', 'SBIN:NSE']);
    expect(body.message).toBe(`Found ${body.data.length} matching symbols`);
    const options = searchResponseSchema.parse(
      (await t.post('/api/v1/search', { apikey: t.apiKey, query: 'nifty ce', exchange: 'NFO' })).json,
    );
    expect(options.data.length).toBeGreaterThan(10);
    expect(options.data.every((row) => row.symbol.includes('NIFTY') && row.symbol.endsWith('CE'))).toBe(true);
    const none = await t.post('/api/v1/search', { apikey: t.apiKey, query: 'zzzzqqq' });
    expect(none.json).toEqual({ status: 'success', message: 'No matching symbols found', data: [] });
    const blank = await t.post('/api/v1/search', { apikey: t.apiKey, query: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.json).toEqual({
      status: 'error',
      message: 'Query parameter is required and cannot be empty',
    });
  });

  it('treats SQL and LIKE metacharacters in a search as text', async () => {
    for (const query of ["'; drop table symbols; --", '%', '_', '\\', "%' or '1'='1"]) {
      const response = await t.post('/api/v1/search', { apikey: t.apiKey, query });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'success', message: 'No matching symbols found', data: [] });
    }
    const stillThere = await t.post('/api/v1/search', { apikey: t.apiKey, query: 'M&M' });
    expect(searchResponseSchema.parse(stillThere.json).data[0]?.symbol).toBe('M&M');
  });

  it('lists expiries today or later, ascending, as DD-MMM-YY', async () => {
    const response = await t.post('/api/v1/expiry', {
      apikey: t.apiKey,
      symbol: 'NIFTY',
      exchange: 'NFO',
      instrumenttype: 'options',
    });
    const body = response.json as { message: string; data: string[] };
    expect(body.data.length).toBeGreaterThanOrEqual(4);
    expect(body.message).toBe(`Found ${body.data.length} expiry dates for NIFTY options in NFO`);
    expect(body.data.every((date) => /^\d{2}-[A-Z]{3}-\d{2}$/.test(date))).toBe(true);
    const iso = body.data.map((date) =>
      new Date(`20${date.slice(7)}-${date.slice(3, 6)}-${date.slice(0, 2)}`).getTime(),
    );
    expect([...iso].sort((a, b) => a - b)).toEqual(iso);
    expect(new Set(body.data).size).toBe(body.data.length);
    const today = Date.parse(formatIst(Date.now(), 'yyyy-MM-dd'));
    expect(iso.every((time) => time >= today - 86_400_000)).toBe(true);
    const futures = await t.post('/api/v1/expiry', {
      apikey: t.apiKey,
      symbol: 'NIFTY',
      exchange: 'NFO',
      instrumenttype: 'futures',
    });
    expect((futures.json as { data: string[] }).data).toHaveLength(3);
    const none = await t.post('/api/v1/expiry', {
      apikey: t.apiKey,
      symbol: 'SBIN',
      exchange: 'MCX',
      instrumenttype: 'options',
    });
    expect(none.json).toEqual({
      status: 'success',
      message: 'No expiry dates found for SBIN options in MCX',
      data: [],
    });
  });

  it('lists instruments as JSON and as a CSV that parses back to the same rows', async () => {
    const json = await t.request(`/api/v1/instruments?apikey=${t.apiKey}&exchange=NSE`, { method: 'GET' });
    const body = instrumentsResponseSchema.parse(json.json);
    expect(body.data.length).toBeGreaterThan(40);
    expect(body.message).toBe(`Found ${body.data.length} instruments`);
    expect(body.data.every((row) => row.exchange === 'NSE')).toBe(true);
    expect(body.data[0]).not.toHaveProperty('id');

    const csv = await t.request(`/api/v1/instruments?apikey=${t.apiKey}&exchange=NSE&format=csv`, {
      method: 'GET',
    });
    expect(csv.status).toBe(200);
    expect(csv.contentType).toMatch(/^text\/csv/);
    const parsed = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(csv.text.split('\r\n')[0]).toBe(INSTRUMENT_CSV_COLUMNS.join(','));
    expect(
      parsed.map((row) => ({
        ...row,
        strike: Number(row.strike),
        lotsize: Number(row.lotsize),
        tick_size: Number(row.tick_size),
      })),
    ).toEqual(body.data);
    // M&M and names with commas or quotes survive the round trip.
    expect(parsed.some((row) => row.symbol === 'M&M')).toBe(true);

    const all = await fetch(`${t.baseUrl}/api/v1/instruments?apikey=${t.apiKey}&format=csv`);
    expect(all.headers.get('content-disposition')).toBe('attachment; filename=instruments_all.csv');
    const allRows = parse(await all.text(), { columns: true }) as Array<Record<string, string>>;
    expect(new Set(allRows.map((row) => row.exchange)).size).toBeGreaterThan(4);
  });

  it('answers instruments errors as JSON, or as plain text in CSV mode', async () => {
    const noKey = await t.request('/api/v1/instruments', { method: 'GET' });
    expect(noKey.status).toBe(400);
    expect(noKey.json).toEqual({ status: 'error', message: { apikey: ['Field may not be null.'] } });
    const wrongKey = await t.request(`/api/v1/instruments?apikey=${'0'.repeat(64)}&format=csv`, {
      method: 'GET',
    });
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.contentType).toMatch(/^text\/plain/);
    expect(wrongKey.text).toBe('Invalid openalgo apikey\n');
    const badExchange = await t.request(`/api/v1/instruments?apikey=${t.apiKey}&exchange=XX`, {
      method: 'GET',
    });
    expect(badExchange.json).toEqual({ status: 'error', message: { exchange: [EXCHANGE_MESSAGE] } });
    const unknown = await t.request(`/api/v1/instruments?apikey=${t.apiKey}&extra=1`, { method: 'GET' });
    expect(unknown.json).toEqual({ status: 'error', message: { extra: ['Unknown field.'] } });
  });

  it('refuses bad input on symbol, search and expiry', async () => {
    await expectBadInputRefused(t, {
      path: '/api/v1/symbol',
      valid: { apikey: t.apiKey, symbol: 'SBIN', exchange: 'NSE' },
      envelope: 'E2',
      required: 'symbol',
      enumField: { name: 'exchange', value: 'LSE', message: EXCHANGE_MESSAGE },
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/search',
      valid: { apikey: t.apiKey, query: 'sbi' },
      envelope: 'E2',
      required: 'query',
      enumField: { name: 'exchange', value: 'nse', message: EXCHANGE_MESSAGE },
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/expiry',
      valid: { apikey: t.apiKey, symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' },
      envelope: 'E2',
      required: 'instrumenttype',
      enumField: { name: 'exchange', value: 'NSE', message: DERIVATIVE_EXCHANGE_MESSAGE },
    });
  });
});
