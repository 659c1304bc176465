import { type DatabaseKind, type NewSymbolRow, replaceSymbols } from '@openalgo/db';
import { createTestDatabase, testBackends } from '@openalgo/db/testing';
import type { InstrumentRow } from '@openalgo/shared-types';
import { parseExpiry } from '@openalgo/shared-types';
import { startFakeKiteServer } from '../src/fake-server/index.js';
import { toTick } from '../src/streaming.js';
import { decodeFrame } from '../src/ticker-codec.js';
import { createZerodhaBroker } from '../src/zerodha-broker.js';

/**
 * `pnpm bench` in packages/brokers-zerodha. Prints a table:
 * - the instrument dump: BENCH_ROWS (default 100,000) rows served by the fake Kite (gzip CSV over
 *   loopback HTTP), parsed by the adapter, and stored with @openalgo/db `replaceSymbols` on PGlite
 *   and, when DATABASE_URL is set, PostgreSQL (target ≤ 5 s on PostgreSQL);
 * - the ticker decoder: packets/s for a realistic mix of full/quote/ltp packets, decode only and
 *   decode + normalize to our Tick (target ≥ 1,000,000 packets/s).
 */

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 3_000_000);

interface Row {
  measure: string;
  backend: string;
  result: string;
  target: string;
}

const table: Row[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function toSymbolRow(row: InstrumentRow): NewSymbolRow {
  const expiry = row.expiry ? parseExpiry(row.expiry) : null;
  return {
    broker: 'zerodha',
    symbol: row.symbol,
    brsymbol: row.brsymbol,
    name: row.name,
    exchange: row.exchange,
    brexchange: row.brexchange,
    token: row.token,
    expiry: row.expiry,
    expiry_date: expiry
      ? `${expiry.year}-${String(expiry.month).padStart(2, '0')}-${String(expiry.day).padStart(2, '0')}`
      : null,
    strike: row.strike,
    lotsize: row.lotsize,
    instrumenttype: row.instrumenttype,
    tick_size: row.tick_size,
    contract_value: null,
  };
}

async function benchInstruments(): Promise<void> {
  const fake = await startFakeKiteServer({ instrumentCount: ROWS });
  const broker = createZerodhaBroker({
    apiKey: fake.apiKey,
    apiSecret: fake.apiSecret,
    baseUrl: fake.baseUrl,
  });
  const session = {
    brokerId: 'zerodha',
    accessToken: fake.control.createSession(),
    issuedAt: Date.now(),
    data: {},
  };
  const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
  const download = () => broker.instruments.download({ session, logger, now: Date.now });
  try {
    // Warm the fake's CSV cache and V8 once.
    for await (const _ of download()) {
      // drain
    }
    const parseTimes: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      let count = 0;
      for await (const batch of download()) {
        count += batch.length;
      }
      parseTimes.push(performance.now() - started);
      if (count !== ROWS) {
        throw new Error(`expected ${ROWS} rows, parsed ${count}`);
      }
    }
    const parseMs = median(parseTimes);
    table.push({
      measure: `instrument dump ${ROWS.toLocaleString('en-US')} rows: download + parse`,
      backend: '—',
      result: `${Math.round(parseMs)} ms (${Math.round((ROWS / parseMs) * 1000).toLocaleString('en-US')} rows/s)`,
      target: '—',
    });
    for (const kind of testBackends() as DatabaseKind[]) {
      const database = await createTestDatabase(kind);
      try {
        const load = async (): Promise<number> => {
          const started = performance.now();
          const stored = await replaceSymbols(
            database.db,
            'zerodha',
            (async function* () {
              for await (const batch of download()) {
                yield batch.map(toSymbolRow);
              }
            })(),
          );
          if (stored !== ROWS) {
            throw new Error(`expected ${ROWS} rows stored, got ${stored}`);
          }
          return performance.now() - started;
        };
        const backend = database.label.split(' ')[0] ?? kind;
        const seconds = (ms: number) =>
          `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
        table.push({
          measure: `instrument dump ${ROWS.toLocaleString('en-US')} rows: download + parse + store, first load`,
          backend,
          result: seconds(await load()),
          target: kind === 'postgres' ? '≤ 5 s' : '—',
        });
        const times: number[] = [];
        for (let run = 0; run < RUNS; run += 1) {
          times.push(await load());
        }
        table.push({
          measure: `instrument dump ${ROWS.toLocaleString('en-US')} rows: download + parse + store, daily reload`,
          backend,
          result: seconds(median(times)),
          target: kind === 'postgres' ? '≤ 5 s' : '—',
        });
      } finally {
        await database.close();
      }
    }
  } finally {
    await fake.close();
  }
}

/** A frame of `count` packets in Kite's layout: 40 % full, 40 % quote, 20 % ltp. */
function buildFrame(count: number): Uint8Array {
  const sizes: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const bucket = index % 5;
    sizes.push(bucket < 2 ? 184 : bucket < 4 ? 44 : 8);
  }
  const total = 2 + sizes.reduce((sum, size) => sum + 2 + size, 0);
  const view = new DataView(new ArrayBuffer(total));
  view.setUint16(0, count);
  let offset = 2;
  sizes.forEach((size, index) => {
    view.setUint16(offset, size);
    offset += 2;
    view.setUint32(offset, (1_000 + index) * 256 + 1);
    for (let field = 4; field + 4 <= size; field += 4) {
      view.setInt32(offset + field, 100_000 + index * 7 + field);
    }
    offset += size;
  });
  return new Uint8Array(view.buffer);
}

function benchTicker(): void {
  const packetsPerFrame = 50;
  const frame = buildFrame(packetsPerFrame);
  const frames = Math.ceil(PACKETS / packetsPerFrame);
  const symbols = new Map<number, { symbol: string }>();
  for (let index = 0; index < packetsPerFrame; index += 1) {
    symbols.set((1_000 + index) * 256 + 1, { symbol: `SYM${index}` });
  }
  let sink = 0;
  // Warm-up.
  for (let round = 0; round < 20_000; round += 1) {
    sink += decodeFrame(frame).ticks.length;
  }
  const decodeRates: number[] = [];
  const normalizeRates: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    let started = performance.now();
    for (let round = 0; round < frames; round += 1) {
      sink += decodeFrame(frame).ticks.length;
    }
    decodeRates.push((frames * packetsPerFrame) / ((performance.now() - started) / 1000));
    started = performance.now();
    const now = Date.now();
    for (let round = 0; round < frames; round += 1) {
      for (const tick of decodeFrame(frame).ticks) {
        const entry = symbols.get(tick.instrumentToken);
        if (entry) {
          sink += toTick(tick, entry.symbol, 'NSE', now).ltp > 0 ? 1 : 0;
        }
      }
    }
    normalizeRates.push((frames * packetsPerFrame) / ((performance.now() - started) / 1000));
  }
  if (sink === 0) {
    throw new Error('nothing decoded');
  }
  const format = (rate: number) => `${Math.round(rate).toLocaleString('en-US')} packets/s`;
  table.push({
    measure: 'ticker decode (40 % full, 40 % quote, 20 % ltp; 50 packets/frame)',
    backend: '—',
    result: format(median(decodeRates)),
    target: '≥ 1,000,000 packets/s',
  });
  table.push({
    measure: 'ticker decode + normalize to Tick',
    backend: '—',
    result: format(median(normalizeRates)),
    target: '≥ 1,000,000 packets/s',
  });
}

function print(): void {
  const headers: Row = {
    measure: 'measure',
    backend: 'backend',
    result: `result (median of ${RUNS})`,
    target: 'target',
  };
  const rows = [headers, ...table];
  const widths = (Object.keys(headers) as Array<keyof Row>).map((key) =>
    Math.max(...rows.map((row) => row[key].length)),
  );
  const line = (row: Row) =>
    `| ${(Object.keys(headers) as Array<keyof Row>).map((key, index) => row[key].padEnd(widths[index] as number)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of table) {
    console.log(line(row));
  }
}

benchTicker();
await benchInstruments();
print();
process.exit(0);
