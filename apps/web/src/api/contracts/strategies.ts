import { alertRecordSchema, strategySchema } from '@openalgo/shared-types';
import { z } from 'zod';

/** Strategy pages: list, detail with symbol mappings, alert history (shapes from shared-types). */

export const strategiesResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(strategySchema),
});
export const strategyResponseSchema = z.object({ status: z.literal('success'), data: strategySchema });
export const alertsResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(alertRecordSchema),
});
export const okSchema = z.looseObject({ status: z.literal('success') });
