import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCandles, upsertCandles } from './queries/candles.js';
import { replaceSymbols, searchSymbolTerms } from './queries/symbols.js';
import type { NewSymbolRow } from './tables/symbols.js';
import { createTestDatabase, type TestDatabase, testBackends } from './testing.js';

function symbolRow(overrides: Partial<NewSymbolRow>): NewSymbolRow {
  return {
    broker: 'simulator',
    symbol: 'SBIN',
    brsymbol: 'SBIN-EQ',
    name: 'STATE BANK OF INDIA',
    exchange: 'NSE',
    brexchange: 'NSE',
    token: '3045',
    expiry: '',
    expiry_date: null,
    strike: '0',
    lotsize: 1,
    instrumenttype: 'EQ',
    tick_size: '0.05',
    contract_value: null,
    ...overrides,
  };
}

describe.each(testBackends())('market data store on %s', (backend) => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
    await replaceSymbols(handle.db, 'simulator', [
      [
        symbolRow({}),
        symbolRow({ symbol: 'SBICARD', brsymbol: 'SBICARD-EQ', token: '17971', name: 'SBI CARDS' }),
        symbolRow({ symbol: 'SBIN', exchange: 'BSE', brexchange: 'BSE', token: '500112' }),
        symbolRow({ symbol: 'M&M', brsymbol: 'M&M-EQ', token: '2031', name: 'MAHINDRA & MAHINDRA' }),
        symbolRow({ symbol: 'UNDER_SCORE', brsymbol: 'U_S', token: '77', name: '100% PURE' }),
        symbolRow({
          symbol: 'NIFTY28NOV2424000CE',
          brsymbol: 'NIFTY24N2824000CE',
          name: 'NIFTY',
          exchange: 'NFO',
          brexchange: 'NFO',
          token: '9001',
          expiry: '28-NOV-24',
          expiry_date: '2024-11-28',
          strike: '24000',
          lotsize: 75,
          instrumenttype: 'CE',
        }),
        symbolRow({
          symbol: 'NIFTY28NOV2424000PE',
          brsymbol: 'NIFTY24N2824000PE',
          name: 'NIFTY',
          exchange: 'NFO',
          brexchange: 'NFO',
          token: '9002',
          expiry: '28-NOV-24',
          expiry_date: '2024-11-28',
          strike: '24000',
          lotsize: 75,
          instrumenttype: 'PE',
        }),
      ],
    ]);
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  const search = async (query: string, exchange?: string) =>
    (await searchSymbolTerms(handle.db, { query, exchange })).map((row) => `${row.symbol}:${row.exchange}`);

  it('searches every term in symbol, broker symbol, name or token, ranked exact, prefix, substring', async () => {
    expect(await search('sbin')).toEqual(['SBIN:BSE', 'SBIN:NSE']);
    expect(await search('sbi', 'NSE')).toEqual(['SBIN:NSE', 'SBICARD:NSE']);
    expect(await search('cards')).toEqual(['SBICARD:NSE']);
    expect(await search('17971')).toEqual(['SBICARD:NSE']);
    expect(await search('nifty 24000 pe')).toEqual(['NIFTY28NOV2424000PE:NFO']);
    expect(await search('  nifty   ce  ')).toEqual(['NIFTY28NOV2424000CE:NFO']);
    expect(await search('M&M')).toEqual(['M&M:NSE']);
  });

  it('treats LIKE and SQL metacharacters as plain text', async () => {
    expect(await search('%')).toEqual(['UNDER_SCORE:NSE']);
    expect(await search('_')).toEqual(['UNDER_SCORE:NSE']);
    expect(await search("%' or 1=1 --")).toEqual([]);
    expect(await search('\\')).toEqual([]);
    expect(await search('')).toEqual([]);
  });

  it('stores bars, replaces a re-downloaded bar and lists a range ascending', async () => {
    const series = { symbol: 'SBIN', exchange: 'NSE', interval: '1m' };
    const bar = (time: number, close: string) => ({
      time,
      open: '800.05',
      high: '801',
      low: '799.5',
      close,
      volume: 1200,
      oi: 0,
    });
    await upsertCandles(handle.db, series, [bar(1_700_000_120, '800.1'), bar(1_700_000_060, '800.2')]);
    await upsertCandles(handle.db, series, [bar(1_700_000_120, '800.35'), bar(1_700_000_180, '800.4')]);
    await upsertCandles(handle.db, { ...series, interval: '5m' }, [bar(1_700_000_100, '1')]);
    const rows = await listCandles(handle.db, { ...series, from: 1_700_000_060, to: 1_700_000_120 });
    expect(rows.map((row) => [row.time, row.close])).toEqual([
      [1_700_000_060, '800.2'],
      [1_700_000_120, '800.35'],
    ]);
    expect(rows[0]).toMatchObject({ open: '800.05', high: '801', low: '799.5', volume: 1200, oi: 0 });
    expect(await listCandles(handle.db, { ...series, exchange: 'BSE', from: 0, to: 2e9 })).toEqual([]);
  });
});
