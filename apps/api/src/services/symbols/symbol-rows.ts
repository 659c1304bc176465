import type { SymbolRow } from '@openalgo/db';
import { INSTRUMENT_CSV_COLUMNS, type SymbolRowData } from '@openalgo/shared-types';
import Papa from 'papaparse';
import type { IndexedSymbol } from '../symbol-index.js';

/**
 * Master-contract rows in OpenAlgo's `SymToken` shape (api-v1 §4.4), and their CSV rendering
 * for `/instruments?format=csv`.
 */

/** Until a freeze-quantity table is configured, every instrument reports 1 (api-v1 §4.4.1). */
export const DEFAULT_FREEZE_QTY = 1;

export function fromIndexed(row: IndexedSymbol): SymbolRowData {
  return {
    symbol: row.symbol,
    brsymbol: row.brsymbol,
    name: row.name,
    exchange: row.exchange,
    brexchange: row.brexchange,
    token: row.token,
    expiry: row.expiry,
    strike: Number(row.strike),
    lotsize: row.lotsize,
    instrumenttype: row.instrumenttype,
    tick_size: Number(row.tickSize),
  };
}

export function fromDatabase(row: SymbolRow): SymbolRowData {
  return {
    symbol: row.symbol,
    brsymbol: row.brsymbol,
    name: row.name,
    exchange: row.exchange,
    brexchange: row.brexchange,
    token: row.token,
    expiry: row.expiry,
    strike: Number(row.strike),
    lotsize: row.lotsize,
    instrumenttype: row.instrumenttype,
    tick_size: Number(row.tick_size),
  };
}

/**
 * The CSV of `/instruments`: OpenAlgo's header, one line per row, quoted only where a field
 * needs it (commas, quotes, line breaks), CRLF line ends as RFC 4180 has them.
 */
export function renderInstrumentsCsv(rows: readonly SymbolRowData[]): string {
  return Papa.unparse(
    {
      fields: [...INSTRUMENT_CSV_COLUMNS],
      data: rows.map((row) => INSTRUMENT_CSV_COLUMNS.map((column) => row[column])),
    },
    { newline: '\r\n', quotes: false, escapeFormulae: false },
  );
}
