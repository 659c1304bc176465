import { z } from 'zod';

/**
 * Response helpers shared by the contracts. OpenAlgo's numeric response fields may arrive as
 * numbers or numeric strings depending on the broker (api-v1 §7.2): they are kept as decimal
 * strings here so the app never does float arithmetic on money (house rule 13).
 */
export const numeric = z
  .union([z.number(), z.string().regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/)])
  .transform((value) => String(value));

/** A numeric field some brokers leave out or send empty. */
export const optionalNumeric = z
  .union([numeric, z.literal(''), z.null(), z.undefined()])
  .transform((value) => (value === '' || value === null || value === undefined ? undefined : value))
  .optional();

/** A whole quantity (`1`, `"1"`, `1.0`). */
export const quantity = z
  .union([z.number(), z.string().regex(/^[+-]?\d+(\.0+)?$/)])
  .transform((value) => Math.trunc(Number(value)));

export const modeMarker = z.literal('analyze').optional();

export const messageResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
});
