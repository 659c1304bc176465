import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** The master contract (spec/brokers.md §2.1): one broker's instruments, normalized. */
export interface SymbolsTable {
  id: Generated<number>;
  broker: string;
  symbol: string;
  brsymbol: string;
  name: string;
  exchange: string;
  brexchange: string;
  token: string;
  /** `DD-MMM-YY` upper case for FUT/CE/PE, empty otherwise. */
  expiry: string;
  /** Expiry as a date for range queries; null for EQ/INDEX. */
  expiry_date: string | null;
  /** numeric: read back as a decimal string. */
  strike: string;
  lotsize: number;
  instrumenttype: string;
  /** numeric: read back as a decimal string. */
  tick_size: string;
  contract_value: string | null;
}

export type SymbolRow = Selectable<SymbolsTable>;
export type NewSymbolRow = Insertable<SymbolsTable>;
export type SymbolRowUpdate = Updateable<SymbolsTable>;
