import WebSocket from 'ws';
import type { Logger, StreamState } from '../v1/adapter.js';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

/**
 * A WebSocket that stays connected: it dials, reconnects with capped exponential backoff and
 * jitter after every drop, calls `onOpen` after each (re)connect so the owner can log in and
 * resubscribe, watches for silence (no message for `staleAfterMs` → dropped and redialled),
 * optionally sends heartbeats, and reports `StreamState`s. A failed dial can be judged by the
 * owner (`onDialFailure`): a broker that rejects the session usually just closes the socket, so
 * only the owner can tell a rejected token from a network failure.
 *
 * Written against a minimal WHATWG-style interface so any implementation can be injected: the
 * `ws` package (the default), Node's global `WebSocket` (Node 22+), or a test double.
 */

export interface WebSocketMessageEvent {
  data: unknown;
}

export interface WebSocketCloseEvent {
  code: number;
  reason: string;
}

/** The part of a WebSocket this helper uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: WebSocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEvent) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** What a dial that never opened means: try again, or stop because the session was refused. */
export type DialVerdict = 'retry' | 'auth-failed';

export interface ReconnectingWebSocketOptions {
  /** The URL for the next dial (re-read every time: tokens in query strings change). */
  url: () => string | Promise<string>;
  protocols?: string | string[];
  /** Default: the `ws` package's WebSocket. */
  WebSocket?: WebSocketConstructor;
  backoff?: Partial<BackoffPolicy>;
  /** Silence after which the socket is dropped and redialled. `0` turns the watchdog off. Default 0. */
  staleAfterMs?: number;
  /** Sends `heartbeat.message()` every `intervalMs` while open (for brokers that want client pings). */
  heartbeat?: { intervalMs: number; message: () => string | Uint8Array };
  /** How long one dial may take to open before it is abandoned and retried. Default 15 s. */
  connectTimeoutMs?: number;
  /** After every open: authenticate, resubscribe. A throw drops the connection and redials. */
  onOpen?: (socket: ConnectedSocket) => void | Promise<void>;
  onMessage: (data: string | ArrayBuffer, socket: ConnectedSocket) => void;
  onState?: (state: StreamState) => void;
  /** Asked when a dial closed before opening. Default: always retry. */
  onDialFailure?: (failure: { attempt: number; reason: string }) => DialVerdict | Promise<DialVerdict>;
  /** The `auth-failed` state's reason (what the user should do). Default "the broker refused the session". */
  authFailureReason?: string;
  logger?: Logger;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/** What `onOpen` and `onMessage` may do with the live socket. */
export interface ConnectedSocket {
  send(data: string | Uint8Array): void;
}

/** Why a socket stopped for good; `isAuthFailure` when the broker refused the session. */
export class SocketClosedError extends Error {
  constructor(
    message: string,
    readonly isAuthFailure: boolean,
  ) {
    super(message);
    this.name = 'SocketClosedError';
  }
}

const OPEN = 1;

function toArrayBuffer(data: ArrayBufferView): ArrayBuffer {
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return copy.buffer;
}

export class ReconnectingWebSocket {
  readonly #options: ReconnectingWebSocketOptions;
  readonly #backoff: BackoffPolicy;
  readonly #WebSocket: WebSocketConstructor;
  #socket: WebSocketLike | undefined;
  #isClosed = false;
  #isOpen = false;
  #isDialing = false;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastMessageAt = 0;
  #openWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #closedBy: SocketClosedError | undefined;
  #connections = 0;

  constructor(options: ReconnectingWebSocketOptions) {
    this.#options = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#WebSocket = options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor);
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Successful opens so far (the first connect counts as one). */
  get connections(): number {
    return this.#connections;
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (this.#socket || this.#isDialing || this.#isClosed || this.#reconnectTimer) {
      return;
    }
    void this.#dial();
  }

  /** Resolves when the socket is open; rejects if it is closed for good first. */
  whenOpen(): Promise<void> {
    if (this.#isOpen) {
      return Promise.resolve();
    }
    if (this.#isClosed) {
      return Promise.reject(this.#closedBy ?? new SocketClosedError('socket closed', false));
    }
    return new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
  }

  /** Sends when open; returns `false` (and sends nothing) otherwise. */
  send(data: string | Uint8Array): boolean {
    const socket = this.#socket;
    if (!socket || !this.#isOpen || socket.readyState !== OPEN) {
      return false;
    }
    socket.send(data);
    return true;
  }

  /** Drops the current connection; it is redialled after the usual backoff. */
  reconnect(reason = 'reconnect requested'): void {
    const socket = this.#socket;
    if (socket && !this.#isClosed) {
      this.#options.logger?.debug({ reason }, 'socket reconnect requested');
      socket.close(4000, reason.slice(0, 100));
    }
  }

  /** Closes for good. */
  close(reason = 'closed'): void {
    if (this.#isClosed) {
      return;
    }
    this.#isClosed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#stopTimers();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#isOpen = false;
    try {
      socket?.close(1000, reason.slice(0, 100));
    } catch (error) {
      this.#options.logger?.debug({ error: String(error) }, 'socket close failed');
    }
    this.#closedBy ??= new SocketClosedError(`socket ${reason}`, false);
    this.#rejectWaiters(this.#closedBy);
    this.#emit({ state: 'closed', reason });
  }

  #emit(state: StreamState): void {
    try {
      this.#options.onState?.(state);
    } catch (error) {
      this.#options.logger?.error({ error: String(error) }, 'socket state listener threw');
    }
  }

  async #dial(): Promise<void> {
    this.#isDialing = true;
    this.#emit({ state: 'connecting' });
    let socket: WebSocketLike;
    try {
      const url = await this.#options.url();
      if (this.#isClosed) {
        return;
      }
      socket = new this.#WebSocket(url, this.#options.protocols);
    } catch (error) {
      this.#options.logger?.warn({ error: String(error) }, 'socket could not be created');
      this.#scheduleReconnect('socket could not be created');
      return;
    } finally {
      this.#isDialing = false;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    let hasOpened = false;
    const connectTimeoutMs = this.#options.connectTimeoutMs ?? 15_000;
    this.#connectTimer = setTimeout(() => {
      if (this.#socket === socket && !hasOpened) {
        socket.close(4001, 'connect timeout');
      }
    }, connectTimeoutMs);
    this.#connectTimer.unref?.();
    const connected: ConnectedSocket = {
      send: (data) => {
        if (this.#socket === socket && socket.readyState === OPEN) {
          socket.send(data);
        }
      },
    };
    socket.addEventListener('open', () => {
      if (this.#socket !== socket) {
        return;
      }
      hasOpened = true;
      clearTimeout(this.#connectTimer);
      void this.#opened(socket, connected);
    });
    socket.addEventListener('message', (event) => {
      if (this.#socket !== socket) {
        return;
      }
      this.#lastMessageAt = performance.now();
      const { data } = event;
      let payload: string | ArrayBuffer;
      if (typeof data === 'string') {
        payload = data;
      } else if (data instanceof ArrayBuffer) {
        payload = data;
      } else if (ArrayBuffer.isView(data)) {
        payload = toArrayBuffer(data);
      } else {
        return;
      }
      try {
        this.#options.onMessage(payload, connected);
      } catch (error) {
        this.#options.logger?.error({ error: String(error) }, 'socket message handler threw');
      }
    });
    socket.addEventListener('error', (event) => {
      const message = (event as { message?: unknown }).message;
      this.#options.logger?.debug({ error: typeof message === 'string' ? message : 'error' }, 'socket error');
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) {
        return;
      }
      this.#socket = undefined;
      this.#isOpen = false;
      this.#stopTimers();
      if (this.#isClosed) {
        return;
      }
      const reason = event.reason || `closed with code ${event.code}`;
      if (hasOpened || !this.#options.onDialFailure) {
        this.#scheduleReconnect(reason);
        return;
      }
      const attempt = this.#attempt + 1;
      Promise.resolve()
        .then(() => this.#options.onDialFailure?.({ attempt, reason }) ?? 'retry')
        .then(
          (verdict) => {
            if (this.#isClosed) {
              return;
            }
            if (verdict === 'auth-failed') {
              this.#failAuth(this.#options.authFailureReason ?? 'the broker refused the session');
            } else {
              this.#scheduleReconnect(reason);
            }
          },
          () => this.#scheduleReconnect(reason),
        );
    });
  }

  async #opened(socket: WebSocketLike, connected: ConnectedSocket): Promise<void> {
    this.#lastMessageAt = performance.now();
    try {
      await this.#options.onOpen?.(connected);
    } catch (error) {
      this.#options.logger?.warn({ error: String(error) }, 'socket open handler failed; redialling');
      socket.close(4002, 'open handler failed');
      return;
    }
    if (this.#socket !== socket || this.#isClosed) {
      return;
    }
    this.#isOpen = true;
    this.#attempt = 0;
    this.#connections += 1;
    this.#startTimers(socket);
    this.#emit({ state: 'connected' });
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const waiter of waiters) {
      waiter.resolve();
    }
  }

  #failAuth(reason: string): void {
    this.#isClosed = true;
    this.#closedBy = new SocketClosedError(reason, true);
    this.#emit({ state: 'auth-failed', reason });
    this.#rejectWaiters(this.#closedBy);
  }

  #rejectWaiters(error: SocketClosedError): void {
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
    const delayMs = backoffDelay(this.#attempt, this.#backoff, this.#options.random);
    this.#emit({ state: 'reconnecting', attempt: this.#attempt, delayMs, reason });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#dial();
    }, delayMs);
  }

  #startTimers(socket: WebSocketLike): void {
    this.#stopTimers();
    const staleAfterMs = this.#options.staleAfterMs ?? 0;
    if (staleAfterMs > 0) {
      this.#watchdog = setInterval(
        () => {
          const silentForMs = performance.now() - this.#lastMessageAt;
          if (this.#isOpen && this.#socket === socket && silentForMs > staleAfterMs) {
            this.#emit({ state: 'stale', silentForMs: Math.round(silentForMs) });
            // Drop the silent socket; its close handler redials.
            socket.close(4000, 'stale');
          }
        },
        Math.max(50, Math.floor(staleAfterMs / 2)),
      );
      this.#watchdog.unref?.();
    }
    const { heartbeat } = this.#options;
    if (heartbeat && heartbeat.intervalMs > 0) {
      this.#heartbeat = setInterval(() => {
        if (this.#socket === socket && socket.readyState === OPEN) {
          socket.send(heartbeat.message());
        }
      }, heartbeat.intervalMs);
      this.#heartbeat.unref?.();
    }
  }

  #stopTimers(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
