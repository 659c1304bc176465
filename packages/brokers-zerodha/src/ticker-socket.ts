import type { Logger, StreamState } from '@openalgo/broker-sdk';
import { type DecodedFrame, decodeFrame } from './ticker-codec.js';

/**
 * One connection to Kite's ticker (`wss://ws.kite.trade?api_key=…&access_token=…`): connects,
 * keeps the wanted token → mode set subscribed (re-sent after every reconnect), reconnects with
 * capped exponential backoff and jitter, watches for silence (Kite sends a 1-byte heartbeat
 * about every second), and hands decoded frames and text messages to its owner.
 *
 * Written against a minimal WHATWG-style WebSocket interface so any implementation (the `ws`
 * package, Node's global WebSocket, a test double) can be injected through the settings.
 */

export type KiteStreamMode = 'ltp' | 'quote' | 'full';

const MODE_RANK: Record<KiteStreamMode, number> = { ltp: 1, quote: 2, full: 3 };

export function richerMode(left: KiteStreamMode | undefined, right: KiteStreamMode): KiteStreamMode {
  return left === undefined || MODE_RANK[right] > MODE_RANK[left] ? right : left;
}

export interface WebSocketMessageEvent {
  data: unknown;
}

export interface WebSocketCloseEvent {
  code: number;
  reason: string;
}

/** The part of a WebSocket this package uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: WebSocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEvent) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface TickerSettings {
  /** First reconnect delay; doubles per failed attempt. Default 1 s. */
  reconnectBaseMs: number;
  /** Longest reconnect delay. Default 30 s. Attempts never stop (except on a rejected session). */
  reconnectMaxMs: number;
  /** Silence (no frame, no heartbeat) after which the socket is dropped and redialled. Default 10 s. */
  staleAfterMs: number;
  /** Tokens per subscribe/mode message. Default 200. */
  subscribeBatch: number;
  /** How long `connect()` waits for the first open socket. Default 15 s. */
  connectTimeoutMs: number;
}

export const DEFAULT_TICKER_SETTINGS: TickerSettings = {
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 30_000,
  staleAfterMs: 10_000,
  subscribeBatch: 200,
  connectTimeoutMs: 15_000,
};

export interface TickerSocketOptions {
  /** Builds the URL for the current session (credentials go in the query string, as Kite wants). */
  url: () => string;
  WebSocket: WebSocketConstructor;
  settings: TickerSettings;
  logger: Logger;
  onFrame: (frame: DecodedFrame) => void;
  onText: (text: string) => void;
  onState: (state: StreamState) => void;
  /**
   * Asked after a connection attempt failed before opening: `false` when Kite rejected the
   * session (the socket then stops), `true` to keep retrying.
   */
  checkSession: () => Promise<boolean>;
}

/** Why a socket stopped for good; `isAuthFailure` when Kite rejected the session. */
export class TickerClosedError extends Error {
  constructor(
    message: string,
    readonly isAuthFailure: boolean,
  ) {
    super(message);
    this.name = 'TickerClosedError';
  }
}

/** WebSocket readyState values. */
const OPEN = 1;

export class TickerSocket {
  readonly #options: TickerSocketOptions;
  readonly #wanted = new Map<number, KiteStreamMode>();
  /** What Kite knows on the current connection; cleared on every reconnect. */
  readonly #sent = new Map<number, KiteStreamMode>();
  #socket: WebSocketLike | undefined;
  #isClosed = false;
  #isOpen = false;
  #hasOpenedThisAttempt = false;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #lastMessageAt = 0;
  #isFlushQueued = false;
  #openWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #closedBy: TickerClosedError | undefined;

  constructor(options: TickerSocketOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  get size(): number {
    return this.#wanted.size;
  }

  has(token: number): boolean {
    return this.#wanted.has(token);
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (this.#socket || this.#isClosed || this.#reconnectTimer) {
      return;
    }
    this.#dial();
  }

  /** Resolves when the socket is open; rejects when it is closed for good first. */
  whenOpen(): Promise<void> {
    if (this.#isOpen) {
      return Promise.resolve();
    }
    if (this.#isClosed) {
      return Promise.reject(this.#closedBy ?? new TickerClosedError('ticker socket closed', false));
    }
    return new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
  }

  /** Sets (or with `undefined` removes) the wanted mode of tokens; sent to Kite in batches. */
  want(changes: ReadonlyArray<readonly [number, KiteStreamMode | undefined]>): void {
    for (const [token, mode] of changes) {
      if (mode === undefined) {
        this.#wanted.delete(token);
      } else {
        this.#wanted.set(token, mode);
      }
    }
    this.#queueFlush();
  }

  /** Closes for good. */
  close(reason = 'closed'): void {
    if (this.#isClosed) {
      return;
    }
    this.#isClosed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#stopWatchdog();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#isOpen = false;
    try {
      socket?.close(1000, reason);
    } catch (error) {
      this.#options.logger.debug({ error: String(error) }, 'kite ticker close failed');
    }
    this.#closedBy ??= new TickerClosedError(`ticker socket ${reason}`, false);
    this.#rejectWaiters(this.#closedBy);
    this.#options.onState({ state: 'closed', reason });
  }

  #dial(): void {
    this.#hasOpenedThisAttempt = false;
    this.#options.onState({ state: 'connecting' });
    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(this.#options.url());
    } catch (error) {
      this.#options.logger.warn({ error: String(error) }, 'kite ticker could not be created');
      this.#scheduleReconnect('socket could not be created');
      return;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      if (this.#socket !== socket) {
        return;
      }
      this.#isOpen = true;
      this.#hasOpenedThisAttempt = true;
      this.#attempt = 0;
      this.#lastMessageAt = performance.now();
      this.#sent.clear();
      this.#startWatchdog();
      this.#options.onState({ state: 'connected' });
      this.#flush();
      const waiters = this.#openWaiters;
      this.#openWaiters = [];
      for (const waiter of waiters) {
        waiter.resolve();
      }
    });
    socket.addEventListener('message', (event) => {
      if (this.#socket !== socket) {
        return;
      }
      this.#lastMessageAt = performance.now();
      const { data } = event;
      if (typeof data === 'string') {
        this.#options.onText(data);
      } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        this.#options.onFrame(decodeFrame(data));
      }
    });
    socket.addEventListener('error', (event) => {
      const message = (event as { message?: unknown }).message;
      this.#options.logger.debug(
        { error: typeof message === 'string' ? message : 'error' },
        'kite ticker error',
      );
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) {
        return;
      }
      this.#socket = undefined;
      this.#isOpen = false;
      this.#stopWatchdog();
      if (this.#isClosed) {
        return;
      }
      const reason = event.reason || `closed with code ${event.code}`;
      if (this.#hasOpenedThisAttempt) {
        this.#scheduleReconnect(reason);
        return;
      }
      // It never opened: a rejected token looks exactly like a network failure here, so ask.
      void this.#options.checkSession().then(
        (isValid) => {
          if (this.#isClosed) {
            return;
          }
          if (isValid) {
            this.#scheduleReconnect(reason);
          } else {
            this.#failAuth('Kite rejected the session: log in to Zerodha again');
          }
        },
        () => this.#scheduleReconnect(reason),
      );
    });
  }

  #failAuth(reason: string): void {
    this.#options.onState({ state: 'auth-failed', reason });
    this.#isClosed = true;
    this.#closedBy = new TickerClosedError(reason, true);
    this.#rejectWaiters(this.#closedBy);
  }

  #rejectWaiters(error: TickerClosedError): void {
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const waiter of waiters) {
      waiter.reject(error);
    }
  }

  #scheduleReconnect(reason: string): void {
    if (this.#isClosed) {
      return;
    }
    this.#attempt += 1;
    const { reconnectBaseMs, reconnectMaxMs } = this.#options.settings;
    const ceiling = Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** Math.min(this.#attempt - 1, 16));
    const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.#options.onState({ state: 'reconnecting', attempt: this.#attempt, delayMs, reason });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#dial();
    }, delayMs);
  }

  #startWatchdog(): void {
    this.#stopWatchdog();
    const { staleAfterMs } = this.#options.settings;
    this.#watchdog = setInterval(
      () => {
        const silentForMs = performance.now() - this.#lastMessageAt;
        if (this.#isOpen && silentForMs > staleAfterMs) {
          this.#options.onState({ state: 'stale', silentForMs: Math.round(silentForMs) });
          // Drop the silent socket; its close handler redials.
          this.#socket?.close(4000, 'stale');
        }
      },
      Math.max(50, Math.floor(staleAfterMs / 2)),
    );
    this.#watchdog.unref?.();
  }

  #stopWatchdog(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  #queueFlush(): void {
    if (this.#isFlushQueued) {
      return;
    }
    this.#isFlushQueued = true;
    // Coalesce every change made in the same turn into one set of messages.
    queueMicrotask(() => {
      this.#isFlushQueued = false;
      this.#flush();
    });
  }

  /** Sends what Kite must learn: unsubscribes, subscribes, then modes. */
  #flush(): void {
    const socket = this.#socket;
    if (!socket || !this.#isOpen || socket.readyState !== OPEN) {
      return;
    }
    const removed: number[] = [];
    for (const token of this.#sent.keys()) {
      if (!this.#wanted.has(token)) {
        removed.push(token);
      }
    }
    const added: number[] = [];
    const byMode = new Map<KiteStreamMode, number[]>();
    for (const [token, mode] of this.#wanted) {
      const sentMode = this.#sent.get(token);
      if (sentMode === undefined) {
        added.push(token);
      }
      if (sentMode !== mode) {
        const tokens = byMode.get(mode) ?? [];
        tokens.push(token);
        byMode.set(mode, tokens);
      }
    }
    const batch = this.#options.settings.subscribeBatch;
    const send = (message: unknown) => socket.send(JSON.stringify(message));
    for (let start = 0; start < removed.length; start += batch) {
      send({ a: 'unsubscribe', v: removed.slice(start, start + batch) });
    }
    for (const token of removed) {
      this.#sent.delete(token);
    }
    for (let start = 0; start < added.length; start += batch) {
      send({ a: 'subscribe', v: added.slice(start, start + batch) });
    }
    for (const [mode, tokens] of byMode) {
      for (let start = 0; start < tokens.length; start += batch) {
        send({ a: 'mode', v: [mode, tokens.slice(start, start + batch)] });
      }
      for (const token of tokens) {
        this.#sent.set(token, mode);
      }
    }
  }
}
