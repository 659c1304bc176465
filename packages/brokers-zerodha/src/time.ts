import { TZDate, tzOffset } from '@date-fns/tz';
import { addDays, format } from 'date-fns';

/**
 * Kite speaks Indian Standard Time in every timestamp it sends or accepts. Conversion happens
 * here, at the edge; everything else in the package works in epoch milliseconds (UTC).
 */
export const IST = 'Asia/Kolkata';

const KITE_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([+-])(\d{2}):?(\d{2})|Z)?$/;

/**
 * Parses Kite's `2021-05-31 09:18:57` (IST wall clock) or the history API's
 * `2017-12-15T09:15:00+0530` (explicit offset). Returns `undefined` for empty or malformed text.
 */
export function parseKiteTime(text: string | null | undefined): number | undefined {
  if (!text) {
    return undefined;
  }
  const match = KITE_DATE_TIME.exec(text);
  if (!match) {
    return undefined;
  }
  const [, year, month, day, hours, minutes, seconds, sign, offsetHours, offsetMinutes] = match;
  const hasZulu = text.endsWith('Z');
  const fields = [
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
  ] as const;
  // The wall-clock reading as if it were UTC.
  const wall = Date.UTC(...fields);
  if (sign !== undefined || hasZulu) {
    const offsetMs = hasZulu ? 0 : (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
    return sign === '-' ? wall + offsetMs : wall - offsetMs;
  }
  const dayNumber = Math.floor(wall / DAY_MS);
  const offset = offsetByDay.get(dayNumber);
  if (offset !== undefined) {
    return wall - offset;
  }
  const instant = new TZDate(...fields, IST).getTime();
  rememberOffset(dayNumber, wall - instant);
  return instant;
}

const DAY_MS = 86_400_000;
/**
 * IST's UTC offset (ms) per wall-clock day. Asking the zone database (Intl) costs more than the
 * rest of an order update's handling, and updates come in bursts carrying the same few dates,
 * so a day's offset is kept once known, unless the offset changed that day (as in 1941-1945).
 */
const offsetByDay = new Map<number, number>();

function rememberOffset(dayNumber: number, offset: number): void {
  const start = tzOffset(IST, new Date(dayNumber * DAY_MS - offset));
  const end = tzOffset(IST, new Date((dayNumber + 1) * DAY_MS - 1 - offset));
  if (start === end && start * 60_000 === offset) {
    if (offsetByDay.size >= 4_096) {
      offsetByDay.clear();
    }
    offsetByDay.set(dayNumber, offset);
  }
}

/** `yyyy-MM-dd HH:mm:ss` on the IST wall clock, as Kite's history `from`/`to` expect. */
export function formatKiteDateTime(epochMs: number): string {
  return format(new TZDate(epochMs, IST), 'yyyy-MM-dd HH:mm:ss');
}

/** The IST calendar date of an instant, as `{year, month, day}`. */
export function istDate(epochMs: number): { year: number; month: number; day: number } {
  const local = new TZDate(epochMs, IST);
  return { year: local.getFullYear(), month: local.getMonth() + 1, day: local.getDate() };
}

/** Epoch seconds of 00:00 UTC on the IST trading date of `epochMs` (OpenAlgo's daily-bar rule). */
export function dailyBarTime(epochMs: number): number {
  const { year, month, day } = istDate(epochMs);
  return Date.UTC(year, month - 1, day) / 1000;
}

/** The next instant (epoch ms) at which the IST wall clock reads `hours:minutes`, after `now`. */
export function nextIstTime(now: number, hours: number, minutes = 0): number {
  const local = new TZDate(now, IST);
  let candidate = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    hours,
    minutes,
    0,
    0,
    IST,
  );
  if (candidate.getTime() <= now) {
    candidate = addDays(candidate, 1);
  }
  return candidate.getTime();
}
