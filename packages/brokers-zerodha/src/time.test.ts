import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { IST, parseKiteTime } from './time.js';

describe('parseKiteTime', () => {
  it('reads an IST wall-clock time as its instant', () => {
    expect(parseKiteTime('2021-05-31 09:18:57')).toBe(Date.UTC(2021, 4, 31, 3, 48, 57));
    // Twice: the second answer comes from the remembered offset of that day.
    expect(parseKiteTime('2021-05-31 23:59:59')).toBe(Date.UTC(2021, 4, 31, 18, 29, 59));
    expect(parseKiteTime('2026-12-02T00:00:00')).toBe(Date.UTC(2026, 11, 1, 18, 30, 0));
  });

  it('agrees with the zone database on every day it is asked, including the years IST changed', () => {
    const wallTimes: Array<[number, number, number, number, number, number]> = [];
    for (let year = 1940; year <= 2030; year += 1) {
      for (const [month, day, hours] of [
        [0, 1, 0],
        [5, 15, 12],
        [8, 1, 23],
        [9, 14, 23],
        [9, 15, 0],
        [11, 31, 23],
      ] as const) {
        wallTimes.push([year, month, day, hours, 59, 59]);
      }
    }
    for (const [year, month, day, hours, minutes, seconds] of [...wallTimes, ...wallTimes]) {
      const text = `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')} ${String(hours).padStart(2, '0')}:${minutes}:${seconds}`;
      const expected = new TZDate(year, month, day, hours, minutes, seconds, IST).getTime();
      expect(parseKiteTime(text), text).toBe(expected);
    }
  });

  it('honours an explicit offset or Z, and refuses malformed text', () => {
    expect(parseKiteTime('2017-12-15T09:15:00+0530')).toBe(Date.UTC(2017, 11, 15, 3, 45, 0));
    expect(parseKiteTime('2017-12-15T09:15:00-01:00')).toBe(Date.UTC(2017, 11, 15, 10, 15, 0));
    expect(parseKiteTime('2017-12-15T09:15:00Z')).toBe(Date.UTC(2017, 11, 15, 9, 15, 0));
    expect(parseKiteTime('')).toBeUndefined();
    expect(parseKiteTime(null)).toBeUndefined();
    expect(parseKiteTime('15/12/2017 09:15')).toBeUndefined();
  });
});
