/**
 * One read shared by every caller that wants the same thing at once, and never a stale one: a
 * caller that arrives while a read is under way waits for the next read, which starts when that
 * one ends and serves everyone who arrived meanwhile. So N callers cost at most two reads, and
 * each result was read after its caller asked. The reconciler uses it for order books: many
 * timed-out placements of one account (an overloaded broker, a slow database) used to read the
 * whole book once each, and the reads themselves slowed everything further.
 */
export class CoalescedReads<T> {
  readonly #slots = new Map<string, { current: Promise<T> | null; next: Promise<T> | null }>();

  read(key: string, fetch: () => Promise<T>): Promise<T> {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { current: null, next: null };
      this.#slots.set(key, slot);
    }
    const own = slot;
    if (!own.current) {
      const current: Promise<T> = fetch().finally(() => {
        if (own.current === current) {
          own.current = null;
        }
        if (!own.current && !own.next && this.#slots.get(key) === own) {
          this.#slots.delete(key);
        }
      });
      own.current = current;
      return current;
    }
    own.next ??= own.current.then(
      () => this.#trailing(key, own, fetch),
      () => this.#trailing(key, own, fetch),
    );
    return own.next;
  }

  #trailing(key: string, slot: { next: Promise<T> | null }, fetch: () => Promise<T>): Promise<T> {
    slot.next = null;
    return this.read(key, fetch);
  }

  /** Keys with a read under way or waiting (tests). */
  get size(): number {
    return this.#slots.size;
  }
}
