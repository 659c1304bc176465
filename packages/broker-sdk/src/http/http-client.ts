import { type Dispatcher, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { OpenAlgoError } from '../errors.js';
import type { BrokerLimits, BrokerOperation } from '../limits.js';
import type { Logger } from '../v1/adapter.js';
import { defaultSleep, RateLimiter } from './rate-limiter.js';
import { errorFromStatus, retryAfterMs, toTransportError } from './transport-errors.js';

/**
 * The HTTP client broker packages build their REST calls on (spec/brokers.md §5.2 "HTTP
 * helper"): undici underneath, one timeout per call, retries with backoff for idempotent reads
 * only (an order write is sent exactly once), request-rate limiting from the broker's declared
 * buckets (calls queue, they are not refused), a latency hook, and every transport failure
 * turned into a typed transient error.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `write`: sent once, never retried. `read`: retried on transient errors. `long`: a read with the long timeout. */
export type CallKind = 'write' | 'read' | 'long';

export interface HttpTimeouts {
  /** Order placement, modification, cancellation and other writes. Default 10 s. */
  writeMs: number;
  /** Books, quotes, margins. Default 15 s. */
  readMs: number;
  /** Instrument dumps and long history. Default 120 s. */
  longMs: number;
}

export interface RetryPolicy {
  /** Total attempts for reads (writes always get one). Default 3. */
  attempts: number;
  /** First backoff; doubles per attempt, with jitter. Default 250 ms. */
  baseDelayMs: number;
  /** Longest single wait, `Retry-After` included. Default 5 s. */
  maxDelayMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<HttpTimeouts> = { writeMs: 10_000, readMs: 15_000, longMs: 120_000 };
export const DEFAULT_RETRY: Readonly<RetryPolicy> = { attempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };

export interface FetchInit {
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

/**
 * What the client calls to send a request when one is given (by default undici's `request`, its
 * body read into a `Response`; undici's `fetch` for `long` calls, whose body streams).
 */
export type FetchLike = (url: string, init: FetchInit) => Promise<Response>;

export type Entries = ReadonlyArray<readonly [string, string]>;

export interface HttpRequest {
  method: HttpMethod;
  /** Appended to `baseUrl`. */
  path: string;
  query?: Entries | Readonly<Record<string, string | number | boolean | undefined>>;
  headers?: Readonly<Record<string, string>>;
  /** Form-encoded body, fields in the order given. */
  form?: Entries | Readonly<Record<string, string>>;
  /** JSON body. */
  json?: unknown;
  /** A raw body (set `content-type` yourself). */
  body?: string | Uint8Array;
  /** The metered operation: picks the rate buckets; order writes are never retried. */
  operation: BrokerOperation;
  /** A finer name for logs and errors (default: `operation`). */
  label?: string;
  /** Default: `write` for order placement, modification and cancellation and for non-GET methods, else `read`. */
  kind?: CallKind;
  /** Overrides the timeout of the call's kind. */
  timeoutMs?: number;
  /** The account the rate limit applies to (default: one account per client). */
  rateKey?: string;
  signal?: AbortSignal;
}

export interface LatencySample {
  operation: BrokerOperation;
  label: string;
  method: HttpMethod;
  /** Path without the query string (no secrets). */
  path: string;
  /** HTTP status, `null` when no answer arrived. */
  status: number | null;
  outcome: 'ok' | 'http-error' | 'timeout' | 'network' | 'aborted';
  /** Round trip of this attempt, ms. */
  durationMs: number;
  /** 1-based. */
  attempt: number;
  /** Time spent queued by the rate limiter before this attempt, ms. */
  queuedMs: number;
}

export interface ErrorMappingInput {
  status: number;
  headers: Headers;
  bodyText: string;
  request: HttpRequest;
  /** `Retry-After`, ms, when the broker sent one. */
  retryAfterMs: number | undefined;
}

export interface HttpClientSettings {
  baseUrl: string;
  /** The broker's name in errors and logs. Default `broker`. */
  broker?: string;
  /** Replaces the default transport for every call (tests, proxies, instrumentation). */
  fetch?: FetchLike;
  /** An undici dispatcher (Agent, Pool, ProxyAgent, MockAgent) for every request. */
  dispatcher?: Dispatcher;
  /** Clock, epoch ms (rate windows, Retry-After dates). Default `Date.now`. */
  now?: () => number;
  /** How to wait (backoff, rate queue). Tests pass one that advances a fake clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
  /** The broker's declared rate buckets (`adapter.limits.rate`), or a limiter shared with other clients. */
  rateLimit?: BrokerLimits['rate'] | RateLimiter;
  /** Fraction of each declared rate cap to use. Default 0.9. */
  pacing?: number;
  /** Headers sent on every request (the caller's win on conflicts). */
  headers?: Readonly<Record<string, string>>;
  /**
   * The broker's error table for non-2xx answers. Return `undefined` to fall back to the default
   * (429 → RateLimitError, 408 → RequestTimeoutError, 5xx → BrokerUnavailableError, else BrokerError).
   */
  mapError?: (input: ErrorMappingInput) => OpenAlgoError | undefined;
  /** Called after every attempt with its round-trip time. */
  onLatency?: (sample: LatencySample) => void;
  logger?: Logger;
}

const ORDER_WRITES: ReadonlySet<BrokerOperation> = new Set(['placeOrder', 'modifyOrder', 'cancelOrder']);

export function kindOf(request: Pick<HttpRequest, 'operation' | 'method' | 'kind'>): CallKind {
  if (ORDER_WRITES.has(request.operation)) {
    return 'write';
  }
  if (request.kind) {
    return request.kind;
  }
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
}

function toEntries(
  value: Entries | Readonly<Record<string, string | number | boolean | undefined>>,
): Array<[string, string]> {
  if (Array.isArray(value)) {
    return (value as Entries).map(([name, text]) => [name, text]);
  }
  const entries: Array<[string, string]> = [];
  for (const [name, text] of Object.entries(value)) {
    if (text !== undefined) {
      entries.push([name, String(text)]);
    }
  }
  return entries;
}

export class HttpClient {
  readonly baseUrl: string;
  readonly broker: string;
  readonly rateLimiter: RateLimiter | undefined;
  readonly #settings: HttpClientSettings;
  readonly #fetch: FetchLike;
  readonly #timeouts: HttpTimeouts;
  readonly #retry: RetryPolicy;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;

  constructor(settings: HttpClientSettings) {
    if (!/^https?:\/\/\S+$/.test(settings.baseUrl)) {
      throw new TypeError(`baseUrl must be an http(s) URL, got ${JSON.stringify(settings.baseUrl)}`);
    }
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.broker = settings.broker ?? 'broker';
    this.#settings = settings;
    this.#fetch = settings.fetch ?? (undiciFetch as unknown as FetchLike);
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...settings.timeouts };
    this.#retry = { ...DEFAULT_RETRY, ...settings.retry };
    this.#now = settings.now ?? Date.now;
    this.#sleep = settings.sleep ?? defaultSleep;
    this.#random = settings.random ?? Math.random;
    const { rateLimit } = settings;
    if (rateLimit instanceof RateLimiter) {
      this.rateLimiter = rateLimit;
    } else if (rateLimit && rateLimit.buckets.length > 0) {
      this.rateLimiter = new RateLimiter({
        buckets: rateLimit.buckets,
        pacing: settings.pacing,
        now: this.#now,
        sleep: this.#sleep,
      });
    }
  }

  /** The timeout a request gets. */
  timeoutFor(request: Pick<HttpRequest, 'operation' | 'method' | 'kind' | 'timeoutMs'>): number {
    if (request.timeoutMs !== undefined) {
      return request.timeoutMs;
    }
    switch (request.kind === 'long' ? 'long' : kindOf(request)) {
      case 'write':
        return this.#timeouts.writeMs;
      case 'long':
        return this.#timeouts.longMs;
      default:
        return this.#timeouts.readMs;
    }
  }

  /**
   * Sends a request and resolves with the 2xx response (its body unread), or rejects with a
   * typed error. Reads are retried on retryable errors; writes are sent once.
   */
  async request(request: HttpRequest): Promise<Response> {
    const isWrite = kindOf(request) === 'write';
    const attempts = isWrite ? 1 : Math.max(1, this.#retry.attempts);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#attempt(request, attempt, isWrite);
      } catch (error) {
        const isRetryable = OpenAlgoError.isInstance(error) && error.retryable;
        if (!isRetryable || attempt >= attempts || request.signal?.aborted) {
          throw error;
        }
        const wait = this.#backoff(attempt, error.context.retryAfterMs);
        this.#settings.logger?.warn(
          {
            broker: this.broker,
            operation: request.label ?? request.operation,
            attempt,
            waitMs: Math.round(wait),
            code: error.code,
          },
          'broker read failed, retrying',
        );
        await this.#sleep(wait, request.signal);
      }
    }
  }

  /** Sends a request and reads the 2xx body as text (callers parse it with their own schema). */
  async requestText(request: HttpRequest): Promise<{ response: Response; text: string }> {
    const response = await this.request(request);
    return { response, text: await response.text() };
  }

  #backoff(attempt: number, hinted: unknown): number {
    const backoff = this.#retry.baseDelayMs * 2 ** (attempt - 1);
    const jittered = backoff / 2 + this.#random() * (backoff / 2);
    const wanted = typeof hinted === 'number' ? Math.max(hinted, jittered) : jittered;
    return Math.min(this.#retry.maxDelayMs, wanted);
  }

  #url(request: HttpRequest): string {
    const url = new URL(`${this.baseUrl}${request.path}`);
    for (const [name, value] of request.query ? toEntries(request.query) : []) {
      url.searchParams.append(name, value);
    }
    return url.toString();
  }

  async #attempt(request: HttpRequest, attempt: number, isWrite: boolean): Promise<Response> {
    const label = request.label ?? request.operation;
    const queuedMs = this.rateLimiter
      ? (await this.rateLimiter.acquire(request.operation, request.rateKey, request.signal)).waitedMs
      : 0;
    const headers: Record<string, string> = { ...this.#settings.headers, ...request.headers };
    let body: string | Uint8Array | undefined = request.body;
    if (request.form !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(toEntries(request.form)).toString();
    } else if (request.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(request.json);
    }
    const timeoutMs = this.timeoutFor(request);
    const isStreamed = Boolean(this.#settings.fetch) || request.kind === 'long';
    const deadline = isStreamed
      ? streamDeadline(timeoutMs, request.signal)
      : callDeadline(timeoutMs, request.signal);
    const { signal } = deadline;
    const path = request.path.split('?')[0] ?? request.path;
    const started = performance.now();
    const report = (status: number | null, outcome: LatencySample['outcome']) => {
      this.#settings.onLatency?.({
        operation: request.operation,
        label,
        method: request.method,
        path,
        status,
        outcome,
        durationMs: performance.now() - started,
        attempt,
        queuedMs,
      });
    };
    let response: Response;
    try {
      const init: FetchInit = { method: request.method, headers, signal };
      if (body !== undefined) {
        init.body = body;
      }
      if (this.#settings.dispatcher) {
        init.dispatcher = this.#settings.dispatcher;
      }
      response = isStreamed
        ? await this.#fetch(this.#url(request), init)
        : await sendBuffered(this.#url(request), init);
    } catch (error) {
      const isTimeout = deadline.isTimeout();
      const isCallerAbort = !isTimeout && request.signal?.aborted === true;
      deadline.done();
      report(null, isTimeout ? 'timeout' : isCallerAbort ? 'aborted' : 'network');
      throw toTransportError({
        error,
        operation: label,
        broker: this.broker,
        isWrite,
        isTimeout,
        isCallerAbort,
        timeoutMs,
      });
    }
    deadline.done();
    if (response.ok) {
      report(response.status, 'ok');
      this.#settings.logger?.debug(
        { broker: this.broker, operation: label, method: request.method, path, status: response.status },
        'broker request',
      );
      return response;
    }
    const bodyText = await response.text().catch(() => '');
    report(response.status, 'http-error');
    const retryAfter = retryAfterMs(response.headers, this.#now());
    const mapped = this.#settings.mapError?.({
      status: response.status,
      headers: response.headers,
      bodyText,
      request,
      retryAfterMs: retryAfter,
    });
    throw (
      mapped ??
      errorFromStatus({
        status: response.status,
        bodyText,
        operation: label,
        broker: this.broker,
        isWrite,
        retryAfterMs: retryAfter,
      })
    );
  }
}

interface Deadline {
  signal: AbortSignal;
  isTimeout(): boolean;
  /** The call is over: its timer and listener go. */
  done(): void;
}

/**
 * A call whose answer is read in full before it returns: one controller, one timer cleared at
 * the end, the caller's signal followed by a listener (a tenth of the cost of
 * `AbortSignal.timeout` + `AbortSignal.any`, and no timer left pending for the full timeout).
 */
function callDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let isTimeout = false;
  const timer = setTimeout(() => {
    isTimeout = true;
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const follow = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) {
    follow();
  } else {
    callerSignal?.addEventListener('abort', follow, { once: true });
  }
  return {
    signal: controller.signal,
    isTimeout: () => isTimeout,
    done: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', follow);
    },
  };
}

/** A call whose body the caller reads later (streamed): the deadline keeps running until then. */
function streamDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout,
    isTimeout: () => timeout.aborted,
    done: () => undefined,
  };
}

/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A request through undici's `request` — a fraction of `fetch`'s cost before the bytes leave
 * (no WHATWG Request, no body stream) — with its body read in full and handed over as a
 * `Response`, so callers see the same thing either way. Long calls (instrument dumps) keep
 * `fetch`, whose body streams.
 */
async function sendBuffered(url: string, init: FetchInit): Promise<Response> {
  const answer = await undiciRequest(url, {
    method: init.method,
    headers: init.headers,
    signal: init.signal,
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}),
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) {
      for (const item of value) {
        headers.append(name, item);
      }
    } else if (value !== undefined) {
      headers.append(name, value);
    }
  }
  if (init.method === 'HEAD' || NULL_BODY_STATUSES.has(answer.statusCode)) {
    await answer.body.dump();
    return new Response(null, { status: answer.statusCode, headers });
  }
  return new Response(await answer.body.arrayBuffer(), { status: answer.statusCode, headers });
}

export function createHttpClient(settings: HttpClientSettings): HttpClient {
  return new HttpClient(settings);
}
