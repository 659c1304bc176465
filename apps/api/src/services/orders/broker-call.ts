import { type BrokerContext, RequestTimeoutError } from '@openalgo/broker-sdk';

/**
 * Runs one broker call with its own deadline. The adapter gets an `AbortSignal` that fires at
 * the deadline, and the caller gets a `RequestTimeoutError` then, whether or not the adapter
 * honours the signal. Writes are never retried here: a timed-out placement is reconciled.
 */
export async function callBroker<T>(
  context: BrokerContext,
  options: { operation: string; timeoutMs: number },
  run: (context: BrokerContext) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RequestTimeoutError(
        `The broker did not answer ${options.operation} within ${options.timeoutMs} ms`,
        {
          context: { operation: options.operation, timeoutMs: options.timeoutMs, mayHaveReachedBroker: true },
        },
      );
      controller.abort(error);
      reject(error);
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([run({ ...context, signal: controller.signal }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
