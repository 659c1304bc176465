import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addIstDays,
  formatIst,
  IST,
  istClock,
  istDate,
  istInstant,
  istWeekday,
  lastIstTime,
  nextIstTime,
  startOfIstDay,
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

/** The helpers as date-fns and its time-zone dates compute them (the fast paths must agree). */
const reference = {
  format: (at: number, pattern: string) => format(new TZDate(at, IST), pattern),
  istInstant: (date: string, hhmm: string) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
    return new TZDate(year, month - 1, day, hours, minutes, 0, 0, IST).getTime();
  },
  addIstDays: (date: string, days: number) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    return format(addDays(new TZDate(year, month - 1, day, 12, 0, 0, 0, IST), days), 'yyyy-MM-dd');
  },
  weekday: (at: number) => format(new TZDate(at, IST), 'EEEE'),
};

const PATTERNS = [
  'yyyy-MM-dd HH:mm:ss',
  'yyMMdd',
  'yyyyMMdd-HHmmss',
  'yyyy-MM-dd',
  'HH:mm',
  'HH:mm:ss',
  'dd-MMM-yyyy HH:mm:ss',
  'MMM yy, dd_HH.mm.ss 1',
  // Not computed from the offset: date-fns formats these.
  "yyyy-MM-dd'T'HH:mm",
  'EEE d MMMM yyyy h:mm a',
  'yyyyy-MM',
  '',
];
const CLOCKS = ['00:00', '03:00', '09:15', '15:15', '15:30', '23:59'];

/** What a call gives: its value, or the kind of error it throws. */
function outcome(call: () => string): { value: string } | { error: string } {
  try {
    return { value: call() };
  } catch (error) {
    return { error: error instanceof Error ? error.constructor.name : String(error) };
  }
}

function expectSameAsDateFns(at: number): void {
  for (const pattern of PATTERNS) {
    expect(
      outcome(() => formatIst(at, pattern)),
      `${at} ${pattern}`,
    ).toEqual(outcome(() => reference.format(at, pattern)));
  }
  expect(formatIst(at)).toBe(reference.format(at, 'yyyy-MM-dd HH:mm:ss'));
  const date = reference.format(at, 'yyyy-MM-dd');
  expect(istDate(at)).toBe(date);
  expect(istClock(at)).toBe(reference.format(at, 'HH:mm'));
  expect(istWeekday(at)).toBe(reference.weekday(at));
  expect(startOfIstDay(at)).toBe(reference.istInstant(date, '00:00'));
  for (const clock of CLOCKS) {
    const today = reference.istInstant(date, clock);
    const yesterday = reference.istInstant(reference.addIstDays(date, -1), clock);
    const tomorrow = reference.istInstant(reference.addIstDays(date, 1), clock);
    expect(lastIstTime(at, clock), `${at} last ${clock}`).toBe(today <= at ? today : yesterday);
    expect(nextIstTime(at, clock), `${at} next ${clock}`).toBe(today > at ? today : tomorrow);
  }
}

describe('IST helpers against date-fns', () => {
  const from = Date.UTC(1900, 0, 1);
  const until = Date.UTC(2200, 0, 1);

  it('agree on instants every few hours from 1900 to 2200 (odd steps: every clock time comes up)', () => {
    const step = 7 * 3_600_000 + 13 * 60_000 + 17_001;
    for (let at = from; at < until; at += step * 401) {
      expectSameAsDateFns(at);
    }
  });

  it('agree either side of IST midnights, second boundaries and the 1945 offset change', () => {
    const days = [
      '1941-12-31',
      '1942-09-01',
      '1945-10-14',
      '1945-10-15',
      '1945-10-16',
      '1946-01-01',
      '1946-01-02',
      '1999-12-31',
      '2000-02-29',
      '2024-02-29',
      '2026-03-31',
      '2026-11-24',
      '2026-12-31',
      '2027-01-01',
      '2100-02-28',
      '2199-12-31',
    ];
    for (const date of days) {
      const midnight = reference.istInstant(date, '00:00');
      for (const delta of [-86_400_000, -1_000, -1, -0.5, 0, 0.5, 1, 999, 999.9, 1_000, 59_999, 60_000]) {
        expectSameAsDateFns(midnight + delta);
      }
    }
  });

  it('agree on random instants, in random order (the remembered day and second change often)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.integer({ min: from, max: until }), fc.double({ min: from, max: until, noNaN: true })),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.integer({ min: 0, max: 2_000 }),
        (instants, nudge) => {
          for (const at of instants) {
            expectSameAsDateFns(at);
            // The same second and the same day again, then the next ones.
            expectSameAsDateFns(at + nudge / 10);
            expectSameAsDateFns(at + nudge * 1_000);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('read IST dates and clock times as date-fns does, rolled-over fields included', () => {
    const dates = [
      '1946-01-01',
      '1950-06-15',
      '2026-11-24',
      '2026-02-30',
      '2026-13-01',
      '2026-00-10',
      '2026-12-00',
    ];
    for (const date of [...dates, '1944-03-01', '1945-10-15', '9999-12-31', '0001-01-01']) {
      for (const clock of CLOCKS) {
        expect(istInstant(date, clock), `${date} ${clock}`).toBe(reference.istInstant(date, clock));
      }
      for (const days of [-400, -366, -1, 0, 1, 31, 366, 1.5, -1.5]) {
        expect(addIstDays(date, days), `${date} + ${days}`).toBe(reference.addIstDays(date, days));
      }
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.constantFrom(...CLOCKS),
        fc.integer({ min: -1_000, max: 1_000 }),
        (year, month, day, clock, days) => {
          const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          expect(istInstant(date, clock)).toBe(reference.istInstant(date, clock));
          expect(addIstDays(date, days)).toBe(reference.addIstDays(date, days));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fail as date-fns does on an invalid instant or clock time', () => {
    expect(() => formatIst(Number.NaN)).toThrow(RangeError);
    expect(() => istDate(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => lastIstTime(Number.NaN, '03:00')).toThrow(RangeError);
    expect(() => lastIstTime(Date.UTC(2026, 10, 24), '24:00')).toThrow(/not an HH:MM time/);
    expect(() => nextIstTime(Date.UTC(2026, 10, 24), '9:15')).toThrow(/not an HH:MM time/);
    expect(istWeekday(Number.NaN)).toBe('Sunday');
  });
});
