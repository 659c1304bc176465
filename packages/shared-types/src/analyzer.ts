import { z } from 'zod';
import { apikeyField, booleanField, requestObject } from './fields.js';

/**
 * `/api/v1/analyzer` and `/api/v1/analyzer/toggle` (api-v1 §4.6): the global analyzer switch.
 * These responses carry the mode inside `data`, never a top-level `mode` key.
 */

export const ANALYZER_MODES = ['analyze', 'live'] as const;
export const analyzerModeSchema = z.enum(ANALYZER_MODES);
export type AnalyzerMode = z.infer<typeof analyzerModeSchema>;

export const analyzerStatusRequestSchema = requestObject({ apikey: apikeyField() });
export type AnalyzerStatusRequest = z.infer<typeof analyzerStatusRequestSchema>;

export const analyzerStatusDataSchema = z.object({
  mode: analyzerModeSchema,
  analyze_mode: z.boolean(),
  /** Stored analyzer request logs. */
  total_logs: z.number().int().nonnegative(),
});
export type AnalyzerStatusData = z.infer<typeof analyzerStatusDataSchema>;

export const analyzerStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: analyzerStatusDataSchema,
});
export type AnalyzerStatusResponse = z.infer<typeof analyzerStatusResponseSchema>;

/** `mode`: `true` = analyzer (sandbox), `false` = live; string booleans accepted. */
export const analyzerToggleRequestSchema = requestObject({
  apikey: apikeyField(),
  mode: booleanField(),
});
export type AnalyzerToggleRequest = z.infer<typeof analyzerToggleRequestSchema>;

export const analyzerToggleResponseSchema = z.object({
  status: z.literal('success'),
  data: analyzerStatusDataSchema.extend({ message: z.string() }),
});
export type AnalyzerToggleResponse = z.infer<typeof analyzerToggleResponseSchema>;

export const ANALYZER_MESSAGES = {
  switched: (mode: AnalyzerMode) => `Analyzer mode switched to ${mode}`,
  semiAutoToggle:
    'Analyzer mode cannot be toggled through the API in Semi-Auto mode. Switch to Auto mode or use the web app.',
} as const;

/** `POST /api/v1/pnl/symbols` (api-v1 §4.6.3): the analyzer's P&L per position; key only. */
export const pnlSymbolsRequestSchema = requestObject({ apikey: apikeyField() });
export type PnlSymbolsRequest = z.infer<typeof pnlSymbolsRequestSchema>;

export const pnlSymbolRowSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  product: z.string(),
  quantity: z.number(),
  pnl: z.number(),
  unrealized_pnl: z.number(),
  today_realized_pnl: z.number(),
  total_pnl_today: z.number(),
});
export type PnlSymbolRow = z.infer<typeof pnlSymbolRowSchema>;

export const pnlSymbolsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(pnlSymbolRowSchema),
  total_pnl: z.number(),
  total_unrealized_pnl: z.number(),
  total_today_realized_pnl: z.number(),
  total_pnl_today: z.number(),
  mode: z.literal('analyze'),
});
export type PnlSymbolsResponse = z.infer<typeof pnlSymbolsResponseSchema>;

export const PNL_SYMBOLS_MESSAGES = {
  liveMode: 'This endpoint is only available in sandbox/analyzer mode',
  invalidKey: 'Invalid API key',
} as const;
