import { z } from 'zod';

/**
 * The web app's broker connection (`/web/broker/*`, features.md §1.3, §3.3): the session and the
 * symbol master's progress, the login redirect (OAuth brokers) and the credentials form.
 */

export const MASTER_CONTRACT_STATES = ['idle', 'downloading', 'done', 'skipped', 'error'] as const;

export const masterContractStatusSchema = z.object({
  broker: z.string(),
  state: z.enum(MASTER_CONTRACT_STATES),
  rows: z.number().int(),
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type MasterContractStatusView = z.infer<typeof masterContractStatusSchema>;

/** How the user connects: a redirect to the broker, a form here, or not at all (the simulator). */
export const BROKER_AUTH_STYLES = ['redirect', 'credentials', 'none'] as const;

export const brokerCredentialFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(['text', 'password']),
});

export const brokerStatusQuerySchema = z.strictObject({
  /** `1`: ask the broker whether the stored token still works (a rejected one is revoked). */
  validate: z.enum(['0', '1', 'false', 'true']).optional(),
});

export const brokerStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    broker: z.string(),
    connected: z.boolean(),
    broker_user_id: z.string().nullable(),
    expires_at: z.number().int().nullable(),
    reason: z.string().nullable(),
    auth_style: z.enum(BROKER_AUTH_STYLES),
    credential_fields: z.array(brokerCredentialFieldSchema),
    master_contract: masterContractStatusSchema,
  }),
});
export type BrokerStatusResponse = z.infer<typeof brokerStatusResponseSchema>;

export const brokerLoginQuerySchema = z.strictObject({
  /** `json`: answer the broker's login URL instead of redirecting to it. */
  format: z.literal('json').optional(),
});

export const brokerLoginUrlResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ broker: z.string(), url: z.string() }),
});

/** The broker's own login fields (client id, PIN, TOTP…), by the names its status lists. */
export const brokerCredentialsRequestSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'Field names are lower-case words.'),
    z.string().max(1_024),
  )
  .refine((fields) => Object.keys(fields).length <= 20, 'Too many fields.');
export type BrokerCredentialsRequest = z.infer<typeof brokerCredentialsRequestSchema>;

export const brokerConnectResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ broker: z.string(), broker_user_id: z.string().nullable() }),
});
