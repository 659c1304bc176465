import { type BrokerContext, OpenAlgoError, RequestTimeoutError } from '@openalgo/broker-sdk';

/** An adapter's word that a call never left this process (see `callBroker`). */
function isNeverSent(error: unknown): boolean {
  return OpenAlgoError.isInstance(error) && error.context.neverSent === true;
}

/**
 * Runs one broker call with its own deadline. The adapter gets an `AbortSignal` that fires at
 * the deadline, and the caller gets a `RequestTimeoutError` then, whether or not the adapter
 * honours the signal — unless the adapter answers at once, on the abort, with an error saying
 * the call was never sent (`context.neverSent`: it was still queued in this process, as an
 * analyzer order waiting for its account's turn), which is definitive where the timeout is not.
 * Writes are never retried here: a timed-out placement is reconciled.
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
      // The adapter's answer to the abort, if it has one at once, settles in this turn's
      // microtasks: it goes first. A later one is not waited for.
      setImmediate(() => reject(error));
    }, options.timeoutMs);
  });
  const call = run({ ...context, signal: controller.signal }).catch((failure: unknown) => {
    if (controller.signal.aborted && !isNeverSent(failure)) {
      // Failed because of the abort, and not known to be unsent: the timeout is the answer.
      return deadline;
    }
    throw failure;
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
