import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';

export const IST = 'Asia/Kolkata';

/** The next instant (epoch ms) at which the IST wall clock reads `hh:mm`, strictly after `now`. */
export function nextIstTime(now: number, hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  const local = new TZDate(now, IST);
  let candidate = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    hours ?? 0,
    minutes ?? 0,
    0,
    0,
    IST,
  );
  if (candidate.getTime() <= now) {
    candidate = addDays(candidate, 1);
  }
  return candidate.getTime();
}

/**
 * `formatIst(epochMs, pattern = 'yyyy-MM-dd HH:mm:ss')`: IST as OpenAlgo's sandbox prints
 * timestamps (or another date-fns pattern) — the sandbox's formatter, which computes the common
 * patterns from IST's fixed offset instead of building a time-zone date per call.
 */
export { formatIst } from '@openalgo/sandbox';

/**
 * A client's date-time text as epoch ms: ISO 8601 with a zone as given, or an IST wall-clock
 * `YYYY-MM-DD[ HH:mm[:ss]]`. `null` when it is neither.
 */
export function parseIstDateTime(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) {
    const epoch = Date.parse(trimmed);
    return Number.isNaN(epoch) ? null : epoch;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
  if (!match) {
    return null;
  }
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new TZDate(
    year ?? 0,
    (month ?? 1) - 1,
    day ?? 1,
    hours ?? 0,
    minutes ?? 0,
    seconds ?? 0,
    0,
    IST,
  );
  const isSameDay = date.getDate() === day && date.getMonth() === (month ?? 1) - 1;
  return isSameDay && (hours ?? 0) < 24 && (minutes ?? 0) < 60 && (seconds ?? 0) < 60 ? date.getTime() : null;
}
