import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';

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

/** `YYYY-MM-DD HH:mm:ss` in IST, as OpenAlgo's sandbox prints timestamps. */
export function formatIst(epochMs: number, pattern = 'yyyy-MM-dd HH:mm:ss'): string {
  return format(new TZDate(epochMs, IST), pattern);
}
