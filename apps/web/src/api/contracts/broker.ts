import { z } from 'zod';

/** Broker connection (`/web/broker/*`): login start, status with master-contract progress. */

export const masterContractStatusSchema = z.looseObject({
  broker: z.string().optional(),
  /** `idle`, `downloading`, `loaded`, `error` (the api's MasterContractService). */
  state: z.string(),
  rows: z.number().int().nullish(),
  startedAt: z.number().int().nullish(),
  finishedAt: z.number().int().nullish(),
  error: z.string().nullish(),
});
export type MasterContractStatus = z.infer<typeof masterContractStatusSchema>;

export const brokerStatusResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({
    broker: z.string(),
    connected: z.boolean(),
    broker_user_id: z.string().nullable().optional(),
    expires_at: z.union([z.number(), z.string()]).nullable().optional(),
    reason: z.string().nullable().optional(),
    /** `redirect` (OAuth: the browser goes to the broker) or `credentials` (a form posts them). */
    auth_style: z.enum(['redirect', 'credentials', 'none']).optional(),
    credential_fields: z
      .array(z.looseObject({ name: z.string(), label: z.string(), type: z.string().optional() }))
      .optional(),
    master_contract: masterContractStatusSchema.nullable().optional(),
  }),
});
export type BrokerStatus = z.infer<typeof brokerStatusResponseSchema>['data'];

export const brokerLoginUrlResponseSchema = z.object({
  status: z.literal('success'),
  data: z.looseObject({ broker: z.string(), url: z.string() }),
});

export const brokerCredentialsBodySchema = z.record(z.string(), z.string());
export const brokerConnectResponseSchema = z.looseObject({ status: z.literal('success') });
