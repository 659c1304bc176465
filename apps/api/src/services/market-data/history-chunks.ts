import { TZDate } from '@date-fns/tz';
import type { Candle, Interval } from '@openalgo/shared-types';

/**
 * Pure planning and merging for history requests longer than one broker call may span
 * (`limits.historyMaxDays[interval]`): split the inclusive IST date range into contiguous
 * chunks, then merge the chunks' bars sorted and de-duplicated, refusing a result with a hole.
 */

const IST = 'Asia/Kolkata';
const DAY_MS = 86_400_000;

/** A calendar date as a day count since 1970-01-01 (no time zone: a trading date). */
type DayNumber = number;

export interface HistoryChunk {
  /** Inclusive IST dates `YYYY-MM-DD`. */
  startDate: string;
  endDate: string;
  /** 00:00:00.000 IST of `startDate`, epoch ms. */
  from: number;
  /** 23:59:59.999 IST of `endDate`, epoch ms. */
  to: number;
}

export function parseIsoDay(text: string): DayNumber {
  const [year, month, day] = text.split('-').map(Number);
  return Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1) / DAY_MS;
}

export function formatIsoDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 00:00 IST of a date, epoch ms. */
export function istMidnight(day: DayNumber): number {
  const date = new Date(day * DAY_MS);
  return new TZDate(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 0, 0, 0, 0, IST).getTime();
}

/** The IST calendar date of an instant. */
export function istDay(epochMs: number): DayNumber {
  const local = new TZDate(epochMs, IST);
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate()) / DAY_MS;
}

const INTRADAY = new Set<Interval>([
  '1s',
  '5s',
  '10s',
  '15s',
  '30s',
  '45s',
  '1m',
  '2m',
  '3m',
  '5m',
  '10m',
  '15m',
  '20m',
  '30m',
  '1h',
  '2h',
  '3h',
  '4h',
]);

export function isIntraday(interval: Interval): boolean {
  return INTRADAY.has(interval);
}

/** The first day of the bar bucket (week, month, quarter, year) holding `day`; null for finer bars. */
function bucketStart(day: DayNumber, interval: Interval): DayNumber | null {
  const date = new Date(day * DAY_MS);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (interval) {
    case 'W':
      return day - ((date.getUTCDay() + 6) % 7);
    case 'M':
      return Date.UTC(year, month, 1) / DAY_MS;
    case 'Q':
      return Date.UTC(year, Math.floor(month / 3) * 3, 1) / DAY_MS;
    case 'Y':
      return Date.UTC(year, 0, 1) / DAY_MS;
    default:
      return null;
  }
}

/**
 * Splits `[startDate, endDate]` (inclusive IST dates) into chunks of at most `maxDays` days,
 * contiguous and non-overlapping. For weekly and longer bars a chunk ends on a bucket boundary
 * whenever `maxDays` allows, so no bar is split across two calls. Without a cap: one chunk.
 * An empty range (end before start) plans no chunk.
 */
export function planHistoryChunks(
  startDate: string,
  endDate: string,
  interval: Interval,
  maxDays: number | undefined,
): HistoryChunk[] {
  const first = parseIsoDay(startDate);
  const last = parseIsoDay(endDate);
  if (last < first) {
    return [];
  }
  const span = maxDays !== undefined && maxDays >= 1 ? Math.floor(maxDays) : Number.POSITIVE_INFINITY;
  const chunks: HistoryChunk[] = [];
  let start = first;
  while (start <= last) {
    let end = Math.min(last, start + span - 1);
    const nextBucket = end < last ? bucketStart(end + 1, interval) : null;
    if (nextBucket !== null && nextBucket - 1 >= start) {
      // End the chunk where the bucket holding the next day starts, so no bar is split.
      end = nextBucket - 1;
    }
    chunks.push({
      startDate: formatIsoDay(start),
      endDate: formatIsoDay(end),
      from: istMidnight(start),
      to: istMidnight(end + 1) - 1,
    });
    start = end + 1;
  }
  return chunks;
}

/** The chunk list had a hole: a chunk inside the range came back empty while its neighbours had bars. */
export class HistoryGapError extends Error {
  readonly code = 'HISTORY_GAP';
  constructor(readonly chunk: HistoryChunk) {
    super(
      `The broker returned no bars for ${chunk.startDate}..${chunk.endDate} although it did before and after; refusing a history with a hole`,
    );
    this.name = 'HistoryGapError';
  }
}

/** Indian markets never close for a whole week: an empty week inside a series is a broker failure. */
const MIN_SUSPICIOUS_EMPTY_DAYS = 7;

/**
 * Merges chunk results (in chunk order) into one ascending series without duplicate bars.
 * Intraday bars outside the requested range are dropped; coarse bars may start before the
 * range (a week or month that holds the first date) but never after it. An inner chunk of a
 * week or more with no bars between chunks that have bars is a hole: `HistoryGapError`.
 */
export function mergeHistoryChunks(
  chunks: readonly HistoryChunk[],
  results: ReadonlyArray<readonly Candle[]>,
  interval: Interval,
): Candle[] {
  const first = chunks[0];
  const last = chunks[chunks.length - 1];
  if (!first || !last) {
    return [];
  }
  const from = Math.floor(first.from / 1_000);
  const to = Math.floor(last.to / 1_000);
  const intraday = isIntraday(interval);
  const hasBars = results.map((bars) => bars.length > 0);
  for (let index = 1; index < chunks.length - 1; index += 1) {
    const chunk = chunks[index] as HistoryChunk;
    const days = parseIsoDay(chunk.endDate) - parseIsoDay(chunk.startDate) + 1;
    if (
      !hasBars[index] &&
      days >= MIN_SUSPICIOUS_EMPTY_DAYS &&
      hasBars.slice(0, index).some(Boolean) &&
      hasBars.slice(index + 1).some(Boolean)
    ) {
      throw new HistoryGapError(chunk);
    }
  }
  const byTime = new Map<number, Candle>();
  for (const bars of results) {
    for (const bar of bars) {
      if (bar.time > to || (intraday && bar.time < from)) {
        continue;
      }
      if (!byTime.has(bar.time)) {
        byTime.set(bar.time, bar);
      }
    }
  }
  return [...byTime.values()].sort((left, right) => left.time - right.time);
}

/**
 * The bar-start range (epoch seconds) a stored series must cover for `[startDate, endDate]`:
 * intraday bars from 00:00 IST of the first date; coarse bars from the start of the bucket that
 * holds the first date (they are stamped 00:00 UTC of their first trading date).
 */
export function barRange(
  startDate: string,
  endDate: string,
  interval: Interval,
): { from: number; to: number } {
  const first = parseIsoDay(startDate);
  const last = parseIsoDay(endDate);
  const to = Math.floor((istMidnight(last + 1) - 1) / 1_000);
  if (isIntraday(interval)) {
    return { from: Math.floor(istMidnight(first) / 1_000), to };
  }
  return { from: (bucketStart(first, interval) ?? first) * 86_400, to };
}
