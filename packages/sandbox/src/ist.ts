import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';

/**
 * Exchange time (IST) at the edges, through date-fns' time-zone dates: every figure here is
 * the same whatever the server's own time zone is. Instants are epoch milliseconds.
 */
export const IST = 'Asia/Kolkata';

/** An IST calendar date, `yyyy-MM-dd`. */
export type IstDate = string;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function istDate(at: number): IstDate {
  return format(new TZDate(at, IST), 'yyyy-MM-dd');
}

/** `HH:mm` on the IST wall clock. */
export function istClock(at: number): string {
  return format(new TZDate(at, IST), 'HH:mm');
}

export function istWeekday(at: number): Weekday {
  return WEEKDAYS[new TZDate(at, IST).getDay()] ?? 'Sunday';
}

/** `yyyy-MM-dd HH:mm:ss` in IST, as OpenAlgo's sandbox prints timestamps (or another pattern). */
export function formatIst(at: number, pattern = 'yyyy-MM-dd HH:mm:ss'): string {
  return format(new TZDate(at, IST), pattern);
}

function parseClock(hhmm: string): [number, number] {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) {
    throw new RangeError(`not an HH:MM time: ${hhmm}`);
  }
  return [Number(match[1]), Number(match[2])];
}

function parseDate(date: IstDate): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) {
    throw new RangeError(`not a yyyy-MM-dd date: ${date}`);
  }
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** The instant at which the IST wall clock reads `hhmm` on `date`. */
export function istInstant(date: IstDate, hhmm = '00:00'): number {
  const [year, month, day] = parseDate(date);
  const [hours, minutes] = parseClock(hhmm);
  return new TZDate(year, month - 1, day, hours, minutes, 0, 0, IST).getTime();
}

export function addIstDays(date: IstDate, days: number): IstDate {
  const [year, month, day] = parseDate(date);
  return format(addDays(new TZDate(year, month - 1, day, 12, 0, 0, 0, IST), days), 'yyyy-MM-dd');
}

/** 00:00 IST of the day `at` falls in. */
export function startOfIstDay(at: number): number {
  return istInstant(istDate(at));
}

/** The latest instant ≤ `at` at which the IST clock read `hhmm` (today's, else yesterday's). */
export function lastIstTime(at: number, hhmm: string): number {
  const today = istInstant(istDate(at), hhmm);
  return today <= at ? today : istInstant(addIstDays(istDate(at), -1), hhmm);
}

/** The first instant > `at` at which the IST clock reads `hhmm`. */
export function nextIstTime(at: number, hhmm: string): number {
  const today = istInstant(istDate(at), hhmm);
  return today > at ? today : istInstant(addIstDays(istDate(at), 1), hhmm);
}

/** Whether `hhmm` is a valid `HH:MM` clock time. */
export function isClockTime(hhmm: string): boolean {
  return /^([01]\d|2[0-3]):([0-5]\d)$/.test(hhmm);
}

/** `yyyy-MM-dd` of an expiry given as `DD-MMM-YY`, `DDMMMYY` or `yyyy-MM-dd`. */
export function formatIsoDate(year: number, month: number, day: number): IstDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
