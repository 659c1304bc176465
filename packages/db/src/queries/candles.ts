import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { CandleRow } from '../tables/candles.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Which series a set of bars belongs to. */
export interface CandleSeries {
  symbol: string;
  exchange: string;
  interval: string;
}

/** A bar to store: prices as decimal strings, time in epoch seconds. */
export interface CandleInput {
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  oi: number;
}

const UPSERT_BATCH = 5_000;

/**
 * Stores bars of one series, replacing any stored bar with the same start (a newer download
 * of the same bar wins: today's last bar keeps moving until the session closes). One
 * statement per 5,000 bars, one array parameter per column.
 */
export async function upsertCandles(
  db: Executor,
  series: CandleSeries,
  candles: readonly CandleInput[],
): Promise<number> {
  for (let start = 0; start < candles.length; start += UPSERT_BATCH) {
    const slice = candles.slice(start, start + UPSERT_BATCH);
    const column = <K extends keyof CandleInput>(name: K) => slice.map((candle) => candle[name]);
    await sql`
      insert into candles (symbol, exchange, interval, time, open, high, low, close, volume, oi)
      select ${series.symbol}, ${series.exchange}, ${series.interval}, * from unnest(
        ${column('time')}::bigint[], ${column('open')}::numeric[], ${column('high')}::numeric[],
        ${column('low')}::numeric[], ${column('close')}::numeric[], ${column('volume')}::bigint[],
        ${column('oi')}::bigint[])
      on conflict (symbol, exchange, interval, time) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, oi = excluded.oi`.execute(db);
  }
  return candles.length;
}

/** Stored bars of one series with `from <= time <= to` (epoch seconds), ascending. */
export async function listCandles(
  db: Executor,
  series: CandleSeries & { from: number; to: number },
): Promise<CandleRow[]> {
  return db
    .selectFrom('candles')
    .selectAll()
    .where('symbol', '=', series.symbol)
    .where('exchange', '=', series.exchange)
    .where('interval', '=', series.interval)
    .where('time', '>=', series.from)
    .where('time', '<=', series.to)
    .orderBy('time')
    .execute();
}
