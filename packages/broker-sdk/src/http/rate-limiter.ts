import type { BrokerOperation, RateBucket } from '../limits.js';

/**
 * Request-rate limiting from a broker's declared `BrokerLimits.rate` buckets. Each window of a
 * bucket (per second, minute, hour, day) is a token bucket holding `floor(limit × pacing)`
 * tokens and refilling at `limit × pacing` per window, so bursts up to the cap go out at once
 * while the longer windows still hold. A call takes one token from every window of every bucket
 * that names its operation; when one is empty the call is queued (it waits), never refused.
 *
 * Reservations are made synchronously and waited for outside (reserve-then-sleep), so callers
 * are served in arrival order and one slow caller never lets others jump a window. A caller that
 * aborts while queued gives its tokens back.
 */

export interface RateLimiterOptions {
  buckets: readonly RateBucket[];
  /** Fraction of each declared cap to use (default 0.9): brokers count differently from us. */
  pacing?: number;
  /** Clock, epoch ms. */
  now?: () => number;
  /** How to wait; tests pass one that advances a fake clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const WINDOWS = [
  ['perSecond', 1_000],
  ['perMinute', 60_000],
  ['perHour', 3_600_000],
  ['perDay', 86_400_000],
] as const;

class TokenWindow {
  readonly capacity: number;
  /** Tokens per ms. */
  readonly rate: number;
  tokens: number;
  updatedAt: number;

  constructor(limit: number, windowMs: number, pacing: number, now: number) {
    const paced = limit * pacing;
    this.capacity = Math.max(1, Math.floor(paced));
    this.rate = paced / windowMs;
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.rate);
      this.updatedAt = now;
    }
  }

  /** Takes a token (possibly going into debt) and returns how long the taker must wait. */
  take(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.rate);
  }

  giveBack(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }
}

export interface RateReservation {
  /** How long the caller waited in the queue, ms. */
  waitedMs: number;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RateLimiter {
  readonly #buckets: readonly RateBucket[];
  readonly #pacing: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** `key|bucket id` → its windows. */
  readonly #windows = new Map<string, TokenWindow[]>();

  constructor(options: RateLimiterOptions) {
    const pacing = options.pacing ?? 0.9;
    if (!(pacing > 0 && pacing <= 1)) {
      throw new RangeError(`pacing must be in (0, 1], got ${pacing}`);
    }
    for (const bucket of options.buckets) {
      for (const [field] of WINDOWS) {
        const limit = bucket[field];
        if (limit !== undefined && !(limit > 0)) {
          throw new RangeError(`rate bucket ${bucket.id}: ${field} must be positive, got ${limit}`);
        }
      }
    }
    this.#buckets = options.buckets;
    this.#pacing = pacing;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /** The buckets that meter an operation: those naming it, else those naming `other`. */
  bucketsFor(operation: BrokerOperation): readonly RateBucket[] {
    const named = this.#buckets.filter((bucket) => bucket.operations.includes(operation));
    return named.length > 0 ? named : this.#buckets.filter((bucket) => bucket.operations.includes('other'));
  }

  /**
   * Waits until the operation may be sent for `key` (the broker account), then resolves.
   * Rejects with the signal's reason if aborted while queued.
   */
  async acquire(operation: BrokerOperation, key = 'default', signal?: AbortSignal): Promise<RateReservation> {
    const now = this.#now();
    const taken: TokenWindow[] = [];
    let waitMs = 0;
    for (const bucket of this.bucketsFor(operation)) {
      for (const window of this.#windowsOf(key, bucket, now)) {
        waitMs = Math.max(waitMs, window.take(now));
        taken.push(window);
      }
    }
    if (waitMs === 0) {
      return { waitedMs: 0 };
    }
    try {
      await this.#sleep(waitMs, signal);
    } catch (error) {
      const at = this.#now();
      for (const window of taken) {
        window.giveBack(at);
      }
      throw error;
    }
    return { waitedMs: waitMs };
  }

  #windowsOf(key: string, bucket: RateBucket, now: number): TokenWindow[] {
    const id = `${key}|${bucket.id}`;
    let windows = this.#windows.get(id);
    if (!windows) {
      windows = [];
      for (const [field, windowMs] of WINDOWS) {
        const limit = bucket[field];
        if (limit !== undefined) {
          windows.push(new TokenWindow(limit, windowMs, this.#pacing, now));
        }
      }
      this.#windows.set(id, windows);
    }
    return windows;
  }
}
