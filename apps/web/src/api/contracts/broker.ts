/**
 * Broker connection (`/web/broker/*`): status with how to connect and the master-contract
 * progress, the login redirect, the credentials form — the contract's schemas from
 * `@openalgo/shared-types`, as the api validates and answers them.
 */

import type { brokerStatusResponseSchema } from '@openalgo/shared-types';
import type { z } from 'zod';

export {
  brokerConnectResponseSchema,
  brokerCredentialsRequestSchema as brokerCredentialsBodySchema,
  brokerLoginUrlResponseSchema,
  brokerStatusResponseSchema,
  type MasterContractStatusView as MasterContractStatus,
} from '@openalgo/shared-types';

export type BrokerStatus = z.infer<typeof brokerStatusResponseSchema>['data'];
