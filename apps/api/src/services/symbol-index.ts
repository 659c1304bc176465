import type { Database, DatabaseHandle, Kysely, SymbolRow } from '@openalgo/db';
import { listSymbols } from '@openalgo/db';
import {
  type Exchange,
  exchangeSchema,
  type InstrumentType,
  instrumentTypeSchema,
  type OptionType,
  type ResolvedInstrument,
} from '@openalgo/shared-types';

/** Announced (LISTEN/NOTIFY) whenever a process replaces the symbol master. */
export const SYMBOLS_CHANNEL = 'openalgo_symbols';

/** One master-contract row as the hot paths use it. */
export interface IndexedSymbol {
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
    symbol: row.symbol,
    brsymbol: row.brsymbol,
    name: row.name,
    exchange: exchange.data,
    brexchange: row.brexchange,
    token: row.token,
    expiry: row.expiry,
    expiryDate: row.expiry_date,
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
}
