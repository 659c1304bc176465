import { type QueryKey, type UseQueryOptions, type UseQueryResult, useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import type { z } from 'zod';
import type { ApiClient, CallOptions, Operation, RequestOf, ResponseOf } from './client.js';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) {
    throw new Error('useApi needs an ApiProvider');
  }
  return client;
}

/** The query key of an operation: its path, its input and its query string. */
export function operationKey(path: string, input?: unknown, query?: CallOptions['query']): QueryKey {
  return [path, input ?? null, query ?? null];
}

/** TanStack Query over a typed operation. */
export function useApiQuery<O extends Operation<z.ZodType | undefined, z.ZodType>>(
  operation: O,
  input: RequestOf<O>,
  options: Omit<UseQueryOptions<ResponseOf<O>, Error>, 'queryKey' | 'queryFn'> & {
    query?: CallOptions['query'];
  } = {},
): UseQueryResult<ResponseOf<O>, Error> {
  const client = useApi();
  const { query, ...rest } = options;
  return useQuery({
    queryKey: operationKey(operation.path, input, query),
    queryFn: ({ signal }) =>
      (client.call as (o: O, i: unknown, c: CallOptions) => Promise<ResponseOf<O>>)(operation, input, {
        signal,
        query,
      }),
    ...rest,
  });
}
