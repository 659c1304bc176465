import {
  BadResponseError,
  type Logger,
  NetworkError,
  OpenAlgoError,
  RequestTimeoutError,
} from '@openalgo/broker-sdk';
import { errorFromKite } from './errors.js';
import { VERSION } from './version.js';

/**
 * The one door to Kite's REST API: headers, bodies, timeouts, read retries and the error
 * envelope. Shaped like the broker-sdk HTTP helper (per-kind timeouts, reads retried on
 * transient errors honouring Retry-After, writes never retried), so swapping it in is a
 * change to this file only.
 */

export type KiteCallKind = 'write' | 'read' | 'history' | 'instruments';

export interface KiteTimeouts {
  /** Order placement, modification, cancellation, GTT writes. Default 10 s. */
  writeMs: number;
  /** Books, quotes, margins. Default 15 s. */
  readMs: number;
  /** History chunks. Default 30 s. */
  historyMs: number;
  /** The instrument dump (tens of megabytes). Default 120 s. */
  instrumentsMs: number;
}

export interface KiteRetry {
  /** Total attempts for reads (writes always get one). Default 3. */
  attempts: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 250 ms. */
  baseDelayMs: number;
  /** Longest single wait, Retry-After included. Default 5 s. */
  maxDelayMs: number;
}

export const DEFAULT_TIMEOUTS: KiteTimeouts = {
  writeMs: 10_000,
  readMs: 15_000,
  historyMs: 30_000,
  instrumentsMs: 120_000,
};

export const DEFAULT_RETRY: KiteRetry = { attempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };

export type FormEntries = ReadonlyArray<readonly [string, string]>;

export interface KiteCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: FormEntries;
  form?: FormEntries;
  json?: unknown;
  /** Omitted only for the token exchange. */
  accessToken?: string;
  kind: KiteCallKind;
  /** Our operation name, for logs and error context. */
  operation: string;
  signal?: AbortSignal | undefined;
}

export interface KiteHttpOptions {
  apiKey: string;
  baseUrl: string;
  fetch: typeof fetch;
  logger: Logger;
  timeouts: KiteTimeouts;
  retry: KiteRetry;
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET_BEFORE_SEND']);

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export class KiteHttpClient {
  readonly #options: KiteHttpOptions;

  constructor(options: KiteHttpOptions) {
    this.#options = options;
  }

  get apiKey(): string {
    return this.#options.apiKey;
  }

  /** Sends a call and returns the envelope's `data` (unvalidated: callers parse it with zod). */
  async requestData(call: KiteCall): Promise<unknown> {
    const response = await this.#send(call, 'json');
    return this.#readEnvelope(call, response);
  }

  /** Sends a call whose success answer is a file (the CSV dump) and returns the open response. */
  async requestFile(call: KiteCall): Promise<Response> {
    return this.#send(call, 'file');
  }

  async #send(call: KiteCall, expect: 'json' | 'file'): Promise<Response> {
    const attempts = call.kind === 'write' ? 1 : Math.max(1, this.#options.retry.attempts);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const response = await this.#sendOnce(call);
        if (!response.ok) {
          // Errors are read and thrown here so reads can retry transient ones.
          throw await this.#errorFromResponse(call, response);
        }
        if (expect === 'file' && /json/i.test(response.headers.get('content-type') ?? '')) {
          // Kite answers errors (and only errors) with JSON on file endpoints.
          await this.#readEnvelope(call, response);
          throw new BadResponseError('Kite answered JSON where a file was expected', {
            context: { broker: 'zerodha', operation: call.operation },
          });
        }
        return response;
      } catch (error) {
        lastError = error;
        const isRetryable = OpenAlgoError.isInstance(error) && error.retryable;
        if (!isRetryable || attempt === attempts || call.signal?.aborted) {
          throw error;
        }
        const hinted = OpenAlgoError.isInstance(error) ? error.context.retryAfterMs : undefined;
        const backoff = this.#options.retry.baseDelayMs * 2 ** (attempt - 1);
        const jittered = backoff / 2 + Math.random() * backoff;
        const wait = Math.min(
          this.#options.retry.maxDelayMs,
          typeof hinted === 'number' ? Math.max(hinted, jittered) : jittered,
        );
        this.#options.logger.warn(
          {
            operation: call.operation,
            attempt,
            waitMs: Math.round(wait),
            code: (error as OpenAlgoError).code,
          },
          'kite read failed, retrying',
        );
        await delay(wait, call.signal);
      }
    }
    throw lastError;
  }

  async #sendOnce(call: KiteCall): Promise<Response> {
    const url = new URL(`${this.#options.baseUrl}${call.path}`);
    for (const [name, value] of call.query ?? []) {
      url.searchParams.append(name, value);
    }
    const headers: Record<string, string> = {
      'X-Kite-Version': '3',
      'User-Agent': `openalgo-ts-zerodha/${VERSION}`,
    };
    if (call.accessToken !== undefined) {
      headers.Authorization = `token ${this.#options.apiKey}:${call.accessToken}`;
    }
    let body: string | undefined;
    if (call.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form as Array<[string, string]>).toString();
    } else if (call.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.json);
    }
    const timeoutMs = this.#timeoutFor(call.kind);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const started = performance.now();
    try {
      const response = await this.#options.fetch(url, { method: call.method, headers, body, signal });
      this.#options.logger.debug(
        {
          operation: call.operation,
          method: call.method,
          path: url.pathname,
          status: response.status,
          ms: Math.round(performance.now() - started),
        },
        'kite request',
      );
      return response;
    } catch (error) {
      throw this.#transportError(call, error, timeout.aborted, timeoutMs);
    }
  }

  #timeoutFor(kind: KiteCallKind): number {
    switch (kind) {
      case 'write':
        return this.#options.timeouts.writeMs;
      case 'history':
        return this.#options.timeouts.historyMs;
      case 'instruments':
        return this.#options.timeouts.instrumentsMs;
      default:
        return this.#options.timeouts.readMs;
    }
  }

  #transportError(call: KiteCall, error: unknown, isTimeout: boolean, timeoutMs: number): OpenAlgoError {
    const isWrite = call.kind === 'write';
    if (call.signal?.aborted && !isTimeout) {
      return new NetworkError(`Kite call ${call.operation} was aborted`, {
        cause: error,
        retryable: false,
        context: { broker: 'zerodha', operation: call.operation, mayHaveReachedBroker: isWrite },
      });
    }
    if (isTimeout) {
      return new RequestTimeoutError(`Kite did not answer ${call.operation} within ${timeoutMs} ms`, {
        cause: error,
        // A write that timed out may have reached Kite: the order service reconciles, never retries.
        retryable: !isWrite,
        context: { broker: 'zerodha', operation: call.operation, timeoutMs, mayHaveReachedBroker: isWrite },
      });
    }
    const code = errorCode(error);
    const isConnectFailure = code !== undefined && CONNECT_FAILURES.has(code);
    return new NetworkError(`Kite could not be reached for ${call.operation}: ${code ?? String(error)}`, {
      cause: error,
      retryable: !isWrite || isConnectFailure,
      context: {
        broker: 'zerodha',
        operation: call.operation,
        code: code ?? null,
        mayHaveReachedBroker: isWrite && !isConnectFailure,
      },
    });
  }

  async #errorFromResponse(call: KiteCall, response: Response): Promise<OpenAlgoError> {
    const text = await response.text().catch(() => '');
    let errorType: string | undefined;
    let message: string | undefined;
    try {
      const body = JSON.parse(text) as { error_type?: unknown; message?: unknown };
      errorType = typeof body.error_type === 'string' ? body.error_type : undefined;
      message = typeof body.message === 'string' ? body.message : undefined;
    } catch {
      // Not JSON (a gateway page): classify by HTTP status alone.
      message = text.trim().slice(0, 200) || undefined;
    }
    return errorFromKite({
      httpStatus: response.status,
      errorType,
      message,
      operation: call.operation,
      retryAfterMs: retryAfterMs(response),
      // Writes are never retried here; after a 5xx the order service reconciles with the book.
      mayHaveReachedBroker: call.kind === 'write' ? response.status >= 500 : undefined,
    });
  }

  async #readEnvelope(call: KiteCall, response: Response): Promise<unknown> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new BadResponseError(`Kite answered ${call.operation} with malformed JSON`, {
        cause: error,
        context: { broker: 'zerodha', operation: call.operation, body: text.slice(0, 500) },
      });
    }
    if (typeof body !== 'object' || body === null) {
      throw new BadResponseError(`Kite answered ${call.operation} with a non-object body`, {
        context: { broker: 'zerodha', operation: call.operation, body: text.slice(0, 500) },
      });
    }
    const envelope = body as { status?: unknown; data?: unknown; error_type?: unknown; message?: unknown };
    if (envelope.status === 'error' || typeof envelope.error_type === 'string') {
      throw errorFromKite({
        httpStatus: response.status,
        errorType: typeof envelope.error_type === 'string' ? envelope.error_type : 'GeneralException',
        message: typeof envelope.message === 'string' ? envelope.message : undefined,
        operation: call.operation,
      });
    }
    if (envelope.status !== 'success' || !('data' in envelope)) {
      throw new BadResponseError(`Kite answered ${call.operation} without a success envelope`, {
        context: { broker: 'zerodha', operation: call.operation, body: text.slice(0, 500) },
      });
    }
    return envelope.data;
  }
}
