import { analyzerToggleRequestSchema } from '@openalgo/shared-types';
import { z } from 'zod';

/** Analyzer (sandbox) status, toggle and log (api-v1 §4.6, sandbox.md §13). */

export { analyzerStatusResponseSchema, analyzerToggleResponseSchema } from '@openalgo/shared-types';

export const analyzerToggleBodySchema = analyzerToggleRequestSchema.omit({ apikey: true });

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
