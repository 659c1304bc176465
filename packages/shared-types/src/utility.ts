import { z } from 'zod';
import {
  apikeyField,
  booleanField,
  enumField,
  floatField,
  integerField,
  listField,
  MESSAGES,
  requestObject,
  stringField,
} from './fields.js';

/** `POST /api/v1/ping` (api-v1 §4.7.1): an authenticated check, not a health probe. */
export const pingRequestSchema = requestObject({
  apikey: apikeyField(),
});
export type PingRequest = z.infer<typeof pingRequestSchema>;

export const pingResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    message: z.literal('pong'),
    broker: z.string(),
  }),
});
export type PingResponse = z.infer<typeof pingResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Field helpers of this area (marshmallow's Range and Length messages).

const rangeMessage = (min: number, max?: number) =>
  max === undefined ? `Must be greater than or equal to ${min}.` : MESSAGES.range(min, max);

/** A float (number or numeric string) within `[min, max]`. */
function floatIn(min: number, max?: number) {
  const message = rangeMessage(min, max);
  const bounded = z.number().min(min, message);
  return floatField().pipe(max === undefined ? bounded : bounded.max(max, message));
}

/** An integer (truncating floats, numeric strings) within `[min, max]`. */
function integerIn(min: number, max: number) {
  const message = rangeMessage(min, max);
  return integerField().pipe(z.number().min(min, message).max(max, message));
}

const CALENDAR_EXCHANGES = ['NSE', 'BSE'] as const;
const BENCHMARK_EXCHANGES = ['NSE_INDEX', 'BSE_INDEX', 'GLOBAL_INDEX'] as const;
const COST_MODELS = ['indian_equity', 'flat_bps'] as const;
const DATA_SOURCES = ['db', 'api'] as const;

/** `{charge: {field: number ≥ 0 | null}}` cost overrides of the backtesters. */
const chargesField = () =>
  z.record(z.string(), z.record(z.string(), floatIn(0).nullable()), {
    error: (issue) => (issue.input === null ? MESSAGES.notNull : 'Not a valid mapping type.'),
  });

const successEnvelope = z.looseObject({ status: z.literal('success') });

// ---------------------------------------------------------------------------------------------
// Market calendar (api-v1 §4.7.2–4.7.3)

export const holidayTypeSchema = z.enum(['TRADING_HOLIDAY', 'SETTLEMENT_HOLIDAY', 'SPECIAL_SESSION']);
export type HolidayType = z.infer<typeof holidayTypeSchema>;

/** `POST /market/holidays`: `apikey` must be present, it is never verified. */
export const marketHolidaysRequestSchema = requestObject({
  apikey: apikeyField(),
  year: integerIn(2020, 2050).optional(),
});
export type MarketHolidaysRequest = z.infer<typeof marketHolidaysRequestSchema>;

/** One exchange's session, epoch milliseconds. */
export const sessionWindowSchema = z.object({
  exchange: z.string(),
  start_time: z.number().int(),
  end_time: z.number().int(),
});
export type SessionWindow = z.infer<typeof sessionWindowSchema>;

export const marketHolidaysResponseSchema = z.object({
  status: z.literal('success'),
  year: z.number().int(),
  timezone: z.literal('Asia/Kolkata'),
  data: z.array(
    z.object({
      date: z.string(),
      description: z.string(),
      holiday_type: holidayTypeSchema,
      closed_exchanges: z.array(z.string()),
      open_exchanges: z.array(sessionWindowSchema),
    }),
  ),
});
export type MarketHolidaysResponse = z.infer<typeof marketHolidaysResponseSchema>;

/** `POST /market/timings`: the date's format and range are checked by the handler (E5 texts). */
export const marketTimingsRequestSchema = requestObject({
  apikey: apikeyField(),
  date: stringField(),
});
export type MarketTimingsRequest = z.infer<typeof marketTimingsRequestSchema>;

export const marketTimingsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(sessionWindowSchema),
});
export type MarketTimingsResponse = z.infer<typeof marketTimingsResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Chart preferences (api-v1 §4.7.4)

/** `GET /chart?apikey=`: a missing key is answered by the handler ("Missing apikey parameter"). */
export const chartQuerySchema = z.looseObject({ apikey: z.string().optional() });
export type ChartQuery = z.infer<typeof chartQuerySchema>;

export const chartPreferencesResponseSchema = z.object({
  status: z.literal('success'),
  data: z.record(z.string(), z.string()),
});
export type ChartPreferencesResponse = z.infer<typeof chartPreferencesResponseSchema>;

/** `POST /chart`: `apikey` plus 1–50 arbitrary preference keys (extra keys are the payload). */
export const chartUpdateRequestSchema = z.looseObject({ apikey: apikeyField() });
export type ChartUpdateRequest = z.infer<typeof chartUpdateRequestSchema>;

export const messageResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
});
export type MessageResponse = z.infer<typeof messageResponseSchema>;

export const CHART_LIMITS = { maxKeys: 50, maxKeyLength: 50, maxValueBytes: 1_048_576 } as const;

// ---------------------------------------------------------------------------------------------
// Portfolio backtester (api-v1 §4.7.5)

/** `GET /portfolio/benchmarks?apikey=`. */
export const apikeyQuerySchema = z.looseObject({ apikey: z.string().optional() });
export type ApikeyQuery = z.infer<typeof apikeyQuerySchema>;

export const portfolioBenchmarksResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(z.object({ symbol: z.string(), exchange: z.string(), name: z.string() })),
});
export type PortfolioBenchmarksResponse = z.infer<typeof portfolioBenchmarksResponseSchema>;

/** `YYYY-MM-DD` calendar dates ("Not a valid date."). */
export function isoDateField(options: { exactLength?: boolean } = {}) {
  const base = options.exactLength ? stringField().length(10, 'Length must be 10.') : stringField();
  return base.refine((text) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
      return false;
    }
    const [year, month, day] = text.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }, 'Not a valid date.');
}

export const portfolioHoldingSchema = requestObject({
  symbol: stringField({ min: 1, max: 64 }),
  exchange: enumField(CALENDAR_EXCHANGES).default('NSE'),
  weight: floatIn(0),
});

const portfolioCostFields = {
  cost_model: enumField(COST_MODELS).default('indian_equity'),
  cost_exchange: enumField(CALENDAR_EXCHANGES).default('NSE'),
  gst_rate: floatIn(0, 1).nullable().default(null),
  cost_bps: floatIn(0, 1000).default(0),
  slippage: floatIn(0, 0.1).default(0),
};

/** `POST /portfolio/backtest` and `POST /portfolio/tearsheet`. */
export const portfolioBacktestRequestSchema = requestObject({
  apikey: apikeyField(),
  holdings: listField(portfolioHoldingSchema, { min: 1 }).max(50, MESSAGES.length(1, 50)),
  start_date: isoDateField(),
  end_date: isoDateField(),
  benchmark: stringField().nullable().default(null),
  benchmark_exchange: enumField(BENCHMARK_EXCHANGES).default('NSE_INDEX'),
  rebalance: enumField(['never', 'monthly', 'quarterly', 'yearly'] as const).default('never'),
  drift_band: floatIn(0, 0.99).default(0),
  brokerage_pct: floatIn(0, 0.05).default(0),
  charges: chargesField().default({}),
  initial_capital: floatIn(1).default(100_000),
  risk_free_rate: floatIn(0, 0.5).default(0),
  source: enumField(DATA_SOURCES).default('db'),
  ...portfolioCostFields,
});
export type PortfolioBacktestRequest = z.infer<typeof portfolioBacktestRequestSchema>;

/** `POST /portfolio/holdings`: analyses the live holdings. */
export const portfolioHoldingsRequestSchema = requestObject({
  apikey: apikeyField(),
  lookback_days: integerIn(60, 3650).default(365),
  benchmark: stringField().nullable().default('NIFTY'),
  benchmark_exchange: enumField(BENCHMARK_EXCHANGES).default('NSE_INDEX'),
  risk_free_rate: floatIn(0, 0.5).default(0),
  source: enumField(DATA_SOURCES).default('db'),
});
export type PortfolioHoldingsRequest = z.infer<typeof portfolioHoldingsRequestSchema>;

/** The analytics payloads are opaque to clients (api-v1 §4.7.5). */
export const analyticsResponseSchema = successEnvelope;
export type AnalyticsResponse = z.infer<typeof analyticsResponseSchema>;

// ---------------------------------------------------------------------------------------------
// SIP backtester (api-v1 §4.7.6)

export const SIP_FREQUENCIES = [
  { value: 'monthly', label: 'Monthly' },
  { value: 'fortnightly', label: 'Fortnightly' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'quarterly', label: 'Quarterly' },
] as const;
export const sipFrequencySchema = enumField(['monthly', 'fortnightly', 'weekly', 'quarterly'] as const);
export type SipFrequency = z.infer<typeof sipFrequencySchema>;

export const sipFrequenciesResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(z.object({ value: z.string(), label: z.string() })),
});
export type SipFrequenciesResponse = z.infer<typeof sipFrequenciesResponseSchema>;

export const sipBacktestRequestSchema = requestObject({
  apikey: apikeyField(),
  symbol: stringField({ min: 1, max: 64 }),
  exchange: enumField(CALENDAR_EXCHANGES).default('NSE'),
  start_date: isoDateField({ exactLength: true }),
  end_date: isoDateField({ exactLength: true }),
  amount: floatIn(1, 10_000_000),
  frequency: sipFrequencySchema.default('monthly'),
  day_of_month: integerIn(1, 28).default(1),
  step_up_percent: floatIn(0, 100).default(0),
  brokerage_percent: floatIn(0, 5).default(0),
  brokerage_flat: floatIn(0, 10_000).default(0),
  charges: chargesField().nullable().default(null),
  benchmark: stringField({ max: 64 }).nullable().default(null),
  benchmark_exchange: enumField(BENCHMARK_EXCHANGES).default('NSE_INDEX'),
  source: enumField(DATA_SOURCES).default('db'),
  include_grids: booleanField().default(true),
  ...portfolioCostFields,
});
export type SipBacktestRequest = z.infer<typeof sipBacktestRequestSchema>;
