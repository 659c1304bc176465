import { AuthenticationError, BadResponseError } from '@openalgo/broker-sdk';
import { type InstrumentRow, instrumentRowSchema, parseSymbol } from '@openalgo/shared-types';
import { describe, expect, it } from 'vitest';
import { startFakeKiteServer } from './fake-server/index.js';
import { KiteInstrumentNormalizer, parseKiteInstruments } from './symbols.js';
import { createMemoryLogger } from './testing/harness.js';
import { createZerodhaBroker } from './zerodha-broker.js';

const HEADER =
  'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

/** Rows shaped like Kite's real dump (recorded shapes, invented values). */
const CSV = [
  HEADER,
  '256265,1001,NIFTY 50,NIFTY 50,0.0,,0.0,0.0,0,EQ,INDICES,NSE',
  '260105,1016,NIFTY BANK,NIFTY BANK,0.0,,0.0,0.0,0,EQ,INDICES,NSE',
  '288009,1125,NIFTY MID SELECT,NIFTY MID SELECT,0.0,,0.0,0.0,0,EQ,INDICES,NSE',
  '265,1,SENSEX,SENSEX,0.0,,0.0,0.0,0,EQ,INDICES,BSE',
  '10777,42,AUTO,S&P BSE AUTO,0.0,,0.0,0.0,0,EQ,INDICES,BSE',
  '512009,2000,MCXCOMDEX,MCXCOMDEX,0.0,,0.0,0.0,0,EQ,INDICES,MCX',
  '768521,3002,GIFT NIFTY,GIFT NIFTY,0.0,,0.0,0.0,0,EQ,INDICES,GLOBAL',
  '779521,3045,SBIN,STATE BANK OF INDIA,0.0,,0.0,0.05,1,EQ,NSE,NSE',
  '779777,3046,SBIN-BE,STATE BANK OF INDIA,0.0,,0.0,0.05,1,EQ,NSE,NSE',
  '519937,2031,M&M,MAHINDRA & MAHINDRA,0.0,,0.0,0.05,1,EQ,NSE,NSE',
  '128028676,500112,SBIN,STATE BANK OF INDIA,0.0,,0.0,0.05,1,EQ,BSE,BSE',
  '12073986,47164,NIFTY24DECFUT,NIFTY,0.0,2024-12-26,0.0,0.05,25,FUT,NFO-FUT,NFO',
  '12074242,47165,NIFTY24D0524000CE,NIFTY,0.0,2024-12-05,24000.0,0.05,25,CE,NFO-OPT,NFO',
  '12074498,47166,NIFTY24DEC24000PE,NIFTY,0.0,2024-12-26,24000.0,0.05,25,PE,NFO-OPT,NFO',
  '12074754,47167,VEDL24DEC292.5CE,VEDL,0.0,2024-12-26,292.5,0.05,2000,CE,NFO-OPT,NFO',
  '412675,1612,USDINR24DECFUT,USDINR,0.0,2024-12-27,0.0,0.0025,1000,FUT,CDS-FUT,CDS',
  '412931,1613,USDINR24DEC83.25CE,USDINR,0.0,2024-12-27,83.25,0.0025,1000,CE,CDS-OPT,CDS',
  '53505799,209007,CRUDEOIL24DECFUT,CRUDEOIL,0.0,2024-12-19,0.0,1.0,100,FUT,MCX-FUT,MCX',
  '2000134,7813,NIFTY24DEC26000CE,NIFTY,0.0,2024-12-26,26000.0,0.05,25,CE,NFO-OPT,NSEIX',
  '1999998,7812,SOMEMF,A FUND,0.0,,0.0,0.01,1,EQ,MF,MF',
  '12074242,47165,NIFTY24D0524000CE,NIFTY,0.0,2024-12-05,24000.0,0.05,25,CE,NFO-OPT,NFO',
  '12075010,47168,BROKEN,NIFTY,0.0,2024-13-40,0.0,0.05,25,FUT,NFO-FUT,NFO',
  '12075266,47169,ODDTHING,ODD,0.0,,0.0,0.05,1,XYZ,NFO-OPT,NFO',
].join('\n');

async function parseAll(text: string): Promise<InstrumentRow[]> {
  const rows: InstrumentRow[] = [];
  for await (const batch of parseKiteInstruments([text], { batchSize: 4 })) {
    expect(batch.length).toBeLessThanOrEqual(4);
    rows.push(...batch);
  }
  return rows;
}

describe('Kite instrument dump → OpenAlgo symbol master', () => {
  it('normalizes indices, equities, futures and options per exchange', async () => {
    const rows = await parseAll(CSV);
    const bySymbol = Object.fromEntries(rows.map((row) => [`${row.exchange}:${row.symbol}`, row]));
    expect(Object.keys(bySymbol)).toEqual([
      'NSE_INDEX:NIFTY',
      'NSE_INDEX:BANKNIFTY',
      'NSE_INDEX:MIDCPNIFTY',
      'BSE_INDEX:SENSEX',
      'BSE_INDEX:BSEAUTO',
      'MCX_INDEX:MCXCOMDEX',
      'GLOBAL_INDEX:GIFTNIFTY',
      'NSE:SBIN',
      'NSE:SBIN-BE',
      'NSE:M&M',
      'BSE:SBIN',
      'NFO:NIFTY26DEC24FUT',
      'NFO:NIFTY05DEC2424000CE',
      'NFO:NIFTY26DEC2424000PE',
      'NFO:VEDL26DEC24292.5CE',
      'CDS:USDINR27DEC24FUT',
      'CDS:USDINR27DEC2483.25CE',
      'MCX:CRUDEOIL19DEC24FUT',
    ]);
    expect(bySymbol['NSE_INDEX:NIFTY']).toEqual({
      symbol: 'NIFTY',
      brsymbol: 'NIFTY 50',
      name: 'NIFTY 50',
      exchange: 'NSE_INDEX',
      brexchange: 'NSE',
      token: '256265::::1001',
      expiry: '',
      strike: '0',
      lotsize: 1,
      instrumenttype: 'INDEX',
      tick_size: '0.05',
    });
    expect(bySymbol['NFO:NIFTY05DEC2424000CE']).toEqual({
      symbol: 'NIFTY05DEC2424000CE',
      brsymbol: 'NIFTY24D0524000CE',
      name: 'NIFTY',
      exchange: 'NFO',
      brexchange: 'NFO',
      token: '12074242::::47165',
      expiry: '05-DEC-24',
      strike: '24000',
      lotsize: 25,
      instrumenttype: 'CE',
      tick_size: '0.05',
    });
    expect(bySymbol['CDS:USDINR27DEC2483.25CE']).toMatchObject({
      strike: '83.25',
      tick_size: '0.0025',
      lotsize: 1000,
    });
    expect(bySymbol['MCX:CRUDEOIL19DEC24FUT']).toMatchObject({
      tick_size: '1',
      instrumenttype: 'FUT',
      expiry: '19-DEC-24',
    });
    expect(bySymbol['NSE:M&M']).toMatchObject({
      brsymbol: 'M&M',
      name: 'MAHINDRA & MAHINDRA',
      instrumenttype: 'EQ',
    });
    for (const row of rows) {
      expect(instrumentRowSchema.safeParse(row).success).toBe(true);
      expect(parseSymbol(row.symbol, { exchange: row.exchange })).not.toBeNull();
    }
  });

  it('counts what it skips: unknown exchanges, duplicates, bad dates, unknown types', () => {
    const normalizer = new KiteInstrumentNormalizer();
    const [header, ...lines] = CSV.split('\n');
    normalizer.setHeader((header as string).split(','));
    for (const line of lines) {
      normalizer.normalize(line.split(','));
    }
    expect(normalizer.stats).toEqual({
      rows: 18,
      skipped: { 'unknown-exchange': 2, duplicate: 1, 'bad-expiry': 1, 'unknown-instrument-type': 1 },
    });
  });

  it('reads quoted fields (names with commas) as a CSV library must', async () => {
    const rows = await parseAll(`${HEADER}\n1,1,"ABC","A, B AND C",0,,0,0.05,1,EQ,NSE,NSE\n`);
    expect(rows[0]).toMatchObject({ symbol: 'ABC', name: 'A, B AND C' });
  });

  it("fails loudly on a dump without Kite's columns or without rows", async () => {
    await expect(parseAll('instrument_token,tradingsymbol\n1,X\n')).rejects.toSatisfy(
      BadResponseError.isInstance,
    );
    await expect(parseAll('')).rejects.toSatisfy(BadResponseError.isInstance);
  });

  it('streams the whole fake dump (gzip over HTTP) with no duplicate symbol and a valid row each', async () => {
    const fake = await startFakeKiteServer({ instrumentCount: 30_000 });
    try {
      const broker = createZerodhaBroker({
        apiKey: fake.apiKey,
        apiSecret: fake.apiSecret,
        baseUrl: fake.baseUrl,
      });
      const logger = createMemoryLogger();
      const session = {
        brokerId: 'zerodha',
        accessToken: fake.control.createSession(),
        issuedAt: 0,
        data: {},
      };
      await expect(async () => {
        for await (const _ of broker.instruments.download({ logger, now: Date.now })) {
          // requires a session
        }
      }).rejects.toSatisfy(AuthenticationError.isInstance);
      const keys = new Set<string>();
      let count = 0;
      const exchanges = new Set<string>();
      for await (const batch of broker.instruments.download({ session, logger, now: Date.now })) {
        for (const row of batch) {
          count += 1;
          keys.add(`${row.exchange}:${row.symbol}`);
          exchanges.add(row.exchange);
          expect(row.brsymbol.length).toBeGreaterThan(0);
        }
      }
      expect(count).toBe(30_000);
      expect(keys.size).toBe(count);
      expect([...exchanges].sort()).toEqual(
        [
          'BCD',
          'BFO',
          'BSE',
          'BSE_INDEX',
          'CDS',
          'GLOBAL_INDEX',
          'MCX',
          'MCX_INDEX',
          'NCO',
          'NFO',
          'NSE',
          'NSE_INDEX',
        ].sort(),
      );
      const request = fake.requests.find((entry) => entry.path === '/instruments');
      expect(request?.headers['accept-encoding']).toMatch(/gzip/);
      expect(request?.headers.authorization).toBe(`token ${fake.apiKey}:${session.accessToken}`);
      expect(logger.entries.find((entry) => entry.message === 'kite instrument dump parsed')?.data).toEqual({
        rows: 30_000,
        skipped: {},
      });
    } finally {
      await fake.close();
    }
  });
});
