import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  AuthenticationError,
  BadResponseError,
  type BrokerInstruments,
  type InstrumentsContext,
  type Logger,
} from '@openalgo/broker-sdk';
import {
  buildFutureSymbol,
  buildOptionSymbol,
  type Exchange,
  formatExpiry,
  formatStrike,
  type IndexExchange,
  type InstrumentRow,
  type InstrumentType,
  parseExpiry,
  parseSymbol,
} from '@openalgo/shared-types';
import { parse } from 'csv-parse';
import { normalizeIndexName } from './index-names.js';
import type { KiteHttpClient } from './kite-http.js';

/**
 * Kite's instrument dump (`GET /instruments`, one CSV for every exchange) → OpenAlgo symbol-master
 * rows (spec/brokers.md §2.4), streamed in batches. A pure transform: no database here.
 */

export const KITE_INSTRUMENT_COLUMNS = [
  'instrument_token',
  'exchange_token',
  'tradingsymbol',
  'name',
  'last_price',
  'expiry',
  'strike',
  'tick_size',
  'lot_size',
  'instrument_type',
  'segment',
  'exchange',
] as const;

type Column = (typeof KITE_INSTRUMENT_COLUMNS)[number];

/** Default rows per yielded batch. */
export const INSTRUMENT_BATCH = 5_000;

/** Kite exchanges whose rows are tradable OpenAlgo exchanges as they are. */
const TRADABLE: ReadonlySet<string> = new Set(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCO']);

/** `segment = INDICES` rows by Kite exchange. */
const INDEX_EXCHANGES: Readonly<Record<string, IndexExchange>> = {
  NSE: 'NSE_INDEX',
  BSE: 'BSE_INDEX',
  MCX: 'MCX_INDEX',
  GLOBAL: 'GLOBAL_INDEX',
  NSEIX: 'GLOBAL_INDEX',
};

/** Indices carry no tick size in the dump; the master needs a positive one. */
const INDEX_TICK_SIZE = '0.05';

export type SkipReason =
  | 'unknown-exchange'
  | 'unknown-instrument-type'
  | 'bad-expiry'
  | 'bad-strike'
  | 'bad-symbol'
  | 'bad-number'
  | 'duplicate';

export interface NormalizeStats {
  rows: number;
  skipped: Partial<Record<SkipReason, number>>;
}

/** Turns Kite CSV records into rows; keeps the (symbol, exchange) pairs seen to drop duplicates. */
export class KiteInstrumentNormalizer {
  readonly stats: NormalizeStats = { rows: 0, skipped: {} };
  readonly #seen = new Set<string>();
  #columns: Record<Column, number> | undefined;

  /** Reads the header row; throws when a column Kite documents is missing. */
  setHeader(header: readonly string[]): void {
    const columns = {} as Record<Column, number>;
    for (const name of KITE_INSTRUMENT_COLUMNS) {
      const index = header.indexOf(name);
      if (index < 0) {
        throw new BadResponseError(`Kite instrument dump lacks the ${name} column`, {
          context: { broker: 'zerodha', header: header.slice(0, 20) },
        });
      }
      columns[name] = index;
    }
    this.#columns = columns;
  }

  /** One CSV record → a row, or `null` (counted in `stats.skipped`). */
  normalize(record: readonly string[]): InstrumentRow | null {
    const columns = this.#columns;
    if (!columns) {
      throw new BadResponseError('Kite instrument dump has no header row', {
        context: { broker: 'zerodha' },
      });
    }
    const field = (name: Column): string => record[columns[name]] ?? '';
    const kiteExchange = field('exchange');
    const segment = field('segment');
    const isIndex = segment === 'INDICES';
    let exchange: Exchange | undefined;
    if (isIndex) {
      exchange = INDEX_EXCHANGES[kiteExchange];
    } else if (TRADABLE.has(kiteExchange)) {
      exchange = kiteExchange as Exchange;
    }
    if (!exchange) {
      return this.#skip('unknown-exchange');
    }
    const tradingsymbol = field('tradingsymbol');
    const name = field('name').trim();
    const kiteType = field('instrument_type');
    const instrumentToken = field('instrument_token');
    const exchangeToken = field('exchange_token');
    if (!/^\d+$/.test(instrumentToken) || !/^\d+$/.test(exchangeToken) || tradingsymbol === '') {
      return this.#skip('bad-number');
    }
    const lotSize = Number(field('lot_size') || '0');
    const tickText = field('tick_size');
    if (!Number.isInteger(lotSize) || lotSize < 0 || !/^\d+(\.\d+)?$/.test(tickText || '0')) {
      return this.#skip('bad-number');
    }
    let instrumentType: InstrumentType;
    let symbol: string;
    let expiry = '';
    let strike = '0';
    if (isIndex) {
      instrumentType = 'INDEX';
      symbol = normalizeIndexName(exchange as IndexExchange, tradingsymbol);
    } else if (kiteType === 'EQ') {
      // Kite's EQ series carries no suffix; other series (-BE, -BL, …) are distinct instruments.
      instrumentType = 'EQ';
      symbol = tradingsymbol;
    } else if (kiteType === 'FUT' || kiteType === 'CE' || kiteType === 'PE') {
      instrumentType = kiteType;
      const expiryDate = parseExpiry(field('expiry'));
      if (!expiryDate) {
        return this.#skip('bad-expiry');
      }
      expiry = formatExpiry(expiryDate, 'DD-MMM-YY');
      // Built from the underlying's name, never from Kite's trading symbol (weekly codes differ).
      const base = name.replace(/\s+/g, '');
      if (kiteType === 'FUT') {
        symbol = buildFutureSymbol(base, expiryDate);
      } else {
        try {
          strike = formatStrike(field('strike'));
        } catch {
          return this.#skip('bad-strike');
        }
        symbol = buildOptionSymbol(base, expiryDate, strike, kiteType);
      }
    } else {
      return this.#skip('unknown-instrument-type');
    }
    if (parseSymbol(symbol, { exchange }) === null) {
      return this.#skip('bad-symbol');
    }
    const key = `${exchange}|${symbol}`;
    if (this.#seen.has(key)) {
      return this.#skip('duplicate');
    }
    this.#seen.add(key);
    this.stats.rows += 1;
    const isZeroTick = !/[1-9]/.test(tickText);
    return {
      symbol,
      brsymbol: tradingsymbol,
      name: isIndex ? name || tradingsymbol : name.replace(/\s+/g, instrumentType === 'EQ' ? ' ' : ''),
      exchange,
      brexchange: kiteExchange,
      token: `${instrumentToken}::::${exchangeToken}`,
      expiry,
      strike,
      lotsize: lotSize > 0 ? lotSize : 1,
      instrumenttype: instrumentType,
      tick_size: isZeroTick ? INDEX_TICK_SIZE : formatStrike(tickText),
    };
  }

  #skip(reason: SkipReason): null {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
    return null;
  }
}

/**
 * Parses a Kite instrument CSV stream into batches of rows. Exported for tests and the bench;
 * `download` feeds it the HTTP body.
 */
export async function* parseKiteInstruments(
  source: AsyncIterable<Uint8Array | string> | Readable,
  options: { batchSize?: number; logger?: Logger } = {},
): AsyncGenerator<InstrumentRow[]> {
  const batchSize = options.batchSize ?? INSTRUMENT_BATCH;
  const normalizer = new KiteInstrumentNormalizer();
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, trim: false });
  const input = source instanceof Readable ? source : Readable.from(source);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let batch: InstrumentRow[] = [];
  let isHeader = true;
  for await (const record of parser as AsyncIterable<string[]>) {
    if (isHeader) {
      normalizer.setHeader(record);
      isHeader = false;
      continue;
    }
    const row = normalizer.normalize(record);
    if (row) {
      batch.push(row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (isHeader) {
    throw new BadResponseError('Kite instrument dump is empty', { context: { broker: 'zerodha' } });
  }
  if (batch.length > 0) {
    yield batch;
  }
  options.logger?.info(
    { rows: normalizer.stats.rows, skipped: normalizer.stats.skipped },
    'kite instrument dump parsed',
  );
}

export function createInstruments(http: KiteHttpClient): BrokerInstruments {
  return {
    requiresSession: true,
    async *download(context: InstrumentsContext): AsyncIterable<readonly InstrumentRow[]> {
      if (!context.session) {
        throw new AuthenticationError('Kite serves its instrument dump only to a logged-in session', {
          context: { broker: 'zerodha' },
        });
      }
      const response = await http.requestFile({
        method: 'GET',
        path: '/instruments',
        accessToken: context.session.accessToken,
        kind: 'instruments',
        operation: 'instruments',
        signal: context.signal,
      });
      if (!response.body) {
        throw new BadResponseError('Kite instrument dump has no body', { context: { broker: 'zerodha' } });
      }
      const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
      yield* parseKiteInstruments(body, { logger: context.logger });
    },
  };
}
