import { BadResponseError, type BrokerLimits, type BrokerOperation, type Logger } from '@openalgo/broker-sdk';
import { type CallKind, type FetchLike, HttpClient, type LatencySample } from '@openalgo/broker-sdk/http';
import { errorFromKite } from './errors.js';
import { VERSION } from './version.js';

/**
 * The one door to Kite's REST API. The transport is `@openalgo/broker-sdk/http` (timeouts per
 * call kind, reads retried on transient errors honouring Retry-After, writes sent once, Kite's
 * published rate limits enforced by queueing, typed transport errors); this file adds what is
 * Kite's own: the headers, the error table for non-2xx answers and the `{status, data}` envelope.
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
  fetch: FetchLike | undefined;
  logger: Logger;
  timeouts: KiteTimeouts;
  retry: KiteRetry;
  /** Kite's published rate buckets; `undefined` sends without queueing. */
  rate: BrokerLimits['rate'] | undefined;
  onLatency?: ((sample: LatencySample) => void) | undefined;
}

/** Our finer operation names → the metered operations of `ZERODHA_LIMITS.rate`. */
const METERED: Readonly<Record<string, BrokerOperation>> = {
  placeGtt: 'gtt',
  modifyGtt: 'gtt',
  cancelGtt: 'gtt',
  fetchGtts: 'gtt',
  calculateMargin: 'margin',
  completeLogin: 'auth',
  validateSession: 'auth',
  logout: 'auth',
};

const OWN: ReadonlySet<string> = new Set<BrokerOperation>([
  'placeOrder',
  'modifyOrder',
  'cancelOrder',
  'fetchOrders',
  'fetchOrder',
  'fetchTrades',
  'fetchPositions',
  'fetchHoldings',
  'fetchFunds',
  'fetchQuotes',
  'fetchDepth',
  'fetchHistory',
  'instruments',
]);

function meteredOperation(operation: string): BrokerOperation {
  return METERED[operation] ?? (OWN.has(operation) ? (operation as BrokerOperation) : 'other');
}

const KINDS: Readonly<Record<KiteCallKind, CallKind>> = {
  write: 'write',
  read: 'read',
  history: 'read',
  instruments: 'long',
};

export class KiteHttpClient {
  readonly #options: KiteHttpOptions;
  readonly #http: HttpClient;

  constructor(options: KiteHttpOptions) {
    this.#options = options;
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      broker: 'zerodha',
      ...(options.fetch ? { fetch: options.fetch } : {}),
      headers: { 'X-Kite-Version': '3', 'User-Agent': `openalgo-ts-zerodha/${VERSION}` },
      timeouts: {
        writeMs: options.timeouts.writeMs,
        readMs: options.timeouts.readMs,
        longMs: options.timeouts.instrumentsMs,
      },
      retry: options.retry,
      ...(options.rate ? { rateLimit: options.rate } : {}),
      logger: options.logger,
      onLatency: (sample) => {
        options.logger.debug(
          {
            operation: sample.label,
            method: sample.method,
            path: sample.path,
            status: sample.status,
            ms: Math.round(sample.durationMs),
            ...(sample.queuedMs > 0 ? { queuedMs: sample.queuedMs } : {}),
          },
          'kite request',
        );
        options.onLatency?.(sample);
      },
      mapError: ({ status, bodyText, request, retryAfterMs }) => {
        let errorType: string | undefined;
        let message: string | undefined;
        try {
          const body = JSON.parse(bodyText) as { error_type?: unknown; message?: unknown };
          errorType = typeof body.error_type === 'string' ? body.error_type : undefined;
          message = typeof body.message === 'string' ? body.message : undefined;
        } catch {
          // Not JSON (a gateway page): classify by HTTP status alone.
          message = bodyText.trim().slice(0, 200) || undefined;
        }
        const isWrite = request.kind === 'write';
        return errorFromKite({
          httpStatus: status,
          errorType,
          message,
          operation: request.label ?? request.operation,
          retryAfterMs,
          // Writes are never retried; after a 5xx the order service reconciles with the book.
          mayHaveReachedBroker: isWrite ? status >= 500 : undefined,
        });
      },
    });
  }

  get apiKey(): string {
    return this.#options.apiKey;
  }

  /** Sends a call and returns the envelope's `data` (unvalidated: callers parse it with zod). */
  async requestData(call: KiteCall): Promise<unknown> {
    const response = await this.#send(call);
    return this.#readEnvelope(call, response.status, await response.text());
  }

  /** Sends a call whose success answer is a file (the CSV dump) and returns the open response. */
  async requestFile(call: KiteCall): Promise<Response> {
    const response = await this.#send(call);
    if (/json/i.test(response.headers.get('content-type') ?? '')) {
      // Kite answers errors (and only errors) with JSON on file endpoints.
      this.#readEnvelope(call, response.status, await response.text());
      throw new BadResponseError('Kite answered JSON where a file was expected', {
        context: { broker: 'zerodha', operation: call.operation },
      });
    }
    return response;
  }

  #send(call: KiteCall): Promise<Response> {
    const headers: Record<string, string> = {};
    if (call.accessToken !== undefined) {
      headers.Authorization = `token ${this.#options.apiKey}:${call.accessToken}`;
    }
    return this.#http.request({
      method: call.method,
      path: call.path,
      ...(call.query ? { query: call.query } : {}),
      ...(call.form ? { form: call.form } : {}),
      ...(call.json !== undefined ? { json: call.json } : {}),
      headers,
      operation: meteredOperation(call.operation),
      label: call.operation,
      kind: KINDS[call.kind],
      ...(call.kind === 'history' ? { timeoutMs: this.#options.timeouts.historyMs } : {}),
      // Kite meters per account: one queue per session.
      ...(call.accessToken ? { rateKey: call.accessToken } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    });
  }

  #readEnvelope(call: KiteCall, status: number, text: string): unknown {
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
        httpStatus: status,
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
