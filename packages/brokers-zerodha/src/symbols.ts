import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  AuthenticationError,
  BadResponseError,
  type BrokerInstruments,
  type InstrumentsContext,
  type Logger,
} from '@openalgo/broker-sdk';
import { normalizeIndexName } from '@openalgo/broker-sdk/symbols';
import {
  type Exchange,
  formatExpiry,
  formatStrike,
  type IndexExchange,
  type InstrumentRow,
  type InstrumentType,
  parseExpiry,
  parseSymbol,
} from '@openalgo/shared-types';
import Papa from 'papaparse';
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
    const kiteExchange = record[columns.exchange] ?? '';
    const segment = record[columns.segment] ?? '';
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
    const tradingsymbol = record[columns.tradingsymbol] ?? '';
    const name = (record[columns.name] ?? '').trim();
    const kiteType = record[columns.instrument_type] ?? '';
    const instrumentToken = record[columns.instrument_token] ?? '';
    const exchangeToken = record[columns.exchange_token] ?? '';
    if (!/^\d+$/.test(instrumentToken) || !/^\d+$/.test(exchangeToken) || tradingsymbol === '') {
      return this.#skip('bad-number');
    }
    const lotSize = Number((record[columns.lot_size] ?? '') || '0');
    const tickText = record[columns.tick_size] ?? '';
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
      if (!this.#isValidBase(symbol)) {
        return this.#skip('bad-symbol');
      }
    } else if (kiteType === 'EQ') {
      // Kite's EQ series carries no suffix; other series (-BE, -BL, …) are distinct instruments.
      instrumentType = 'EQ';
      symbol = tradingsymbol;
      if (!this.#isValidBase(symbol)) {
        return this.#skip('bad-symbol');
      }
    } else if (kiteType === 'FUT' || kiteType === 'CE' || kiteType === 'PE') {
      instrumentType = kiteType;
      const expiryParts = this.#expiry(record[columns.expiry] ?? '');
      if (!expiryParts) {
        return this.#skip('bad-expiry');
      }
      expiry = expiryParts.dashed;
      // Built from the underlying's name, never from Kite's trading symbol (weekly codes differ).
      const base = this.#base(name);
      if (!this.#isValidBase(base)) {
        return this.#skip('bad-symbol');
      }
      if (kiteType === 'FUT') {
        symbol = `${base}${expiryParts.compact}FUT`;
      } else {
        const strikeText = this.#strike(record[columns.strike] ?? '');
        if (strikeText === undefined) {
          return this.#skip('bad-strike');
        }
        strike = strikeText;
        symbol = `${base}${expiryParts.compact}${strike}${kiteType}`;
      }
    } else {
      return this.#skip('unknown-instrument-type');
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
      name: isIndex || instrumentType === 'EQ' ? name || tradingsymbol : this.#base(name),
      exchange,
      brexchange: kiteExchange,
      token: `${instrumentToken}::::${exchangeToken}`,
      expiry,
      strike,
      lotsize: lotSize > 0 ? lotSize : 1,
      instrumenttype: instrumentType,
      tick_size: isZeroTick ? INDEX_TICK_SIZE : (this.#strike(tickText) ?? INDEX_TICK_SIZE),
    };
  }

  // Small caches: a dump repeats a few dozen expiries, a few thousand names and strikes.
  readonly #expiries = new Map<string, { dashed: string; compact: string } | null>();
  readonly #strikes = new Map<string, string | undefined>();
  readonly #bases = new Map<string, string>();
  readonly #validBases = new Map<string, boolean>();

  #expiry(text: string): { dashed: string; compact: string } | null {
    let parts = this.#expiries.get(text);
    if (parts === undefined) {
      const date = parseExpiry(text);
      parts = date
        ? { dashed: formatExpiry(date, 'DD-MMM-YY'), compact: formatExpiry(date, 'DDMMMYY') }
        : null;
      this.#expiries.set(text, parts);
    }
    return parts;
  }

  #strike(text: string): string | undefined {
    if (this.#strikes.has(text)) {
      return this.#strikes.get(text);
    }
    let result: string | undefined;
    try {
      result = formatStrike(text);
    } catch {
      // Not a plain non-negative decimal: the caller skips the row and counts it.
      result = undefined;
    }
    this.#strikes.set(text, result);
    return result;
  }

  #base(name: string): string {
    let base = this.#bases.get(name);
    if (base === undefined) {
      base = name.replace(/\s+/g, '');
      this.#bases.set(name, base);
    }
    return base;
  }

  /** A valid OpenAlgo base symbol (checked once per distinct text with shared-types' parser). */
  #isValidBase(base: string): boolean {
    let isValid = this.#validBases.get(base);
    if (isValid === undefined) {
      isValid = base.length > 0 && parseSymbol(base)?.kind === 'equity';
      this.#validBases.set(base, isValid);
    }
    return isValid;
  }

  #skip(reason: SkipReason): null {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
    return null;
  }
}

/**
 * Parses a Kite instrument CSV stream into batches of rows. Exported for tests and the bench;
 * `download` feeds it the HTTP body. Papa Parse reads the stream (it is several times faster
 * than the other CSV libraries on this dump); parsing pauses while batches wait to be taken.
 */
export async function* parseKiteInstruments(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | Readable,
  options: { batchSize?: number; logger?: Logger } = {},
): AsyncGenerator<InstrumentRow[]> {
  const batchSize = options.batchSize ?? INSTRUMENT_BATCH;
  const normalizer = new KiteInstrumentNormalizer();
  const input = source instanceof Readable ? source : Readable.from(source);
  const chunks: string[][][] = [];
  let isFinished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let paused: Papa.Parser | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  input.on('error', (error) => {
    failure ??= error;
    notify();
  });
  Papa.parse<string[]>(input, {
    skipEmptyLines: true,
    chunk: (results, parser) => {
      chunks.push(results.data);
      if (chunks.length >= 4) {
        paused = parser;
        parser.pause();
      }
      notify();
    },
    complete: () => {
      isFinished = true;
      notify();
    },
    error: (error: unknown) => {
      failure ??= error;
      notify();
    },
  });
  let batch: InstrumentRow[] = [];
  let isHeader = true;
  try {
    for (;;) {
      const records = chunks.shift();
      if (records === undefined) {
        if (failure !== undefined) {
          throw new BadResponseError('Kite instrument dump could not be read', {
            cause: failure,
            context: { broker: 'zerodha' },
          });
        }
        if (isFinished) {
          break;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (paused && chunks.length < 2) {
        const parser = paused;
        paused = undefined;
        parser.resume();
      }
      for (const record of records) {
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
    }
  } finally {
    if (!isFinished) {
      // The consumer stopped early or parsing failed: release the HTTP body.
      paused?.abort();
      input.destroy();
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
