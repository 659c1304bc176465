import { testBackends } from '@openalgo/db/testing';
import {
  multiOptionGreeksResponseSchema,
  optionChainResponseSchema,
  optionGreeksResponseSchema,
  optionSymbolResponseSchema,
  syntheticFutureResponseSchema,
} from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DERIVATIVE_EXCHANGE_MESSAGE,
  EXCHANGE_MESSAGE,
  expectBadInputRefused,
} from '../../testing/route-checks.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

describe.each(testBackends())('options routes on %s', (backend) => {
  let t: TestApp;
  /** The second NIFTY option expiry (the first may be today, past its cut-off). */
  let expiry: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    const response = await t.post('/api/v1/expiry', {
      apikey: t.apiKey,
      symbol: 'NIFTY',
      exchange: 'NFO',
      instrumenttype: 'options',
    });
    expiry = ((response.json as { data: string[] }).data[1] ?? '').replaceAll('-', '');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const optionSymbol = async (offset: string, optionType: string, extra: Record<string, unknown> = {}) =>
    t.post('/api/v1/optionsymbol', {
      apikey: t.apiKey,
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      expiry_date: expiry,
      offset,
      option_type: optionType,
      ...extra,
    });
  const strikeOf = (symbol: string) => Number(symbol.slice(`NIFTY${expiry}`.length, -2));

  it('resolves ATM and ITM/OTM offsets over the listed strikes', async () => {
    const atm = optionSymbolResponseSchema.parse((await optionSymbol('ATM', 'CE')).json);
    expect(atm.symbol).toMatch(new RegExp(`^NIFTY${expiry}\\d+CE$`));
    expect(atm).toMatchObject({ exchange: 'NFO', lotsize: 75, tick_size: 0.05, freeze_qty: 1 });
    const atmStrike = strikeOf(atm.symbol);
    expect(Math.abs(atmStrike - atm.underlying_ltp)).toBeLessThanOrEqual(25);
    const itmCall = optionSymbolResponseSchema.parse((await optionSymbol('itm2', 'ce')).json);
    const itmPut = optionSymbolResponseSchema.parse((await optionSymbol('ITM2', 'PE')).json);
    const otmPut = optionSymbolResponseSchema.parse((await optionSymbol('OTM3', 'PE')).json);
    expect(strikeOf(itmCall.symbol)).toBe(atmStrike - 100);
    expect(strikeOf(itmPut.symbol)).toBe(atmStrike + 100);
    expect(strikeOf(otmPut.symbol)).toBe(atmStrike - 150);
    expect(otmPut.symbol.endsWith('PE')).toBe(true);
    const arithmetic = optionSymbolResponseSchema.parse(
      (await optionSymbol('OTM1', 'CE', { strike_int: 50 })).json,
    );
    expect(strikeOf(arithmetic.symbol)).toBe(atmStrike + 50);
    const embedded = await t.post('/api/v1/optionsymbol', {
      apikey: t.apiKey,
      underlying: `NIFTY${expiry}FUT`,
      exchange: 'NFO',
      offset: 'ATM',
      option_type: 'PE',
    });
    expect(optionSymbolResponseSchema.parse(embedded.json).symbol).toBe(atm.symbol.replace(/CE$/, 'PE'));
  });

  it('answers the contract errors of option resolution', async () => {
    const noExpiry = await t.post('/api/v1/optionsymbol', {
      apikey: t.apiKey,
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      offset: 'ATM',
      option_type: 'CE',
    });
    expect(noExpiry.status).toBe(400);
    expect((noExpiry.json as { message: string }).message).toMatch(/^Expiry date required/);
    const outOfRange = await optionSymbol('OTM50', 'CE');
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.json).toEqual({
      status: 'error',
      message: 'Offset OTM50 is out of range for available strikes. Please use a smaller offset.',
    });
    const lowerCase = await optionSymbol('ATM', 'CE', { expiry_date: expiry.toLowerCase() });
    expect(lowerCase.status).toBe(404);
    expect((lowerCase.json as { message: string }).message).toMatch(/^No strikes found for NIFTY expiring/);
    const badOffset = await optionSymbol('ATM1', 'CE');
    expect(badOffset.json).toEqual({
      status: 'error',
      message: 'Validation error',
      errors: { offset: ['Offset must be ATM, ITM1-ITM50, or OTM1-OTM50'] },
    });
  });

  it('assembles the chain around ATM with CE/PE symbols, labels and sane Greeks', async () => {
    const response = await t.post('/api/v1/optionchain', {
      apikey: t.apiKey,
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      expiry_date: expiry,
      strike_count: 5,
      with_greeks: true,
      interest_rate: 6.5,
    });
    expect(response.status).toBe(200);
    const chain = optionChainResponseSchema.parse(response.json);
    expect(chain).toMatchObject({
      underlying: 'NIFTY',
      underlying_symbol: 'NIFTY',
      underlying_exchange: 'NSE_INDEX',
    });
    expect(chain.chain).toHaveLength(11);
    const strikes = chain.chain.map((row) => row.strike);
    expect(strikes).toEqual([...strikes].sort((a, b) => a - b));
    expect(chain.chain[5]?.strike).toBe(chain.atm_strike);
    expect(chain.forward_price).toBeGreaterThan(0);
    expect(chain.expiry_ts).toBeGreaterThan(chain.server_ts);
    for (const [index, row] of chain.chain.entries()) {
      const distance = Math.abs(index - 5);
      expect(row.ce?.symbol).toBe(`NIFTY${expiry}${row.strike}CE`);
      expect(row.pe?.symbol).toBe(`NIFTY${expiry}${row.strike}PE`);
      expect(row.ce?.label).toBe(index === 5 ? 'ATM' : index < 5 ? `ITM${distance}` : `OTM${distance}`);
      expect(row.pe?.label).toBe(index === 5 ? 'ATM' : index < 5 ? `OTM${distance}` : `ITM${distance}`);
      expect(row.ce?.ltp).toBeGreaterThan(0);
      if ((row.ce?.implied_volatility ?? 0) > 0) {
        expect(row.ce?.delta).toBeGreaterThan(0);
        expect(row.ce?.delta).toBeLessThan(1);
        expect(row.ce?.gamma).toBeGreaterThan(0);
      }
      if ((row.pe?.implied_volatility ?? 0) > 0) {
        expect(row.pe?.delta).toBeLessThan(0);
        expect(row.pe?.delta).toBeGreaterThan(-1);
        expect(row.pe?.gamma).toBeGreaterThan(0);
      }
    }
    const atm = chain.chain[5];
    expect(atm?.ce?.implied_volatility).toBeGreaterThan(3);
    expect(atm?.ce?.implied_volatility).toBeLessThan(60);
    const plain = optionChainResponseSchema.parse(
      (
        await t.post('/api/v1/optionchain', {
          apikey: t.apiKey,
          underlying: 'NIFTY',
          exchange: 'NSE_INDEX',
          expiry_date: expiry,
          strike_count: 2,
        })
      ).json,
    );
    expect(plain.greeks_included).toBe(false);
    expect(plain.forward_price).toBeNull();
    expect(plain.chain[0]?.ce).not.toHaveProperty('delta');
  });

  it('computes one option’s Greeks: call delta in (0,1), put delta in (-1,0), gamma > 0', async () => {
    const atm = optionSymbolResponseSchema.parse((await optionSymbol('ATM', 'CE')).json);
    const call = await t.post('/api/v1/optiongreeks', {
      apikey: t.apiKey,
      symbol: atm.symbol,
      exchange: 'NFO',
    });
    expect(call.status).toBe(200);
    const greeks = optionGreeksResponseSchema.parse(call.json);
    expect(greeks.greeks.delta).toBeGreaterThan(0);
    expect(greeks.greeks.delta).toBeLessThan(1);
    expect(greeks.greeks.gamma).toBeGreaterThan(0);
    expect(greeks.greeks.theta).toBeLessThan(0);
    expect(greeks.implied_volatility).toBeGreaterThan(3);
    expect(greeks.expiry_date).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4}$/);
    const put = optionGreeksResponseSchema.parse(
      (
        await t.post('/api/v1/optiongreeks', {
          apikey: t.apiKey,
          symbol: atm.symbol.replace(/CE$/, 'PE'),
          exchange: 'NFO',
          forward_price: greeks.spot_price,
          interest_rate: '6.5',
        })
      ).json,
    );
    expect(put.greeks.delta).toBeLessThan(0);
    expect(put.greeks.delta).toBeGreaterThan(-1);
    expect(put.interest_rate).toBe(6.5);
    const nullBody = await t.post('/api/v1/optiongreeks', 'null');
    expect(nullBody.status).toBe(400);
    expect(nullBody.json).toEqual({ status: 'error', message: 'Request body is missing or invalid JSON' });
  });

  it('reports multi-Greeks per symbol with partial status, request order kept', async () => {
    const atm = optionSymbolResponseSchema.parse((await optionSymbol('ATM', 'PE')).json);
    const response = await t.post('/api/v1/multioptiongreeks', {
      apikey: t.apiKey,
      symbols: [
        { symbol: 'NIFTY01JAN2099000CE', exchange: 'NFO' },
        { symbol: atm.symbol, exchange: 'NFO' },
      ],
    });
    expect(response.status).toBe(200);
    const body = multiOptionGreeksResponseSchema.parse(response.json);
    expect(body.status).toBe('partial');
    expect(body.summary).toEqual({ total: 2, success: 1, failed: 1 });
    expect(body.data[0]).toMatchObject({ status: 'error', symbol: 'NIFTY01JAN2099000CE' });
    expect(body.data[1]).toMatchObject({ status: 'success', symbol: atm.symbol });
    expect(body.message).toMatch(/^1 option Greeks calculation\(s\) failed: /);
  });

  it('prices the synthetic future near the underlying', async () => {
    const response = await t.post('/api/v1/syntheticfuture', {
      apikey: t.apiKey,
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      expiry_date: expiry,
    });
    expect(response.status).toBe(200);
    const body = syntheticFutureResponseSchema.parse(response.json);
    expect(body).toMatchObject({ underlying: 'NIFTY', expiry });
    expect(Math.abs(body.synthetic_future_price / body.underlying_ltp - 1)).toBeLessThan(0.03);
    expect(body.atm_strike % 50).toBe(0);
  });

  it('refuses bad input on every options route', async () => {
    const symbolBody = { apikey: t.apiKey, underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: expiry };
    await expectBadInputRefused(t, {
      path: '/api/v1/optionsymbol',
      valid: { ...symbolBody, offset: 'ATM', option_type: 'CE' },
      envelope: 'E3',
      required: 'offset',
      enumField: { name: 'option_type', value: 'XE', message: 'Must be one of: CE, PE, ce, pe.' },
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/optionchain',
      valid: { ...symbolBody, strike_count: 2 },
      envelope: 'E3',
      required: 'expiry_date',
      enumField: { name: 'exchange', value: 'X', message: EXCHANGE_MESSAGE },
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/syntheticfuture',
      valid: symbolBody,
      envelope: 'E3',
      required: 'underlying',
    });
    const atm = optionSymbolResponseSchema.parse((await optionSymbol('ATM', 'CE')).json);
    await expectBadInputRefused(t, {
      path: '/api/v1/optiongreeks',
      valid: { apikey: t.apiKey, symbol: atm.symbol, exchange: 'NFO' },
      envelope: 'E4',
      required: 'symbol',
      enumField: { name: 'exchange', value: 'NSE', message: DERIVATIVE_EXCHANGE_MESSAGE },
      invalidKeyStatus: 401,
    });
    await expectBadInputRefused(t, {
      path: '/api/v1/multioptiongreeks',
      valid: { apikey: t.apiKey, symbols: [{ symbol: atm.symbol, exchange: 'NFO' }] },
      envelope: 'E4',
      required: 'symbols',
      invalidKeyStatus: 401,
    });
  });
});
