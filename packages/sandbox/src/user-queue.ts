/** Weight of the newest task in an account's service-time estimate. */
const SERVICE_WEIGHT = 0.25;
/**
 * A task counts at most this long in the estimate: one stuck statement (a dropped connection
 * waiting for its deadline) must not make the account look slow for many tasks after it; while
 * it runs, its own age already raises the estimated wait.
 */
const MAX_SERVICE_SAMPLE_MS = 1_000;

interface Lane {
  tail: Promise<unknown>;
  /** Tasks queued or running. */
  depth: number;
  /** When the running task started (clock ms); null between tasks. */
  runningSince: number | null;
}

export interface UserQueueOptions {
  /** A monotonic clock in ms (default `performance.now`); the wait estimate is measured on it. */
  clock?: () => number;
}

/**
 * One FIFO lane per account: everything that changes an account's money or orders (a
 * placement, a fill from a tick, a cancel, a square-off) runs in arrival order, one at a
 * time, so the in-memory book and the tables never disagree. Different accounts proceed in
 * parallel; across processes the funds row lock in each transaction keeps them apart.
 *
 * Each lane measures how long its tasks take, so a caller can know, before joining, how long
 * it would wait (`expectedWaitMs`): admission by time rather than by a count of orders.
 */
export class UserQueue {
  readonly #lanes = new Map<number, Lane>();
  /** Per account: recent task duration (ms), weighted towards the newest; kept across idle spells. */
  readonly #serviceMs = new Map<number, number>();
  readonly #clock: () => number;
  #pending = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(options: UserQueueOptions = {}) {
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Tasks of this account queued or running. */
  depth(userId: number): number {
    return this.#lanes.get(userId)?.depth ?? 0;
  }

  /** This account's recent task duration in ms; undefined before its first task finished. */
  serviceMs(userId: number): number | undefined {
    return this.#serviceMs.get(userId);
  }

  /**
   * How long a task joining this account's lane now would wait before it starts, estimated
   * from the recent task duration: what the running task has left, plus one duration per task
   * queued. A running task already older than the estimate is expected to need as long again
   * as it has run (a stalled statement keeps the estimate growing instead of calling it done).
   */
  expectedWaitMs(userId: number): number {
    const lane = this.#lanes.get(userId);
    if (!lane || lane.depth === 0) {
      return 0;
    }
    const service = this.#serviceMs.get(userId) ?? 0;
    let running = 0;
    let queued = lane.depth;
    if (lane.runningSince !== null) {
      const elapsed = this.#clock() - lane.runningSince;
      running = Math.max(service - elapsed, elapsed);
      queued -= 1;
    }
    return running + queued * service;
  }

  run<T>(userId: number, task: () => Promise<T>): Promise<T> {
    let lane = this.#lanes.get(userId);
    if (!lane) {
      lane = { tail: Promise.resolve(), depth: 0, runningSince: null };
      this.#lanes.set(userId, lane);
    }
    const current = lane;
    this.#pending += 1;
    current.depth += 1;
    const timed = (): Promise<T> => {
      const startedAt = this.#clock();
      current.runningSince = startedAt;
      const finish = (isTimed: boolean) => {
        current.runningSince = null;
        if (isTimed) {
          this.#record(userId, this.#clock() - startedAt);
        }
        // Done, so neither queued nor running: counted out now, not once its callers heard.
        current.depth -= 1;
        if (current.depth === 0 && this.#lanes.get(userId) === current) {
          this.#lanes.delete(userId);
        }
      };
      let running: Promise<T>;
      try {
        running = task();
      } catch (error) {
        // Refused before doing anything (a task whose caller gave up): no sample of the
        // account's service time.
        finish(false);
        return Promise.reject(error);
      }
      return running.finally(() => finish(true));
    };
    const result = current.tail.then(timed, timed);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    current.tail = tail;
    void tail.then(() => {
      this.#pending -= 1;
      if (this.#pending === 0) {
        for (const resolve of this.#idleWaiters.splice(0)) {
          resolve();
        }
      }
    });
    return result;
  }

  #record(userId: number, durationMs: number): void {
    const sample = Math.min(Math.max(durationMs, 0), MAX_SERVICE_SAMPLE_MS);
    const previous = this.#serviceMs.get(userId);
    this.#serviceMs.set(
      userId,
      previous === undefined ? sample : previous + SERVICE_WEIGHT * (sample - previous),
    );
  }

  get pending(): number {
    return this.#pending;
  }

  /** Resolves once every queued task has finished. */
  idle(): Promise<void> {
    if (this.#pending === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
