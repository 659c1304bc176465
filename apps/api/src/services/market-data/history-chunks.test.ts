import type { Candle, Interval } from '@openalgo/shared-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIsoDay,
  type HistoryChunk,
  HistoryGapError,
  istMidnight,
  mergeHistoryChunks,
  parseIsoDay,
  planHistoryChunks,
} from './history-chunks.js';

const bar = (time: number, close = '1'): Candle => ({
  time,
  open: '1',
  high: '1',
  low: '1',
  close,
  volume: 0,
  oi: 0,
});

describe('history chunk planning', () => {
  it('splits a range into inclusive IST-day chunks of at most maxDays', () => {
    const chunks = planHistoryChunks('2025-01-01', '2025-03-15', '1m', 30);
    expect(chunks.map((chunk) => [chunk.startDate, chunk.endDate])).toEqual([
      ['2025-01-01', '2025-01-30'],
      ['2025-01-31', '2025-03-01'],
      ['2025-03-02', '2025-03-15'],
    ]);
    // 2025-01-01 00:00 IST = 2024-12-31T18:30Z; the day ends 1 ms before the next IST midnight.
    expect(chunks[0]?.from).toBe(Date.parse('2024-12-31T18:30:00Z'));
    expect(chunks[0]?.to).toBe(Date.parse('2025-01-30T18:29:59.999Z'));
  });

  it('plans one chunk without a cap and none for an inverted range', () => {
    expect(planHistoryChunks('2020-01-01', '2025-01-01', 'D', undefined)).toHaveLength(1);
    expect(planHistoryChunks('2025-01-02', '2025-01-01', 'D', 10)).toEqual([]);
  });

  it('ends weekly and monthly chunks on bucket boundaries', () => {
    const weekly = planHistoryChunks('2025-01-01', '2025-03-31', 'W', 30);
    for (const chunk of weekly.slice(1)) {
      expect(new Date(`${chunk.startDate}T00:00:00Z`).getUTCDay()).toBe(1);
    }
    const monthly = planHistoryChunks('2024-01-15', '2025-06-30', 'M', 100);
    for (const chunk of monthly.slice(1)) {
      expect(chunk.startDate.endsWith('-01')).toBe(true);
    }
  });

  const intervals: Interval[] = ['1m', '5m', '1h', 'D', 'W', 'M', 'Q', 'Y'];
  const day = fc.integer({ min: parseIsoDay('2015-01-01'), max: parseIsoDay('2030-12-31') });

  it('always covers the range exactly: contiguous, no overlap, no chunk longer than the cap', () => {
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom(...intervals),
        (start, length, maxDays, interval) => {
          const startDate = formatIsoDay(start);
          const endDate = formatIsoDay(start + length);
          const chunks = planHistoryChunks(startDate, endDate, interval, maxDays);
          expect(chunks[0]?.startDate).toBe(startDate);
          expect(chunks.at(-1)?.endDate).toBe(endDate);
          let previous: HistoryChunk | undefined;
          for (const chunk of chunks) {
            const days = parseIsoDay(chunk.endDate) - parseIsoDay(chunk.startDate) + 1;
            expect(days).toBeGreaterThanOrEqual(1);
            expect(days).toBeLessThanOrEqual(maxDays);
            expect(chunk.from).toBe(istMidnight(parseIsoDay(chunk.startDate)));
            if (previous) {
              expect(parseIsoDay(chunk.startDate)).toBe(parseIsoDay(previous.endDate) + 1);
              expect(chunk.from).toBe(previous.to + 1);
            }
            previous = chunk;
          }
        },
      ),
    );
  });
});

describe('history chunk merging', () => {
  const chunks = planHistoryChunks('2025-01-01', '2025-01-30', '1m', 10);
  const second = (chunk: HistoryChunk | undefined, offset: number) =>
    Math.floor((chunk?.from ?? 0) / 1000) + offset;

  it('sorts, de-duplicates and drops intraday bars outside the range', () => {
    const [a, b, c] = chunks;
    const merged = mergeHistoryChunks(
      chunks,
      [
        [bar(second(a, 120)), bar(second(a, 60)), bar(second(a, -60))],
        [bar(second(b, 60)), bar(second(b, 60), '2')],
        [bar(second(c, 60)), bar(Math.floor((c?.to ?? 0) / 1000) + 60)],
      ],
      '1m',
    );
    expect(merged.map((candle) => candle.time)).toEqual([
      second(a, 60),
      second(a, 120),
      second(b, 60),
      second(c, 60),
    ]);
    expect(merged[2]?.close).toBe('1');
  });

  it('fails loudly on an empty inner chunk between chunks with bars', () => {
    const [a, , c] = chunks;
    expect(() => mergeHistoryChunks(chunks, [[bar(second(a, 60))], [], [bar(second(c, 60))]], '1m')).toThrow(
      HistoryGapError,
    );
    // Empty at the edges is a listing that started late or data not yet published: allowed.
    expect(mergeHistoryChunks(chunks, [[], [], [bar(second(c, 60))]], '1m')).toHaveLength(1);
  });

  it('keeps a coarse bar stamped before the first date (the bucket that holds it)', () => {
    const weekly = planHistoryChunks('2025-01-01', '2025-01-20', 'W', undefined);
    const monday = Date.parse('2024-12-30T00:00:00Z') / 1000;
    expect(mergeHistoryChunks(weekly, [[bar(monday)]], 'W')).toHaveLength(1);
  });
});
