import type { Logger, StreamState } from '@openalgo/broker-sdk';
import {
  type ConnectedSocket,
  ReconnectingWebSocket,
  SocketClosedError,
  type WebSocketConstructor,
} from '@openalgo/broker-sdk/ws';
import { type DecodedFrame, decodeFrame } from './ticker-codec.js';

/**
 * One connection to Kite's ticker (`wss://ws.kite.trade?api_key=…&access_token=…`). The
 * connection itself (capped exponential backoff with jitter, redial after every drop, the stall
 * watchdog against Kite's ~1 s heartbeat, judging a dial that never opened) is the SDK's
 * `ReconnectingWebSocket`; this class keeps what is Kite's: the wanted token → mode set,
 * re-sent after every (re)connect as batched `subscribe`/`mode` messages, and the decoding of
 * binary frames.
 */

export type { WebSocketConstructor };
export { SocketClosedError as TickerClosedError };

export type KiteStreamMode = 'ltp' | 'quote' | 'full';

const MODE_RANK: Record<KiteStreamMode, number> = { ltp: 1, quote: 2, full: 3 };

export function richerMode(left: KiteStreamMode | undefined, right: KiteStreamMode): KiteStreamMode {
  return left === undefined || MODE_RANK[right] > MODE_RANK[left] ? right : left;
}

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

export class TickerSocket {
  readonly #options: TickerSocketOptions;
  readonly #socket: ReconnectingWebSocket;
  readonly #wanted = new Map<number, KiteStreamMode>();
  /** What Kite knows on the current connection; cleared on every reconnect. */
  readonly #sent = new Map<number, KiteStreamMode>();
  #isFlushQueued = false;

  constructor(options: TickerSocketOptions) {
    this.#options = options;
    const { settings } = options;
    this.#socket = new ReconnectingWebSocket({
      url: options.url,
      WebSocket: options.WebSocket,
      backoff: {
        initialDelayMs: settings.reconnectBaseMs,
        maxDelayMs: settings.reconnectMaxMs,
        multiplier: 2,
        jitter: 0.5,
      },
      staleAfterMs: settings.staleAfterMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      logger: options.logger,
      onOpen: (connected) => {
        // A new connection knows nothing: subscribe everything wanted again.
        this.#sent.clear();
        this.#flush(connected);
      },
      onMessage: (data) => {
        if (typeof data === 'string') {
          options.onText(data);
        } else {
          options.onFrame(decodeFrame(data));
        }
      },
      onState: options.onState,
      // A rejected token looks exactly like a network failure on a socket that never opened: ask.
      onDialFailure: async () => ((await options.checkSession()) ? 'retry' : 'auth-failed'),
      authFailureReason: 'Kite rejected the session: log in to Zerodha again',
    });
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  get size(): number {
    return this.#wanted.size;
  }

  has(token: number): boolean {
    return this.#wanted.has(token);
  }

  /** Starts connecting (idempotent). */
  start(): void {
    this.#socket.start();
  }

  /** Resolves when the socket is open; rejects with `TickerClosedError` when it is closed for good first. */
  whenOpen(): Promise<void> {
    return this.#socket.whenOpen();
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
    this.#socket.close(reason);
  }

  #queueFlush(): void {
    if (this.#isFlushQueued) {
      return;
    }
    this.#isFlushQueued = true;
    // Coalesce every change made in the same turn into one set of messages.
    queueMicrotask(() => {
      this.#isFlushQueued = false;
      if (this.#socket.isOpen) {
        this.#flush({ send: (data) => this.#socket.send(data) });
      }
    });
  }

  /** Sends what Kite must learn: unsubscribes, subscribes, then modes. */
  #flush(socket: ConnectedSocket): void {
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
