import type { Insertable, Selectable } from 'kysely';

/** Stored OHLCV bars, one row per (symbol, exchange, interval, bar start). */
export interface CandlesTable {
  symbol: string;
  exchange: string;
  interval: string;
  /** Bar start, epoch seconds (int8 → number). */
  time: number;
  /** numeric: read back as decimal strings. */
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  oi: number;
}

export type CandleRow = Selectable<CandlesTable>;
export type NewCandleRow = Insertable<CandlesTable>;
