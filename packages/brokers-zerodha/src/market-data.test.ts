import { BadSymbolError, InvalidOrderError, NotSupportedError } from '@openalgo/broker-sdk';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';

const NOW = Date.parse('2026-11-24T04:00:00.000Z');
const DAY = 86_400_000;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ fake: { now: () => NOW } });
});

afterAll(async () => {
  await harness.close();
});

beforeEach(() => {
  harness.fake.control.clearRequests();
  harness.fake.control.clearFaults();
});

describe('quotes and depth', () => {
  it("asks /quote for EXCHANGE:tradingsymbol keys (indices under Kite's own exchange) and maps each", async () => {
    harness.fake.control.setPrice('NSE', 'SBIN', '801.35');
    const sbin = harness.instrument('SBIN', 'NSE');
    const nifty = harness.instrument('NIFTY', 'NSE_INDEX');
    const results = await harness.broker.marketData.fetchQuotes([sbin, nifty], harness.context);
    const request = harness.fake.requests[0];
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/quote');
    expect(request?.query).toEqual([
      ['i', 'NSE:SBIN'],
      ['i', 'NSE:NIFTY 50'],
    ]);
    const [first, second] = results;
    expect(first?.ok).toBe(true);
    const state = harness.fake.market.state(harness.fake.control.instrument('NSE', 'SBIN'));
    expect(first?.ok && first.quote).toEqual({
      ltp: '801.35',
      open: state.open.toString(),
      high: state.high.toString(),
      low: state.low.toString(),
      prevClose: state.close.toString(),
      bid: '801.3',
      ask: '801.4',
      volume: state.volume,
      oi: 0,
      lastTradeTime: NOW,
    });
    expect(second?.ok && second.quote).toMatchObject({
      ltp: '24000',
      prevClose: '24000',
      bid: '0',
      ask: '0',
      volume: 0,
    });
  });

  it('reports an instrument Kite does not know as a per-item BadSymbolError', async () => {
    const ghost: ResolvedInstrument = {
      ...harness.instrument('SBIN', 'NSE'),
      symbol: 'GHOST',
      brSymbol: 'GHOST',
    };
    const results = await harness.broker.marketData.fetchQuotes(
      [harness.instrument('SBIN', 'NSE'), ghost],
      harness.context,
    );
    expect(results.map((result) => result.ok)).toEqual([true, false]);
    const failed = results[1];
    expect(failed && !failed.ok && BadSymbolError.isInstance(failed.error)).toBe(true);
    expect(failed && !failed.ok && failed.error.message).toBe('Kite has no quote for GHOST on NSE');
  });

  it('refuses more than 500 instruments per call (the core batches)', async () => {
    const sbin = harness.instrument('SBIN', 'NSE');
    await expect(
      harness.broker.marketData.fetchQuotes(
        Array.from({ length: 501 }, () => sbin),
        harness.context,
      ),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
    expect(harness.fake.requests).toEqual([]);
  });

  it('returns five levels of depth, padded or cut to the levels asked for', async () => {
    harness.fake.control.setPrice('NSE', 'INFY', '1500');
    const infy = harness.instrument('INFY', 'NSE');
    const depth = await harness.broker.marketData.fetchDepth(infy, 5, harness.context);
    expect(depth.bids).toEqual([
      { price: '1499.95', quantity: 100, orders: 1 },
      { price: '1499.9', quantity: 200, orders: 2 },
      { price: '1499.85', quantity: 300, orders: 3 },
      { price: '1499.8', quantity: 400, orders: 4 },
      { price: '1499.75', quantity: 500, orders: 5 },
    ]);
    expect(depth.asks[0]).toEqual({ price: '1500.05', quantity: 120, orders: 2 });
    expect(depth).toMatchObject({ ltp: '1500', ltq: 1 });
    const padded = await harness.broker.marketData.fetchDepth(infy, 7, harness.context);
    expect(padded.bids).toHaveLength(7);
    expect(padded.bids[6]).toEqual({ price: '0', quantity: 0, orders: 0 });
  });
});

describe('history', () => {
  it("advertises every Kite interval under OpenAlgo's names", () => {
    expect(harness.broker.marketData.intervals).toEqual(['1m', '3m', '5m', '10m', '15m', '30m', '1h', 'D']);
    expect(harness.broker.limits.historyMaxDays).toEqual({
      '1m': 60,
      '3m': 100,
      '5m': 100,
      '10m': 100,
      '15m': 200,
      '30m': 200,
      '1h': 400,
      D: 2000,
    });
  });

  it('fetches a chunk by instrument token with IST from/to and maps candles', async () => {
    const sbin = harness.instrument('SBIN', 'NSE');
    // 2026-11-23 09:15–09:17 IST (a Monday).
    const from = Date.parse('2026-11-23T03:45:00.000Z');
    const to = Date.parse('2026-11-23T03:47:00.000Z');
    const candles = await harness.broker.marketData.fetchHistory(
      { instrument: sbin, interval: '1m', from, to, includeOi: true },
      harness.context,
    );
    const request = harness.fake.requests[0];
    expect(request?.path).toBe(`/instruments/historical/${sbin.token.split('::::')[0]}/minute`);
    expect(request?.query).toEqual([
      ['from', '2026-11-23 09:15:00'],
      ['to', '2026-11-23 09:17:00'],
      ['oi', '1'],
    ]);
    expect(candles.map((candle) => candle.time)).toEqual([from / 1000, from / 1000 + 60, from / 1000 + 120]);
    for (const candle of candles) {
      expect(Number(candle.high)).toBeGreaterThanOrEqual(Number(candle.low));
      expect(candle.volume).toBeGreaterThan(0);
    }
  });

  it('puts daily bars at 00:00 UTC of their IST date', async () => {
    const sbin = harness.instrument('SBIN', 'NSE');
    const candles = await harness.broker.marketData.fetchHistory(
      {
        instrument: sbin,
        interval: 'D',
        from: Date.parse('2026-11-16T00:00:00+05:30'),
        to: Date.parse('2026-11-20T23:59:00+05:30'),
      },
      harness.context,
    );
    expect(harness.fake.requests[0]?.path).toMatch(/\/day$/);
    expect(candles.map((candle) => candle.time)).toEqual(
      [16, 17, 18, 19, 20].map((day) => Date.UTC(2026, 10, day) / 1000),
    );
  });

  it("maps 1h to Kite's 60minute bars (09:15 … 15:15)", async () => {
    const sbin = harness.instrument('SBIN', 'NSE');
    const day = Date.parse('2026-11-23T00:00:00+05:30');
    const candles = await harness.broker.marketData.fetchHistory(
      { instrument: sbin, interval: '1h', from: day, to: day + DAY - 1 },
      harness.context,
    );
    expect(harness.fake.requests[0]?.path).toMatch(/\/60minute$/);
    expect(candles).toHaveLength(7);
    expect(candles[0]?.time).toBe(Date.parse('2026-11-23T09:15:00+05:30') / 1000);
  });

  it("refuses a chunk beyond Kite's cap for the interval, and unsupported intervals", async () => {
    const sbin = harness.instrument('SBIN', 'NSE');
    await expect(
      harness.broker.marketData.fetchHistory(
        { instrument: sbin, interval: '1m', from: NOW - 61 * DAY, to: NOW },
        harness.context,
      ),
    ).rejects.toSatisfy(InvalidOrderError.isInstance);
    await expect(
      harness.broker.marketData.fetchHistory(
        { instrument: sbin, interval: 'W', from: NOW - DAY, to: NOW },
        harness.context,
      ),
    ).rejects.toSatisfy(NotSupportedError.isInstance);
    expect(harness.fake.requests).toEqual([]);
    // The fake enforces the same cap as Kite: a client that ignored it gets Kite's InputException.
    const response = await fetch(
      `${harness.fake.baseUrl}/instruments/historical/${sbin.token.split('::::')[0]}/minute?from=2026-01-01&to=2026-03-30`,
      {
        headers: {
          'X-Kite-Version': '3',
          Authorization: `token ${harness.fake.apiKey}:${harness.session.accessToken}`,
        },
      },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: 'error',
      message: 'interval exceeds max limit: 60 days',
      data: null,
      error_type: 'InputException',
    });
  });
});
