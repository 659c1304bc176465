import type { BrokerAdapter } from '@openalgo/broker-sdk';
import { testBackends } from '@openalgo/db/testing';
import { historyResponseSchema, quotesResponseSchema } from '@openalgo/shared-types';
import { addDays } from 'date-fns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallPacer } from '../../services/market-data/call-pacer.js';
import { EXCHANGE_MESSAGE, expectBadInputRefused } from '../../testing/route-checks.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { formatIst } from '../../time.js';

const istDate = (daysAgo: number) => formatIst(addDays(Date.now(), -daysAgo).getTime(), 'yyyy-MM-dd');

describe.each(testBackends())('market data routes on %s', (backend) => {
  let t: TestApp;
  let broker: BrokerAdapter;

  beforeAll(async () => {
    t = await startTestApp(backend, { env: { HISTORY_SPACING_MS: '0' } });
    broker = t.app.services.broker;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers a quote with the contract shape and numbers', async () => {
    const response = await t.post('/api/v1/quotes', { apikey: t.apiKey, symbol: 'SBIN', exchange: 'NSE' });
    expect(response.status).toBe(200);
    const body = quotesResponseSchema.parse(response.json);
    expect(Object.keys(body.data).sort()).toEqual(
      ['ask', 'bid', 'high', 'low', 'ltp', 'oi', 'open', 'prev_close', 'volume'].sort(),
    );
    expect(body.data.ltp).toBeGreaterThan(0);
    expect(body.data.bid).toBeLessThanOrEqual(body.data.ask);
    expect(body.data.low).toBeLessThanOrEqual(body.data.high);
    expect(body.data.oi).toBe(0);
  });

  it('refuses an unlisted symbol with the contract 400', async () => {
    const response = await t.post('/api/v1/quotes', { apikey: t.apiKey, symbol: 'NOPE', exchange: 'NSE' });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      status: 'error',
      message:
        "Symbol 'NOPE' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded.",
    });
  });

  it('lists unlisted symbols first, batches the rest by the broker quote batch', async () => {
    const options = t.app.services.symbols
      .derivativesOf('NIFTY', 'NFO')
      .concat(t.app.services.symbols.derivativesOf('SENSEX', 'BFO'))
      .concat(t.app.services.symbols.derivativesOf('BANKNIFTY', 'NFO'))
      .slice(0, broker.limits.quoteBatch + 7);
    expect(options.length).toBe(broker.limits.quoteBatch + 7);
    const symbols = [
      { symbol: 'RELIANCE', exchange: 'NSE' },
      { symbol: 'GHOST', exchange: 'NSE' },
      ...options.map((row) => ({ symbol: row.symbol, exchange: row.exchange })),
    ];
    const spy = vi.spyOn(broker.marketData, 'fetchQuotes');
    try {
      const response = await t.post('/api/v1/multiquotes', { apikey: t.apiKey, symbols });
      expect(response.status).toBe(200);
      const body = response.json as { status: string; results: Array<Record<string, unknown>> };
      expect(body.status).toBe('success');
      expect(body.results).toHaveLength(symbols.length);
      expect(body.results[0]).toEqual({
        symbol: 'GHOST',
        exchange: 'NSE',
        error:
          "Symbol 'GHOST' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded.",
      });
      expect(body.results.slice(1).map((row) => row.symbol)).toEqual(
        symbols.filter((pair) => pair.symbol !== 'GHOST').map((pair) => pair.symbol),
      );
      expect(
        body.results.slice(1).every((row) => typeof (row.data as { ltp?: unknown })?.ltp === 'number'),
      ).toBe(true);
      expect(spy.mock.calls.map(([instruments]) => instruments.length)).toEqual([
        broker.limits.quoteBatch,
        8,
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers 400 with invalid_symbols when none is listed', async () => {
    const response = await t.post('/api/v1/multiquotes', {
      apikey: t.apiKey,
      symbols: [{ symbol: 'A1', exchange: 'NSE' }],
    });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      status: 'error',
      message: expect.stringContaining("Symbol 'A1' not found"),
      invalid_symbols: [{ symbol: 'A1', exchange: 'NSE', error: expect.stringContaining("'A1'") }],
    });
  });

  it('answers depth with five levels a side, consistent with the quote', async () => {
    const depth = await t.post('/api/v1/depth', { apikey: t.apiKey, symbol: 'INFY', exchange: 'NSE' });
    expect(depth.status).toBe(200);
    const data = (depth.json as { data: Record<string, unknown> }).data as {
      asks: Array<{ price: number; quantity: number }>;
      bids: Array<{ price: number; quantity: number }>;
      ltp: number;
      totalbuyqty: number;
    };
    expect(data.asks).toHaveLength(5);
    expect(data.bids).toHaveLength(5);
    expect(data.bids[0]?.price ?? 0).toBeLessThan(data.asks[0]?.price ?? 0);
    expect(data.totalbuyqty).toBe(data.bids.reduce((sum, level) => sum + level.quantity, 0));
    const quote = await t.post('/api/v1/quotes', { apikey: t.apiKey, symbol: 'INFY', exchange: 'NSE' });
    expect((quote.json as { data: { bid: number } }).data.bid).toBe(data.bids[0]?.price);
  });

  it('buckets the broker intervals', async () => {
    const response = await t.post('/api/v1/intervals', { apikey: t.apiKey });
    expect(response.json).toEqual({
      status: 'success',
      data: {
        seconds: ['1s', '5s', '10s', '15s', '30s', '45s'],
        minutes: ['1m', '2m', '3m', '5m', '10m', '15m', '20m', '30m'],
        hours: ['1h', '2h', '3h', '4h'],
        days: ['D'],
        weeks: ['W'],
        months: ['M'],
      },
    });
  });

  it('answers history over several broker chunks, ascending and without duplicates, then from the store', async () => {
    const spy = vi.spyOn(broker.marketData, 'fetchHistory');
    const maxDays = broker.limits.historyMaxDays['1m'] ?? 0;
    const body = {
      apikey: t.apiKey,
      symbol: 'TCS',
      exchange: 'NSE',
      interval: '1m',
      start_date: istDate(maxDays + 20),
      end_date: istDate(0),
    };
    let bars: Array<{ timestamp: number; open: number; high: number; low: number; close: number }>;
    try {
      const response = await t.post('/api/v1/history', body);
      expect(response.status).toBe(200);
      bars = historyResponseSchema.parse(response.json).data;
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
    expect(bars.length).toBeGreaterThan(375 * 30);
    for (let index = 1; index < bars.length; index += 1) {
      expect(bars[index]?.timestamp ?? 0).toBeGreaterThan(bars[index - 1]?.timestamp ?? 0);
    }
    for (const bar of bars) {
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
    }
    const stored = await t.post('/api/v1/history', { ...body, source: 'db' });
    expect(stored.status).toBe(200);
    // Against the first answer, not a fresh fetch: a fresh one may hold a minute more of today's bars.
    expect(historyResponseSchema.parse(stored.json).data).toEqual(bars);
  });

  it('answers daily history stamped at 00:00 UTC and a 404 from an empty store', async () => {
    const daily = await t.post('/api/v1/history', {
      apikey: t.apiKey,
      symbol: 'NIFTY',
      exchange: 'NSE_INDEX',
      interval: 'D',
      start_date: istDate(30),
      end_date: istDate(0),
    });
    const bars = historyResponseSchema.parse(daily.json).data;
    expect(bars.length).toBeGreaterThan(15);
    expect(bars.every((bar) => bar.timestamp % 86_400 === 0)).toBe(true);
    const missing = await t.post('/api/v1/history', {
      apikey: t.apiKey,
      symbol: 'WIPRO',
      exchange: 'NSE',
      interval: '5m',
      start_date: istDate(3),
      end_date: istDate(0),
      source: 'db',
    });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      status: 'error',
      message:
        'No data found for WIPRO:NSE interval 5m in local database. Download data first using Historify.',
    });
  });

  it('refuses an interval the broker does not serve, and a broker failure with its status', async () => {
    const base = {
      apikey: t.apiKey,
      symbol: 'SBIN',
      exchange: 'NSE',
      start_date: istDate(2),
      end_date: istDate(0),
    };
    const quarterly = await t.post('/api/v1/history', { ...base, interval: 'Q' });
    expect(quarterly.status).toBe(400);
    expect((quarterly.json as { message: string }).message).toMatch(/^Interval 'Q' is not supported/);
    const simulator = broker as BrokerAdapter & {
      control: { failNext(kind: string, operation: string): void };
    };
    simulator.control.failNext('bad-response', 'fetchQuotes');
    const failed = await t.post('/api/v1/quotes', { apikey: t.apiKey, symbol: 'SBIN', exchange: 'NSE' });
    expect(failed.status).toBe(502);
    expect(failed.json).toEqual({ status: 'error', message: 'Simulator answered nonsense (injected)' });
  });

  it('serves ticker bars as JSON and as IST text lines', async () => {
    const query = `apikey=${t.apiKey}&from=${istDate(10)}&to=${istDate(0)}`;
    const json = await t.request(`/api/v1/ticker/NSE:SBIN?${query}`, { method: 'GET' });
    expect(json.status).toBe(200);
    const bars = (json.json as { data: Array<Record<string, number>> }).data;
    expect(bars.length).toBeGreaterThan(4);
    expect(Object.keys(bars[0] ?? {}).sort()).toEqual([
      'close',
      'high',
      'low',
      'open',
      'timestamp',
      'volume',
    ]);
    const text = await t.request(`/api/v1/ticker/NSE:SBIN?${query}&format=txt`, { method: 'GET' });
    expect(text.contentType).toMatch(/^text\/plain/);
    const lines = text.text.trimEnd().split('\n');
    expect(lines).toHaveLength(bars.length);
    const first = bars[0] as Record<string, number>;
    const float = (value: number | undefined) => (Number.isInteger(value) ? `${value}.0` : String(value));
    expect(lines[0]).toBe(
      `NSE:SBIN,${formatIst((first.timestamp ?? 0) * 1000, 'yyyy-MM-dd')},${[first.open, first.high, first.low, first.close].map(float).join(',')},${first.volume}`,
    );
    const intraday = await t.request(`/api/v1/ticker/NSE:SBIN?${query}&interval=5m&format=txt`, {
      method: 'GET',
    });
    expect(intraday.text.split('\n')[0]).toMatch(
      /^NSE:SBIN,\d{4}-\d{2}-\d{2},09:15:00,[\d.]+,[\d.]+,[\d.]+,[\d.]+,\d+$/,
    );
  });

  it('answers ticker errors in the asked format and refuses a path without EXCHANGE:SYMBOL', async () => {
    const query = `from=${istDate(3)}&to=${istDate(0)}`;
    const wrongKey = await t.request(`/api/v1/ticker/NSE:SBIN?apikey=${'0'.repeat(64)}&${query}&format=txt`, {
      method: 'GET',
    });
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.text).toBe('Invalid openalgo apikey\n');
    const noDates = await t.request(`/api/v1/ticker/NSE:SBIN?apikey=${t.apiKey}`, { method: 'GET' });
    expect(noDates.json).toEqual({
      status: 'error',
      message: { from: ['Field may not be null.'], to: ['Field may not be null.'] },
    });
    const noColon = await t.request(`/api/v1/ticker/SBIN?apikey=${t.apiKey}&${query}`, { method: 'GET' });
    expect(noColon.status).toBe(400);
    expect(noColon.json).toEqual({
      status: 'error',
      message: 'Invalid symbol. Use EXCHANGE:SYMBOL, e.g. NSE:SBIN',
    });
    const unknown = await t.request(`/api/v1/ticker/NSE:NOPE?apikey=${t.apiKey}&${query}&format=txt`, {
      method: 'GET',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('Symbol NOPE not found in exchange NSE\n');
  });

  it.each([
    { path: '/api/v1/quotes', required: 'symbol' },
    { path: '/api/v1/depth', required: 'exchange' },
  ])('refuses bad input on $path', async ({ path, required }) => {
    await expectBadInputRefused(t, {
      path,
      valid: { apikey: t.apiKey, symbol: 'SBIN', exchange: 'NSE' },
      envelope: 'E2',
      required,
      enumField: { name: 'exchange', value: 'nse', message: EXCHANGE_MESSAGE },
    });
  });

  it('refuses bad input on multiquotes, intervals and history', async () => {
    await expectBadInputRefused(t, {
      path: '/api/v1/multiquotes',
      valid: { apikey: t.apiKey, symbols: [{ symbol: 'SBIN', exchange: 'NSE' }] },
      envelope: 'E2',
      required: 'symbols',
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/intervals',
      valid: { apikey: t.apiKey },
      envelope: 'E2',
      required: 'apikey',
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/history',
      valid: {
        apikey: t.apiKey,
        symbol: 'SBIN',
        exchange: 'NSE',
        interval: 'D',
        start_date: istDate(5),
        end_date: istDate(0),
      },
      envelope: 'E2',
      required: 'start_date',
      enumField: { name: 'source', value: 'disk', message: 'Must be one of: api, db.' },
    });
  });
});

describe('call pacer', () => {
  it('spaces calls in arrival order instead of refusing them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const pacer = new CallPacer(350);
      const resolved: number[] = [];
      const waits = [0, 1, 2].map((index) => pacer.wait().then(() => resolved.push(index)));
      await vi.advanceTimersByTimeAsync(0);
      expect(resolved).toEqual([0]);
      await vi.advanceTimersByTimeAsync(349);
      expect(resolved).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      expect(resolved).toEqual([0, 1]);
      await vi.advanceTimersByTimeAsync(350);
      await Promise.all(waits);
      expect(resolved).toEqual([0, 1, 2]);
    } finally {
      vi.useRealTimers();
    }
  });
});
