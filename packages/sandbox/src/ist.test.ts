import { afterEach, describe, expect, it } from 'vitest';
import {
  addIstDays,
  formatIst,
  istClock,
  istDate,
  istInstant,
  istWeekday,
  lastIstTime,
  nextIstTime,
} from './ist.js';

const originalZone = process.env.TZ;

describe('IST at the edges', () => {
  afterEach(() => {
    process.env.TZ = originalZone;
  });

  it.each(['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Chatham', 'Europe/London'])(
    'gives the same instants and wall clock whatever the server zone (%s)',
    (zone) => {
      process.env.TZ = zone;
      // 15:15 IST is 09:45 UTC.
      expect(istInstant('2026-11-24', '15:15')).toBe(Date.UTC(2026, 10, 24, 9, 45));
      const lateNight = Date.UTC(2026, 10, 24, 20, 0); // 01:30 IST on the 25th
      expect(istDate(lateNight)).toBe('2026-11-25');
      expect(istClock(lateNight)).toBe('01:30');
      expect(istWeekday(lateNight)).toBe('Wednesday');
      expect(formatIst(lateNight)).toBe('2026-11-25 01:30:00');
      expect(lastIstTime(lateNight, '15:15')).toBe(Date.UTC(2026, 10, 24, 9, 45));
      expect(nextIstTime(lateNight, '03:00')).toBe(Date.UTC(2026, 10, 24, 21, 30));
      expect(addIstDays('2026-12-31', 1)).toBe('2027-01-01');
    },
  );
});
