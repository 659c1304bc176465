import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';

/**
 * Exchange time (IST) at the edges, through date-fns' time-zone dates: every figure here is
 * the same whatever the server's own time zone is. Instants are epoch milliseconds.
 *
 * Asia/Kolkata has been UTC+05:30 without daylight saving since October 1945, so for instants
 * from 1946 on the hot helpers (the order path formats several per order) compute the wall
 * clock from that fixed offset, remembering the last IST day and, per pattern, the last
 * second they formatted; anything else (earlier instants, other patterns) goes through
 * date-fns. Both give the same text (ist.test.ts compares them).
 */
export const IST = 'Asia/Kolkata';

/** An IST calendar date, `yyyy-MM-dd`. */
export type IstDate = string;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const OFFSET_MS = 19_800_000; // +05:30
const DAY_MS = 86_400_000;
/** The instants the fixed offset covers: 1946-01-02 to 9998-12-31 (four-digit years, either side). */
const FIXED_FROM = Date.UTC(1946, 0, 2);
const FIXED_UNTIL = Date.UTC(9998, 11, 31);

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** One IST calendar day: its first instant and its fields, formatted once. */
interface IstDay {
  start: number;
  weekday: number;
  yyyy: string;
  yy: string;
  MM: string;
  MMM: string;
  dd: string;
  date: IstDate;
}

let lastDay: IstDay | undefined;

/** The IST day of `at` when the fixed offset covers it (`undefined` otherwise: use date-fns). */
function istDayOf(at: number): IstDay | undefined {
  if (!(at >= FIXED_FROM && at < FIXED_UNTIL)) {
    return undefined;
  }
  const cached = lastDay;
  // Date truncates a fractional instant; from 1946 on, truncating is flooring.
  if (cached !== undefined && at >= cached.start && Math.trunc(at) < cached.start + DAY_MS) {
    return cached;
  }
  const wallMidnight = Math.floor((Math.trunc(at) + OFFSET_MS) / DAY_MS) * DAY_MS;
  const fields = new Date(wallMidnight);
  const year = fields.getUTCFullYear();
  const month = fields.getUTCMonth();
  const yyyy = String(year);
  const MM = pad2(month + 1);
  const dd = pad2(fields.getUTCDate());
  const day: IstDay = {
    start: wallMidnight - OFFSET_MS,
    weekday: fields.getUTCDay(),
    yyyy,
    yy: yyyy.slice(2),
    MM,
    MMM: MONTHS[month] as string,
    dd,
    date: `${yyyy}-${MM}-${dd}`,
  };
  lastDay = day;
  return day;
}

type Token = 'yyyy' | 'yy' | 'MM' | 'MMM' | 'dd' | 'HH' | 'mm' | 'ss';
const TOKENS = new Set<string>(['yyyy', 'yy', 'MM', 'MMM', 'dd', 'HH', 'mm', 'ss']);

/** A pattern made only of the tokens above and literal punctuation, with its last result. */
interface FastPattern {
  parts: readonly (Token | { literal: string })[];
  second: number;
  text: string;
}

const fastPatterns = new Map<string, FastPattern | null>();

/**
 * The pattern split as date-fns reads it (runs of one letter are one token), or `null` when it
 * has anything else: other letters or run lengths, quotes.
 */
function fastPatternOf(pattern: string): FastPattern | null {
  let fast = fastPatterns.get(pattern);
  if (fast !== undefined) {
    return fast;
  }
  const parts: (Token | { literal: string })[] = [];
  // date-fns fails on an empty pattern: so does this, through it.
  let isFast = pattern.length > 0;
  for (let index = 0; index < pattern.length && isFast; ) {
    const char = pattern[index] as string;
    let end = index + 1;
    if (/[A-Za-z]/.test(char)) {
      while (pattern[end] === char) {
        end += 1;
      }
      const run = pattern.slice(index, end);
      if (TOKENS.has(run)) {
        parts.push(run as Token);
      } else {
        isFast = false;
      }
    } else if (char === "'") {
      isFast = false;
    } else {
      parts.push({ literal: char });
    }
    index = end;
  }
  fast = isFast ? { parts, second: Number.NaN, text: '' } : null;
  if (fastPatterns.size >= 64) {
    fastPatterns.clear();
  }
  fastPatterns.set(pattern, fast);
  return fast;
}

function formatFast(day: IstDay, at: number, fast: FastPattern): string {
  const second = Math.floor(Math.trunc(at) / 1000);
  if (second === fast.second) {
    return fast.text;
  }
  const secondsOfDay = Math.floor((Math.trunc(at) - day.start) / 1000);
  let text = '';
  for (const part of fast.parts) {
    switch (part) {
      case 'yyyy':
        text += day.yyyy;
        break;
      case 'yy':
        text += day.yy;
        break;
      case 'MM':
        text += day.MM;
        break;
      case 'MMM':
        text += day.MMM;
        break;
      case 'dd':
        text += day.dd;
        break;
      case 'HH':
        text += pad2(Math.floor(secondsOfDay / 3600));
        break;
      case 'mm':
        text += pad2(Math.floor(secondsOfDay / 60) % 60);
        break;
      case 'ss':
        text += pad2(secondsOfDay % 60);
        break;
      default:
        text += part.literal;
    }
  }
  fast.second = second;
  fast.text = text;
  return text;
}

export function istDate(at: number): IstDate {
  return istDayOf(at)?.date ?? format(new TZDate(at, IST), 'yyyy-MM-dd');
}

/** `HH:mm` on the IST wall clock. */
export function istClock(at: number): string {
  return formatIst(at, 'HH:mm');
}

export function istWeekday(at: number): Weekday {
  const day = istDayOf(at);
  return WEEKDAYS[day ? day.weekday : new TZDate(at, IST).getDay()] ?? 'Sunday';
}

/** `yyyy-MM-dd HH:mm:ss` in IST, as OpenAlgo's sandbox prints timestamps (or another pattern). */
export function formatIst(at: number, pattern = 'yyyy-MM-dd HH:mm:ss'): string {
  const day = istDayOf(at);
  const fast = day ? fastPatternOf(pattern) : null;
  return day && fast ? formatFast(day, at, fast) : format(new TZDate(at, IST), pattern);
}

function parseClock(hhmm: string): [number, number] {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) {
    throw new RangeError(`not an HH:MM time: ${hhmm}`);
  }
  return [Number(match[1]), Number(match[2])];
}

const clockOffsets = new Map<string, number>();

/** Milliseconds from midnight to `hhmm` (remembered: a few clock times recur all day). */
function clockOffsetOf(hhmm: string): number {
  let offset = clockOffsets.get(hhmm);
  if (offset === undefined) {
    const [hours, minutes] = parseClock(hhmm);
    offset = (hours * 60 + minutes) * 60_000;
    if (clockOffsets.size >= 64) {
      clockOffsets.clear();
    }
    clockOffsets.set(hhmm, offset);
  }
  return offset;
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
  if (year >= 1947 && year <= 9997) {
    // Out-of-range fields roll over as they do for TZDate (both are Date arithmetic).
    const at = Date.UTC(year, month - 1, day, hours, minutes) - OFFSET_MS;
    if (at >= FIXED_FROM && at < FIXED_UNTIL) {
      return at;
    }
  }
  return new TZDate(year, month - 1, day, hours, minutes, 0, 0, IST).getTime();
}

export function addIstDays(date: IstDate, days: number): IstDate {
  const [year, month, day] = parseDate(date);
  if (year >= 1947 && year <= 9997 && Number.isSafeInteger(days) && Math.abs(days) <= 366) {
    const noon = Date.UTC(year, month - 1, day + days, 12) - OFFSET_MS;
    const shifted = istDayOf(noon);
    if (shifted) {
      return shifted.date;
    }
  }
  return format(addDays(new TZDate(year, month - 1, day, 12, 0, 0, 0, IST), days), 'yyyy-MM-dd');
}

/** 00:00 IST of the day `at` falls in. */
export function startOfIstDay(at: number): number {
  return istDayOf(at)?.start ?? istInstant(istDate(at));
}

/** The latest instant ≤ `at` at which the IST clock read `hhmm` (today's, else yesterday's). */
export function lastIstTime(at: number, hhmm: string): number {
  const day = istDayOf(at);
  if (day) {
    const today = day.start + clockOffsetOf(hhmm);
    return today <= at ? today : today - DAY_MS;
  }
  const today = istInstant(istDate(at), hhmm);
  return today <= at ? today : istInstant(addIstDays(istDate(at), -1), hhmm);
}

/** The first instant > `at` at which the IST clock reads `hhmm`. */
export function nextIstTime(at: number, hhmm: string): number {
  const day = istDayOf(at);
  if (day) {
    const today = day.start + clockOffsetOf(hhmm);
    return today > at ? today : today + DAY_MS;
  }
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
