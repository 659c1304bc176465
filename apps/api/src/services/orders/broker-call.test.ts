import { type BrokerContext, NetworkError, RateLimitError, RequestTimeoutError } from '@openalgo/broker-sdk';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { callBroker } from './broker-call.js';

const context = {
  session: { brokerId: 'sandbox', userId: '1', accessToken: 'token' },
  logger: pino({ level: 'silent' }),
  now: () => Date.now(),
  resolveBrokerInstrument: () => undefined,
} as unknown as BrokerContext;

const options = { operation: 'placeOrder', timeoutMs: 30 };

/** A call that settles only through its signal, the way `onAbort` says. */
function callSettledByAbort<T>(onAbort: (signal: AbortSignal) => Promise<T> | undefined) {
  return (call: BrokerContext) =>
    new Promise<T>((resolve, reject) => {
      call.signal?.addEventListener('abort', () => {
        onAbort(call.signal as AbortSignal)?.then(resolve, reject);
      });
    });
}

describe('callBroker', () => {
  it('answers what the adapter answers before the deadline', async () => {
    await expect(callBroker(context, options, async () => 'accepted')).resolves.toBe('accepted');
  });

  it('answers a timeout when the adapter ignores the abort', async () => {
    const started = performance.now();
    const error = await callBroker(context, options, () => new Promise(() => undefined)).catch(
      (failure: unknown) => failure,
    );
    expect(RequestTimeoutError.isInstance(error)).toBe(true);
    expect((error as RequestTimeoutError).context).toMatchObject({ mayHaveReachedBroker: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('answers a timeout, not the abort failure, when the adapter fails because of the abort', async () => {
    const error = await callBroker(
      context,
      options,
      callSettledByAbort(() =>
        Promise.reject(
          new NetworkError('request aborted', { context: { aborted: true, mayHaveReachedBroker: true } }),
        ),
      ),
    ).catch((failure: unknown) => failure);
    expect(RequestTimeoutError.isInstance(error), String(error)).toBe(true);
  });

  it("answers the adapter's own error when it says, on the abort, that the call was never sent", async () => {
    const error = await callBroker(
      context,
      options,
      callSettledByAbort(() =>
        Promise.reject(
          new RateLimitError('not placed', { context: { neverSent: true, mayHaveReachedBroker: false } }),
        ),
      ),
    ).catch((failure: unknown) => failure);
    expect(RateLimitError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toBe('not placed');
  });

  it('answers a timeout when the word that it was never sent comes after the turn of the abort', async () => {
    const error = await callBroker(
      context,
      options,
      callSettledByAbort(
        () =>
          new Promise<never>((_, reject) =>
            setTimeout(
              () =>
                reject(
                  new RateLimitError('late', { context: { neverSent: true, mayHaveReachedBroker: false } }),
                ),
              20,
            ),
          ),
      ),
    ).catch((failure: unknown) => failure);
    expect(RequestTimeoutError.isInstance(error), String(error)).toBe(true);
  });
});
