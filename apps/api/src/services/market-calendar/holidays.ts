/**
 * The exchange holiday calendar (api-v1 §4.7.2–4.7.3) as data: one row per date that is not an
 * ordinary session on a weekday. Times are IST wall-clock `HH:MM`; the service turns them into
 * epoch milliseconds.
 *
 * 2025 and 2026 follow the exchanges' published holiday circulars (NSE/BSE equity, F&O and
 * currency derivatives; MCX commodity). On most equity holidays MCX closes its morning session
 * and trades its evening session (17:00–23:55); it closes fully on the national holidays and
 * Good Friday. Rows marked `provisional` are not from a circular yet: 2027 lists only the dates
 * that are fixed (national holidays) or computed (Good Friday) and falls on weekdays, and the
 * 2026 Muhurat session time is the customary one until the circular names it. Replace them when
 * the exchanges publish.
 */

import type { HolidayType } from '@openalgo/shared-types';

export interface SpecialSession {
  exchange: string;
  /** IST `HH:MM`. */
  start: string;
  /** IST `HH:MM`; earlier than `start` means the next day. */
  end: string;
}

export interface HolidayRow {
  date: string;
  description: string;
  type: HolidayType;
  closed: readonly string[];
  open: readonly SpecialSession[];
  provisional?: boolean;
}

/** Equity, equity derivatives and currency derivatives of NSE and BSE. */
const EQUITY_AND_CURRENCY = ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD'] as const;
const ALL_CLOSED = [...EQUITY_AND_CURRENCY, 'MCX'] as const;
const MCX_EVENING: readonly SpecialSession[] = [{ exchange: 'MCX', start: '17:00', end: '23:55' }];

/** Closed for equity and currency, MCX trades its evening session. */
const partial = (date: string, description: string): HolidayRow => ({
  date,
  description,
  type: 'TRADING_HOLIDAY',
  closed: EQUITY_AND_CURRENCY,
  open: MCX_EVENING,
});

/** Every exchange closed all day. */
const full = (date: string, description: string, provisional = false): HolidayRow => ({
  date,
  description,
  type: 'TRADING_HOLIDAY',
  closed: ALL_CLOSED,
  open: [],
  ...(provisional ? { provisional } : {}),
});

const settlement = (date: string, description: string): HolidayRow => ({
  date,
  description,
  type: 'SETTLEMENT_HOLIDAY',
  closed: [],
  open: [],
});

/** A special session (Muhurat trading) on every exchange at the same time. */
const muhurat = (date: string, start: string, end: string, provisional = false): HolidayRow => ({
  date,
  description: 'Diwali Laxmi Pujan (Muhurat Trading)',
  type: 'SPECIAL_SESSION',
  closed: [],
  open: ALL_CLOSED.map((exchange) => ({ exchange, start, end })),
  ...(provisional ? { provisional } : {}),
});

export const HOLIDAYS: readonly HolidayRow[] = [
  // 2025
  partial('2025-02-26', 'Mahashivratri'),
  partial('2025-03-14', 'Holi'),
  partial('2025-03-31', 'Id-Ul-Fitr (Ramadan Eid)'),
  partial('2025-04-10', 'Shri Mahavir Jayanti'),
  partial('2025-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'),
  full('2025-04-18', 'Good Friday'),
  partial('2025-05-01', 'Maharashtra Day'),
  full('2025-08-15', 'Independence Day'),
  partial('2025-08-27', 'Shri Ganesh Chaturthi'),
  full('2025-10-02', 'Mahatma Gandhi Jayanti / Dussehra'),
  muhurat('2025-10-21', '13:45', '14:45'),
  partial('2025-10-22', 'Diwali Balipratipada'),
  partial('2025-11-05', 'Prakash Gurpurb Sri Guru Nanak Dev'),
  full('2025-12-25', 'Christmas'),
  settlement('2025-02-19', 'Chhatrapati Shivaji Maharaj Jayanti'),
  settlement('2025-04-01', 'Annual Bank Closing'),
  // 2026
  full('2026-01-26', 'Republic Day'),
  partial('2026-03-03', 'Holi'),
  partial('2026-03-26', 'Shri Ram Navami'),
  partial('2026-03-31', 'Shri Mahavir Jayanti'),
  full('2026-04-03', 'Good Friday'),
  partial('2026-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'),
  partial('2026-05-01', 'Maharashtra Day'),
  partial('2026-05-28', 'Bakri Id'),
  partial('2026-06-26', 'Muharram'),
  partial('2026-09-14', 'Ganesh Chaturthi'),
  full('2026-10-02', 'Mahatma Gandhi Jayanti'),
  partial('2026-10-20', 'Dussehra'),
  muhurat('2026-11-08', '18:00', '19:00', true),
  partial('2026-11-10', 'Diwali Balipratipada'),
  partial('2026-11-24', 'Prakash Gurpurb Sri Guru Nanak Dev'),
  full('2026-12-25', 'Christmas'),
  settlement('2026-02-19', 'Chhatrapati Shivaji Maharaj Jayanti'),
  settlement('2026-04-01', 'Annual Bank Closing'),
  // 2027 (provisional)
  full('2027-01-26', 'Republic Day', true),
  full('2027-03-26', 'Good Friday', true),
  {
    ...partial('2027-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'),
    provisional: true,
  },
];
