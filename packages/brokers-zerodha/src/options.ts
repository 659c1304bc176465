import { InvalidOrderError } from '@openalgo/broker-sdk';
import { z } from 'zod';
import { KITE_VARIETIES } from './mapping.js';

/**
 * Kite-only order extras that the v1 contract does not model (house rule 4): they travel in
 * `OrderRequest.brokerOptions` and are validated here, strictly.
 */
export const zerodhaBrokerOptionsSchema = z
  .object({
    /** Kite variety; default `amo` when `OrderRequest.amo`, else `regular`. */
    variety: z.enum(KITE_VARIETIES).optional(),
    /** `TTL` validity (minutes in `validityTtl`); DAY/IOC come from `OrderRequest.validity`. */
    validity: z.literal('TTL').optional(),
    validityTtl: z.number().int().min(1).max(1440).optional(),
    /** Iceberg: number of legs (2–10) and quantity per leg. */
    icebergLegs: z.number().int().min(2).max(10).optional(),
    icebergQuantity: z.number().int().positive().optional(),
    /** Auction orders: the exchange's auction number. */
    auctionNumber: z
      .string()
      .regex(/^\d{1,10}$/)
      .optional(),
    /** Market protection % for MARKET and SL-M orders: -1 = Kite's automatic default, or 1–100. */
    marketProtection: z
      .number()
      .refine((value) => value === -1 || (value > 0 && value <= 100), {
        message: 'marketProtection must be -1 (automatic) or a percentage above 0 and at most 100',
      })
      .optional(),
  })
  .strict()
  .superRefine((options, context) => {
    if ((options.validity === 'TTL') !== (options.validityTtl !== undefined)) {
      context.addIssue({ code: 'custom', message: 'validity TTL and validityTtl go together' });
    }
    const isIceberg = options.variety === 'iceberg';
    if (isIceberg !== (options.icebergLegs !== undefined && options.icebergQuantity !== undefined)) {
      context.addIssue({
        code: 'custom',
        message: 'the iceberg variety needs icebergLegs and icebergQuantity (and only it takes them)',
      });
    }
    if ((options.variety === 'auction') !== (options.auctionNumber !== undefined)) {
      context.addIssue({
        code: 'custom',
        message: 'the auction variety needs auctionNumber (and only it takes one)',
      });
    }
  });

export type ZerodhaBrokerOptions = z.infer<typeof zerodhaBrokerOptionsSchema>;

export function parseBrokerOptions(value: unknown): ZerodhaBrokerOptions {
  if (value === undefined) {
    return {};
  }
  const result = zerodhaBrokerOptionsSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidOrderError(
      `Invalid Zerodha brokerOptions: ${result.error.issues.map((issue) => issue.message).join('; ')}`,
      { context: { broker: 'zerodha', issues: result.error.issues.map((issue) => issue.message) } },
    );
  }
  return result.data;
}
