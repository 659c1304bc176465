import { z } from 'zod';

/**
 * The web app's Action Center (sandbox.md §15: semi-auto orders waiting for the owner's
 * approval) and the analyzer request log (sandbox.md §13), as `/web/*` answers them.
 */

export const ACTION_CENTER_FILTERS = ['pending', 'approved', 'rejected', 'expired', 'all'] as const;

export const actionCenterQuerySchema = z.strictObject({
  /** `approved` covers executing, executed and failed rows (OpenAlgo's "approved"). */
  status: z.enum(ACTION_CENTER_FILTERS).default('pending'),
});
export type ActionCenterQuery = z.infer<typeof actionCenterQuerySchema>;

export const pendingOrderParamsSchema = z.strictObject({
  id: z.coerce.number().int().positive().max(2_147_483_647),
});

const scalar = z.union([z.string(), z.number()]).nullable();
const istText = z.string().nullable();

export const pendingOrderEntrySchema = z.object({
  id: z.number().int(),
  api_type: z.string(),
  /**
   * The id of the call that queued it: the API request's id (as the traffic log has it), or the
   * strategy alert's id for a webhook's order. The order placed on approval is logged under it.
   */
  request_id: z.string().nullable(),
  /** `pending`, `approved`, `rejected` or `expired` (OpenAlgo's statuses). */
  status: z.string(),
  /** This installation's finer state: `executing`, `executed`, `failed`, … */
  execution_status: z.string(),
  symbol: scalar,
  exchange: scalar,
  action: scalar,
  quantity: scalar,
  price: scalar,
  trigger_price: scalar,
  price_type: scalar,
  product_type: scalar,
  strategy: scalar,
  /** The queued request without `apikey`. */
  order_data: z.record(z.string(), z.unknown()),
  raw_order_data: z.string(),
  /** Epoch ms, with the IST text OpenAlgo shows (`YYYY-MM-DD HH:MM:SS IST`). */
  created_at: z.number().int(),
  created_at_ist: istText,
  expires_at: z.number().int(),
  expires_at_ist: istText,
  approved_at: z.number().int().nullable(),
  approved_at_ist: istText,
  approved_by: z.string().nullable(),
  rejected_at: z.number().int().nullable(),
  rejected_at_ist: istText,
  rejected_by: z.string().nullable(),
  rejected_reason: z.string().nullable(),
  executed_at: z.number().int().nullable(),
  executed_at_ist: istText,
  execution_mode: z.string().nullable(),
  broker_order_id: z.string().nullable(),
  broker_status: z.string().nullable(),
  error: z.string().nullable(),
});
export type PendingOrderEntry = z.infer<typeof pendingOrderEntrySchema>;

export const pendingOrdersResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    orders: z.array(pendingOrderEntrySchema),
    /** Counts over all of the user's rows, whatever the filter. */
    statistics: z.object({
      total_pending: z.number().int(),
      total_approved: z.number().int(),
      total_rejected: z.number().int(),
      total_expired: z.number().int(),
      total_buy_orders: z.number().int(),
      total_sell_orders: z.number().int(),
      by_api_type: z.record(z.string(), z.number().int()),
    }),
  }),
});

export const pendingOrderCountResponseSchema = z.object({
  status: z.literal('success'),
  count: z.number().int(),
});

/** Approval answer: `warning` when the order was approved but its execution failed. */
export const approvePendingOrderResponseSchema = z.object({
  status: z.enum(['success', 'warning']),
  message: z.string(),
  broker_order_id: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  /** The order path's HTTP status when the execution failed. */
  execution_status_code: z.number().int().optional(),
});

export const rejectPendingOrderBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

export const actionCenterMessageResponseSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
});

export const approveAllResponseSchema = z.object({
  status: z.enum(['success', 'warning', 'error', 'info']),
  message: z.string(),
  approved_count: z.number().int().optional(),
  executed_count: z.number().int().optional(),
  failed_executions: z.array(z.object({ order_id: z.number().int(), error: z.string() })).optional(),
});

const epochMs = z.coerce.number().int().min(0).max(8_640_000_000_000);

export const analyzerLogQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  /** Epoch milliseconds, inclusive. */
  since: epochMs.optional(),
  /** Epoch milliseconds, exclusive. */
  until: epochMs.optional(),
  /** One operation: `placeorder`, `orderbook`, … */
  api_type: z
    .string()
    .regex(/^[a-z/]{1,50}$/)
    .optional(),
});
export type AnalyzerLogQuery = z.infer<typeof analyzerLogQuerySchema>;

export const analyzerLogEntrySchema = z.object({
  id: z.number().int(),
  api_type: z.string(),
  /** The request without `apikey`. */
  request_data: z.unknown(),
  /** The body the caller got. */
  response_data: z.unknown(),
  /** `success` or `error`, from the answer. */
  status: z.string(),
  /** Epoch ms. */
  created_at: z.number().int(),
});
export type AnalyzerLogEntry = z.infer<typeof analyzerLogEntrySchema>;

export const analyzerLogResponseSchema = z.object({
  status: z.literal('success'),
  data: z.array(analyzerLogEntrySchema),
});
