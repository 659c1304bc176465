import { tickFrameSchema, uiEventFrameSchema } from '../api/contracts/ui-events.js';
import { symbolKey, type TickStore } from './tick-store.js';

/**
 * The api's UI event socket (`/web/events`, authenticated by the session cookie): order,
 * analyzer and Action Center events, and ticks for the symbols the app watches (subscribed on
 * the same socket, in Quote mode so the previous close comes along). Reconnects with capped
 * backoff and re-subscribes everything it watched.
 */

export type SocketState = 'connecting' | 'open' | 'closed';

export interface WatchedSymbol {
  exchange: string;
  symbol: string;
}

export interface EventSocketOptions {
  url: string;
  ticks: TickStore;
  onEvent: (event: string, data: unknown) => void;
  WebSocket?: typeof WebSocket;
  now?: () => number;
}

const QUOTE_MODE = 2;

export class EventSocket {
  readonly #options: EventSocketOptions;
  readonly #watched = new Map<string, { entry: WatchedSymbol; count: number }>();
  readonly #stateListeners = new Set<(state: SocketState) => void>();
  #socket: WebSocket | null = null;
  #state: SocketState = 'closed';
  #retryMs = 1_000;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;

  constructor(options: EventSocketOptions) {
    this.#options = options;
  }

  get state(): SocketState {
    return this.#state;
  }

  onState(listener: (state: SocketState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => {
      this.#stateListeners.delete(listener);
    };
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    this.#socket?.close(1000, 'bye');
    this.#socket = null;
    this.#setState('closed');
  }

  /** Watches symbols until the returned function is called (reference counted). */
  watch(symbols: readonly WatchedSymbol[]): () => void {
    const added: WatchedSymbol[] = [];
    for (const entry of symbols) {
      const key = symbolKey(entry.exchange, entry.symbol);
      const existing = this.#watched.get(key);
      if (existing) {
        existing.count += 1;
      } else {
        this.#watched.set(key, { entry, count: 1 });
        added.push(entry);
      }
    }
    if (added.length > 0) {
      this.#send({ action: 'subscribe', symbols: added, mode: QUOTE_MODE });
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const removed: WatchedSymbol[] = [];
      for (const entry of symbols) {
        const key = symbolKey(entry.exchange, entry.symbol);
        const existing = this.#watched.get(key);
        if (existing) {
          existing.count -= 1;
          if (existing.count <= 0) {
            this.#watched.delete(key);
            removed.push(entry);
          }
        }
      }
      if (removed.length > 0) {
        this.#send({ action: 'unsubscribe', symbols: removed, mode: QUOTE_MODE });
      }
    };
  }

  watchedSymbols(): WatchedSymbol[] {
    return [...this.#watched.values()].map((value) => value.entry);
  }

  #setState(state: SocketState): void {
    if (state === this.#state) {
      return;
    }
    this.#state = state;
    for (const listener of this.#stateListeners) {
      listener(state);
    }
  }

  #send(message: unknown): void {
    if (this.#socket && this.#socket.readyState === 1) {
      this.#socket.send(JSON.stringify(message));
    }
  }

  #connect(): void {
    if (this.#stopped) {
      return;
    }
    const Impl = this.#options.WebSocket ?? globalThis.WebSocket;
    this.#setState('connecting');
    let socket: WebSocket;
    try {
      socket = new Impl(this.#options.url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#retryMs = 1_000;
      this.#setState('open');
      const symbols = this.watchedSymbols();
      if (symbols.length > 0) {
        this.#send({ action: 'subscribe', symbols, mode: QUOTE_MODE });
      }
    });
    socket.addEventListener('message', (message: MessageEvent) => {
      this.#handle(message.data);
    });
    socket.addEventListener('close', () => {
      if (this.#socket === socket) {
        this.#socket = null;
        this.#setState('closed');
        this.#scheduleReconnect();
      }
    });
    socket.addEventListener('error', () => {
      socket.close();
    });
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#retryTimer) {
      return;
    }
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 30_000);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  #handle(raw: unknown): void {
    if (typeof raw !== 'string') {
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const tick = tickFrameSchema.safeParse(message);
    if (tick.success) {
      const { data } = tick.data;
      this.#options.ticks.update(symbolKey(tick.data.exchange, tick.data.symbol), {
        ltp: String(data.ltp),
        ...(data.close !== undefined && data.close > 0 ? { prevClose: String(data.close) } : {}),
        at: (this.#options.now ?? Date.now)(),
        source: 'stream',
      });
      return;
    }
    const event = uiEventFrameSchema.safeParse(message);
    if (event.success) {
      this.#options.onEvent(event.data.event, event.data.data);
    }
  }
}
