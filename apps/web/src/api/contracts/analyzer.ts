import { z } from 'zod';

/** Analyzer (sandbox) status, toggle and log (api-v1 §4.6, sandbox.md §13). */

export const analyzerStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({
    mode: z.enum(['live', 'analyze']),
    analyze_mode: z.boolean(),
    total_logs: z.number().int().optional(),
    message: z.string().optional(),
  }),
});
export type AnalyzerStatus = z.infer<typeof analyzerStatusResponseSchema>['data'];

export const analyzerToggleBodySchema = z.strictObject({ mode: z.boolean() });

export const analyzerLogRowSchema = z.looseObject({
  id: z.union([z.number().int(), z.string()]),
  api_type: z.string(),
  request_data: z.unknown(),
  response_data: z.unknown(),
  created_at: z.union([z.number(), z.string()]),
});
export type AnalyzerLogRow = z.infer<typeof analyzerLogRowSchema>;

export const analyzerLogResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(analyzerLogRowSchema),
});
