/**
 * Spaces calls at least `spacingMs` apart, process-wide, in arrival order: excess callers wait
 * their turn instead of being refused (OpenAlgo paces broker history calls this way).
 */
export class CallPacer {
  readonly #spacingMs: number;
  #nextSlot = 0;

  constructor(spacingMs: number) {
    this.#spacingMs = Math.max(0, spacingMs);
  }

  /** Resolves when the caller may make its call. */
  wait(): Promise<void> {
    if (this.#spacingMs === 0) {
      return Promise.resolve();
    }
    const now = performance.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#spacingMs;
    const delay = slot - now;
    return delay <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, delay));
  }
}
