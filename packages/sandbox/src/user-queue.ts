/**
 * One FIFO lane per account: everything that changes an account's money or orders (a
 * placement, a fill from a tick, a cancel, a square-off) runs in arrival order, one at a
 * time, so the in-memory book and the tables never disagree. Different accounts proceed in
 * parallel; across processes the funds row lock in each transaction keeps them apart.
 */
export class UserQueue {
  readonly #tails = new Map<number, Promise<unknown>>();
  /** Tasks of each account queued or running. */
  readonly #depths = new Map<number, number>();
  #pending = 0;
  #idleWaiters: Array<() => void> = [];

  /** Tasks of this account queued or running. */
  depth(userId: number): number {
    return this.#depths.get(userId) ?? 0;
  }

  run<T>(userId: number, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(userId) ?? Promise.resolve();
    this.#pending += 1;
    this.#depths.set(userId, this.depth(userId) + 1);
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(userId, tail);
    void tail.then(() => {
      if (this.#tails.get(userId) === tail) {
        this.#tails.delete(userId);
      }
      const depth = this.depth(userId) - 1;
      if (depth > 0) {
        this.#depths.set(userId, depth);
      } else {
        this.#depths.delete(userId);
      }
      this.#pending -= 1;
      if (this.#pending === 0) {
        for (const resolve of this.#idleWaiters.splice(0)) {
          resolve();
        }
      }
    });
    return result;
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
