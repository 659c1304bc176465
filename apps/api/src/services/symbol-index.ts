import type { Database, DatabaseHandle, Kysely, SymbolRow } from '@openalgo/db';
import { listSymbols } from '@openalgo/db';
import {
  type Exchange,
  exchangeSchema,
  formatExpiry,
  type InstrumentType,
  instrumentTypeSchema,
  type OptionType,
  parseExpiry,
  type ResolvedInstrument,
} from '@openalgo/shared-types';

/** Announced (LISTEN/NOTIFY) whenever a process replaces the symbol master. */
export const SYMBOLS_CHANNEL = 'openalgo_symbols';

/** One master-contract row as the hot paths use it. */
export interface IndexedSymbol {
  /** The master-contract row id (`/symbol` reports it). */
  id: number;
  symbol: string;
  brsymbol: string;
  name: string;
  exchange: Exchange;
  brexchange: string;
  token: string;
  /** `DD-MMM-YY` for derivatives, empty otherwise. */
  expiry: string;
  /** `YYYY-MM-DD` or null. */
  expiryDate: string | null;
  strike: string;
  lotsize: number;
  instrumenttype: InstrumentType;
  tickSize: string;
  instrument: ResolvedInstrument;
}

const key = (exchange: string, text: string) => `${exchange}\u0000${text}`;

/** Orders non-negative decimal strings (strikes) numerically without float arithmetic. */
function compareDecimalText(left: string, right: string): number {
  const [leftWhole = '', leftFraction = ''] = left.split('.');
  const [rightWhole = '', rightFraction = ''] = right.split('.');
  if (leftWhole.length !== rightWhole.length) {
    return leftWhole.length - rightWhole.length;
  }
  if (leftWhole !== rightWhole) {
    return leftWhole < rightWhole ? -1 : 1;
  }
  const width = Math.max(leftFraction.length, rightFraction.length);
  const a = leftFraction.padEnd(width, '0');
  const b = rightFraction.padEnd(width, '0');
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * `DD-MMM-YY` → `YYYY-MM-DD` (sortable text); derived from the text column so the value is the
 * same string on both database drivers, whatever type they give a `date`.
 */
function isoExpiry(expiry: string): string | null {
  const parsed = expiry ? parseExpiry(expiry) : null;
  return parsed ? formatExpiry(parsed, 'YYYY-MM-DD') : null;
}

function toIndexed(row: SymbolRow): IndexedSymbol | null {
  const exchange = exchangeSchema.safeParse(row.exchange);
  const type = instrumentTypeSchema.safeParse(row.instrumenttype);
  if (!exchange.success || !type.success) {
    return null;
  }
  const isOption = type.data === 'CE' || type.data === 'PE';
  const instrument: ResolvedInstrument = {
    symbol: row.symbol,
    exchange: exchange.data,
    brSymbol: row.brsymbol,
    brExchange: row.brexchange,
    token: row.token,
    name: row.name,
    lotSize: row.lotsize,
    tickSize: row.tick_size,
    instrumentType: type.data,
    ...(row.expiry ? { expiry: row.expiry } : {}),
    ...(isOption ? { strike: row.strike, optionType: type.data as OptionType } : {}),
  };
  return {
    id: row.id,
    symbol: row.symbol,
    brsymbol: row.brsymbol,
    name: row.name,
    exchange: exchange.data,
    brexchange: row.brexchange,
    token: row.token,
    expiry: row.expiry,
    expiryDate: isoExpiry(row.expiry),
    strike: row.strike,
    lotsize: row.lotsize,
    instrumenttype: type.data,
    tickSize: row.tick_size,
    instrument,
  };
}

/**
 * The symbol master in memory (DESIGN.md "Symbols"): exact symbol↔token lookups for the hot
 * paths (orders, quotes, books, ticks) without a database round trip. Search and listing stay
 * in SQL. Reloaded after every master-contract load, in this process directly and in the
 * others through LISTEN/NOTIFY.
 */
export class SymbolIndex {
  readonly #db: Kysely<Database>;
  #bySymbol = new Map<string, IndexedSymbol>();
  #byBrokerSymbol = new Map<string, IndexedSymbol>();
  #byToken = new Map<string, IndexedSymbol>();
  #byUnderlying = new Map<string, IndexedSymbol[]>();
  #loading: Promise<number> | null = null;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  get size(): number {
    return this.#bySymbol.size;
  }

  /** Reads the whole master contract; concurrent calls share one read. */
  reload(): Promise<number> {
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async #reload(): Promise<number> {
    const rows = await listSymbols(this.#db);
    const bySymbol = new Map<string, IndexedSymbol>();
    const byBrokerSymbol = new Map<string, IndexedSymbol>();
    const byToken = new Map<string, IndexedSymbol>();
    const byUnderlying = new Map<string, IndexedSymbol[]>();
    for (const row of rows) {
      const indexed = toIndexed(row);
      if (!indexed) {
        continue;
      }
      bySymbol.set(key(indexed.exchange, indexed.symbol), indexed);
      byBrokerSymbol.set(key(indexed.brexchange, indexed.brsymbol), indexed);
      byToken.set(key(indexed.brexchange, indexed.token), indexed);
      if (indexed.instrumenttype !== 'EQ' && indexed.instrumenttype !== 'INDEX') {
        const underlying = key(indexed.exchange, indexed.name);
        const list = byUnderlying.get(underlying);
        if (list) {
          list.push(indexed);
        } else {
          byUnderlying.set(underlying, [indexed]);
        }
      }
    }
    this.#bySymbol = bySymbol;
    this.#byBrokerSymbol = byBrokerSymbol;
    this.#byToken = byToken;
    this.#byUnderlying = byUnderlying;
    return bySymbol.size;
  }

  /** Keeps this index in step with loads done by other processes. */
  async follow(database: DatabaseHandle): Promise<() => Promise<void>> {
    return database.listen(SYMBOLS_CHANNEL, () => {
      void this.reload();
    });
  }

  /** OpenAlgo symbol + exchange → the row, or undefined. */
  find(symbol: string, exchange: string): IndexedSymbol | undefined {
    return this.#bySymbol.get(key(exchange, symbol));
  }

  resolve(symbol: string, exchange: string): ResolvedInstrument | undefined {
    return this.find(symbol, exchange)?.instrument;
  }

  /** The broker's own symbol or token on its exchange → our row (book rows, ticks). */
  findByBroker(query: { brSymbol?: string; token?: string; brExchange: string }): IndexedSymbol | undefined {
    if (query.token !== undefined) {
      const byToken = this.#byToken.get(key(query.brExchange, query.token));
      if (byToken) {
        return byToken;
      }
    }
    return query.brSymbol !== undefined
      ? this.#byBrokerSymbol.get(key(query.brExchange, query.brSymbol))
      : undefined;
  }

  /** Futures and options of one underlying on one derivative exchange (name = underlying). */
  derivativesOf(underlying: string, exchange: string): readonly IndexedSymbol[] {
    return this.#byUnderlying.get(key(exchange, underlying)) ?? [];
  }

  /** Every row, or one exchange's, in master-contract order. */
  list(exchange?: string): IndexedSymbol[] {
    const rows = [...this.#bySymbol.values()];
    return exchange === undefined ? rows : rows.filter((row) => row.exchange === exchange);
  }

  /**
   * Expiry dates (`YYYY-MM-DD`, ascending, unique) of an underlying's futures or options on a
   * derivative exchange, from `fromDate` on.
   */
  expiriesOf(underlying: string, exchange: string, kind: 'futures' | 'options', fromDate = ''): string[] {
    const dates = new Set<string>();
    for (const row of this.derivativesOf(underlying, exchange)) {
      const isWanted = kind === 'futures' ? row.instrumenttype === 'FUT' : row.instrumenttype !== 'FUT';
      if (isWanted && row.expiryDate && row.expiryDate >= fromDate) {
        dates.add(row.expiryDate);
      }
    }
    return [...dates].sort();
  }

  /**
   * The listed options of one expiry (`YYYY-MM-DD`), by strike ascending: each strike with its
   * CE and PE rows (either may be missing).
   */
  optionChainOf(
    underlying: string,
    exchange: string,
    expiryDate: string,
  ): Array<{ strike: string; ce?: IndexedSymbol; pe?: IndexedSymbol }> {
    const byStrike = new Map<string, { strike: string; ce?: IndexedSymbol; pe?: IndexedSymbol }>();
    for (const row of this.derivativesOf(underlying, exchange)) {
      if (row.expiryDate !== expiryDate || (row.instrumenttype !== 'CE' && row.instrumenttype !== 'PE')) {
        continue;
      }
      const entry = byStrike.get(row.strike) ?? { strike: row.strike };
      if (row.instrumenttype === 'CE') {
        entry.ce = row;
      } else {
        entry.pe = row;
      }
      byStrike.set(row.strike, entry);
    }
    return [...byStrike.values()].sort((left, right) => compareDecimalText(left.strike, right.strike));
  }
}
