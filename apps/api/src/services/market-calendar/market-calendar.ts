import { TZDate } from '@date-fns/tz';
import type { MarketHolidaysResponse, SessionWindow } from '@openalgo/shared-types';
import { addDays, isWeekend, parseISO } from 'date-fns';
import { IST } from '../../time.js';
import { HOLIDAYS, type HolidayRow } from './holidays.js';

/**
 * Market holidays and session times per exchange and date (api-v1 §4.7.2–4.7.3). Dates are IST
 * calendar dates; times are epoch milliseconds computed in IST with a date library (the
 * reference used the server's local midnight, a QUIRK we do not repeat).
 */

export type HolidayEntry = MarketHolidaysResponse['data'][number];

interface DefaultSession {
  exchange: string;
  start: string;
  end: string;
}

/** Ordinary sessions in the response order of the contract (IST). */
export const DEFAULT_SESSIONS: readonly DefaultSession[] = [
  { exchange: 'NSE', start: '09:15', end: '15:30' },
  { exchange: 'BSE', start: '09:15', end: '15:30' },
  { exchange: 'NFO', start: '09:15', end: '15:40' },
  { exchange: 'BFO', start: '09:15', end: '15:40' },
  { exchange: 'MCX', start: '09:00', end: '23:55' },
  { exchange: 'BCD', start: '09:00', end: '17:00' },
  { exchange: 'CDS', start: '09:00', end: '17:00' },
  { exchange: 'NCO', start: '09:00', end: '23:55' },
  { exchange: 'CRYPTO', start: '00:00', end: '23:59:59' },
];

/** Epoch ms of an IST wall-clock time on an IST calendar date. */
export function istInstant(date: string, time: string): number {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  const [hours = 0, minutes = 0, seconds = 0] = time.split(':').map(Number);
  return new TZDate(year, month - 1, day, hours, minutes, seconds, 0, IST).getTime();
}

function windowOn(date: string, exchange: string, start: string, end: string): SessionWindow {
  const startTime = istInstant(date, start);
  let endTime = istInstant(date, end);
  if (endTime <= startTime) {
    // A session that runs past midnight ends on the next calendar day.
    endTime = addDays(new TZDate(endTime, IST), 1).getTime();
  }
  return { exchange, start_time: startTime, end_time: endTime };
}

const byDate = new Map<string, HolidayRow>(HOLIDAYS.map((row) => [row.date, row]));

function toEntry(row: HolidayRow): HolidayEntry {
  return {
    date: row.date,
    description: row.description,
    holiday_type: row.type,
    closed_exchanges: [...row.closed],
    open_exchanges: row.open.map((session) =>
      windowOn(row.date, session.exchange, session.start, session.end),
    ),
  };
}

/** The holidays and special sessions of a year, by date. */
export function holidaysOf(year: number): HolidayEntry[] {
  const prefix = `${year}-`;
  return HOLIDAYS.filter((row) => row.date.startsWith(prefix))
    .sort((left, right) => left.date.localeCompare(right.date))
    .map(toEntry);
}

/**
 * The sessions on an IST date: ordinary hours on a weekday, only CRYPTO on a weekend, only the
 * special sessions of a holiday or special-session day (none when everything is closed), and
 * ordinary hours on a settlement holiday.
 */
export function timingsOn(date: string): SessionWindow[] {
  const holiday = byDate.get(date);
  if (holiday && holiday.type !== 'SETTLEMENT_HOLIDAY') {
    return toEntry(holiday).open_exchanges;
  }
  const sessions = isWeekend(parseISO(date))
    ? DEFAULT_SESSIONS.filter((session) => session.exchange === 'CRYPTO')
    : DEFAULT_SESSIONS;
  return sessions.map((session) => windowOn(date, session.exchange, session.start, session.end));
}

/** The IST calendar year at `now`. */
export function istYear(now: number): number {
  return new TZDate(now, IST).getFullYear();
}
