import { Dec } from '@openalgo/shared-types/decimal';
import { z } from 'zod';
import { isClockTime } from './ist.js';

/**
 * The sandbox's settings (sandbox.md §2), stored as text rows in `sandbox.config`, seeded on
 * first start and never overwritten by it. Keys that did nothing in the original (polling
 * interval, MTM interval, rate limits, GTT claim timeout) are gone: fills are tick-driven,
 * MTM is computed when read and a GTT fires in one transaction, so nothing can be stranded.
 */

const clockSchema = z.string().refine(isClockTime, 'Must be a time as HH:MM.');
const leverageSchema = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'Must be a number.')
  .refine((value) => new Dec(value).gte(1) && new Dec(value).lte(50), 'Must be between 1 and 50.');
const capitalSchema = z
  .string()
  .regex(/^\d+(\.\d{1,2})?$/, 'Must be an amount in rupees.')
  .refine((value) => new Dec(value).gte(1000), 'Must be at least ₹1000.');

export const RESET_DAYS = [
  'Never',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;

export const sandboxConfigSchema = z.object({
  starting_capital: capitalSchema,
  reset_day: z.enum(RESET_DAYS),
  reset_time: clockSchema,
  nse_bse_square_off_time: clockSchema,
  cds_bcd_square_off_time: clockSchema,
  mcx_square_off_time: clockSchema,
  ncdex_square_off_time: clockSchema,
  nco_square_off_time: clockSchema,
  equity_mis_leverage: leverageSchema,
  equity_cnc_leverage: leverageSchema,
  futures_leverage: leverageSchema,
  option_buy_leverage: leverageSchema,
  option_sell_leverage: leverageSchema,
  expiry_settlement_timing: z.enum(['expiry_day_close', 'next_day']),
  option_expiry_settlement: z.enum(['ltp', 'zero']),
  gtt_oco_margin_mode: z.enum(['max', 'sum']),
  analyzer_log_retention_days: z
    .string()
    .regex(/^\d+$/, 'Must be a whole number of days.')
    .refine((value) => Number(value) >= 1 && Number(value) <= 3650, 'Must be between 1 and 3650.'),
});
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;
export type SandboxConfigKey = keyof SandboxConfig;

export const DEFAULT_SANDBOX_CONFIG: SandboxConfig = {
  starting_capital: '10000000.00',
  reset_day: 'Never',
  reset_time: '00:00',
  nse_bse_square_off_time: '15:15',
  cds_bcd_square_off_time: '16:45',
  mcx_square_off_time: '23:30',
  ncdex_square_off_time: '17:00',
  nco_square_off_time: '23:30',
  equity_mis_leverage: '5',
  equity_cnc_leverage: '1',
  futures_leverage: '10',
  option_buy_leverage: '1',
  option_sell_leverage: '1',
  expiry_settlement_timing: 'expiry_day_close',
  option_expiry_settlement: 'ltp',
  gtt_oco_margin_mode: 'max',
  analyzer_log_retention_days: '30',
};

/** The keys a manual reset restores (sandbox.md §2: everything but the GTT and expiry keys). */
export const RESETTABLE_KEYS: readonly SandboxConfigKey[] = [
  'starting_capital',
  'reset_day',
  'reset_time',
  'nse_bse_square_off_time',
  'cds_bcd_square_off_time',
  'mcx_square_off_time',
  'ncdex_square_off_time',
  'nco_square_off_time',
  'equity_mis_leverage',
  'equity_cnc_leverage',
  'futures_leverage',
  'option_buy_leverage',
  'option_sell_leverage',
];

export function isConfigKey(key: string): key is SandboxConfigKey {
  return key in DEFAULT_SANDBOX_CONFIG;
}

/** Square-off time per exchange (sandbox.md §9.1, plus NCO which the original forgot). */
export const SQUARE_OFF_GROUPS = {
  nse_bse: { key: 'nse_bse_square_off_time', exchanges: ['NSE', 'BSE', 'NFO', 'BFO'] },
  cds_bcd: { key: 'cds_bcd_square_off_time', exchanges: ['CDS', 'BCD'] },
  mcx: { key: 'mcx_square_off_time', exchanges: ['MCX'] },
  ncdex: { key: 'ncdex_square_off_time', exchanges: ['NCDEX'] },
  nco: { key: 'nco_square_off_time', exchanges: ['NCO'] },
} as const satisfies Record<string, { key: SandboxConfigKey; exchanges: readonly string[] }>;
export type SquareOffGroup = keyof typeof SQUARE_OFF_GROUPS;

export function squareOffGroupOf(exchange: string): SquareOffGroup | undefined {
  for (const [group, entry] of Object.entries(SQUARE_OFF_GROUPS)) {
    if ((entry.exchanges as readonly string[]).includes(exchange)) {
      return group as SquareOffGroup;
    }
  }
  return undefined;
}

export function squareOffTimeOf(config: SandboxConfig, exchange: string): string | undefined {
  const group = squareOffGroupOf(exchange);
  return group ? config[SQUARE_OFF_GROUPS[group].key] : undefined;
}
