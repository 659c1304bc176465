/**
 * The latest price of every symbol the app watches, fed by the event socket (or, while it is
 * down, by polling quotes). Components read it through `useSyncExternalStore`, so a tick
 * re-renders only the rows that show that symbol.
 */
export interface TickValue {
  /** Decimal strings: never float arithmetic on prices (house rule 13). */
  ltp: string;
  /** The previous close, when the feed or a quote gave one. */
  prevClose?: string;
  at: number;
  source: 'stream' | 'quote';
}

export function symbolKey(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}

type Listener = () => void;

export class TickStore {
  readonly #values = new Map<string, TickValue>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #allListeners = new Set<Listener>();

  get(key: string): TickValue | undefined {
    return this.#values.get(key);
  }

  update(key: string, value: Partial<TickValue> & Pick<TickValue, 'ltp' | 'at' | 'source'>): void {
    const previous = this.#values.get(key);
    const next: TickValue = { ...previous, ...value, prevClose: value.prevClose ?? previous?.prevClose };
    if (previous && previous.ltp === next.ltp && previous.prevClose === next.prevClose) {
      this.#values.set(key, next);
      return;
    }
    this.#values.set(key, next);
    for (const listener of this.#listeners.get(key) ?? []) {
      listener();
    }
    for (const listener of this.#allListeners) {
      listener();
    }
  }

  subscribe(key: string, listener: Listener): () => void {
    let set = this.#listeners.get(key);
    if (!set) {
      set = new Set();
      this.#listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  subscribeAll(listener: Listener): () => void {
    this.#allListeners.add(listener);
    return () => {
      this.#allListeners.delete(listener);
    };
  }
}
