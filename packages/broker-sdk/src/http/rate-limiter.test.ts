import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

/** A fake clock whose sleeps advance it, so waits are exact and instant. */
function clock() {
  const state = { now: 0, waits: [] as number[] };
  return {
    state,
    now: () => state.now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) {
        throw signal.reason;
      }
      state.waits.push(ms);
      state.now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('lets a burst up to the paced cap through, then spaces calls at the paced rate', async () => {
    const time = clock();
    const limiter = new RateLimiter({
      buckets: [{ id: 'orders', operations: ['placeOrder'], perSecond: 10 }],
      now: time.now,
      sleep: time.sleep,
    });
    for (let index = 0; index < 11; index += 1) {
      await limiter.acquire('placeOrder');
    }
    // 90 % of 10/s: nine at once, then one every 1/9 s (waits are whole ms, rounded up, so
    // the second wait is a millisecond shorter: the first overshot).
    expect(time.state.waits).toEqual([112, 111]);
  });

  it('holds the longer windows too: a per-minute cap outlasts the per-second one', async () => {
    const time = clock();
    const limiter = new RateLimiter({
      buckets: [{ id: 'orders', operations: ['placeOrder'], perSecond: 10, perMinute: 12 }],
      pacing: 1,
      now: time.now,
      sleep: time.sleep,
    });
    for (let index = 0; index < 13; index += 1) {
      await limiter.acquire('placeOrder');
    }
    // Ten go at once; the eleventh and twelfth wait for the per-second window; the
    // thirteenth waits for the per-minute bucket (12 per 60 s = one per 5 s).
    expect(time.state.waits.length).toBe(3);
    expect(time.state.waits[0]).toBe(100);
    expect(time.state.waits[2]).toBeGreaterThanOrEqual(4_000);
  });

  it('meters each operation by the buckets naming it, unnamed ones by `other`, and accounts separately', async () => {
    const time = clock();
    const limiter = new RateLimiter({
      buckets: [
        { id: 'quote', operations: ['fetchQuotes'], perSecond: 1 },
        { id: 'other', operations: ['other'], perSecond: 1 },
      ],
      pacing: 1,
      now: time.now,
      sleep: time.sleep,
    });
    expect(limiter.bucketsFor('fetchQuotes').map((bucket) => bucket.id)).toEqual(['quote']);
    expect(limiter.bucketsFor('fetchFunds').map((bucket) => bucket.id)).toEqual(['other']);
    await limiter.acquire('fetchQuotes', 'account-1');
    await limiter.acquire('fetchQuotes', 'account-2');
    await limiter.acquire('fetchFunds', 'account-1');
    expect(time.state.waits).toEqual([]);
    await limiter.acquire('fetchQuotes', 'account-1');
    expect(time.state.waits).toEqual([1_000]);
  });

  it('serves queued callers in arrival order', async () => {
    const time = clock();
    const limiter = new RateLimiter({
      buckets: [{ id: 'history', operations: ['fetchHistory'], perSecond: 3 }],
      pacing: 1,
      now: time.now,
      sleep: async (ms) => {
        time.state.waits.push(ms);
      },
    });
    const reservations = await Promise.all(Array.from({ length: 6 }, () => limiter.acquire('fetchHistory')));
    expect(reservations.map((reservation) => reservation.waitedMs)).toEqual([0, 0, 0, 334, 667, 1_000]);
  });

  it('gives the token back when a queued caller aborts', async () => {
    const time = clock();
    const limiter = new RateLimiter({
      buckets: [{ id: 'quote', operations: ['fetchQuotes'], perSecond: 1 }],
      pacing: 1,
      now: time.now,
      sleep: async (_ms, signal) => {
        if (signal?.aborted) {
          throw signal.reason;
        }
      },
    });
    await limiter.acquire('fetchQuotes');
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(limiter.acquire('fetchQuotes', 'default', controller.signal)).rejects.toThrow('gone');
    // Had the aborted caller kept its reservation, this one would wait 2 s instead of 1 s.
    expect((await limiter.acquire('fetchQuotes')).waitedMs).toBe(1_000);
  });

  it('refuses nonsense limits', () => {
    expect(() => new RateLimiter({ buckets: [{ id: 'x', operations: ['other'], perSecond: 0 }] })).toThrow(
      /perSecond must be positive/,
    );
    expect(() => new RateLimiter({ buckets: [], pacing: 1.5 })).toThrow(/pacing/);
  });
});
