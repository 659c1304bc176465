import type { z } from 'zod';

/**
 * A small typed fetch layer over the api's web door. Each operation names its method, path,
 * request schema and response schema (from `@openalgo/shared-types`): the body is validated
 * before it is sent, the answer is validated where it enters the app, and the types of both
 * are inferred from the schemas. Authenticated by the session cookie; every mutating request
 * carries the CSRF token. The browser never holds or sends the API key.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Operation<Request extends z.ZodType | undefined, Response extends z.ZodType> {
  method: HttpMethod;
  path: string;
  request: Request;
  response: Response;
}

export function defineOperation<
  Response extends z.ZodType,
  Request extends z.ZodType | undefined = undefined,
>(operation: {
  method: HttpMethod;
  path: string;
  response: Response;
  request?: Request;
}): Operation<Request, Response> {
  return { ...operation, request: operation.request as Request };
}

export type RequestOf<O> =
  O extends Operation<infer Request, z.ZodType>
    ? Request extends z.ZodType
      ? z.input<Request>
      : undefined
    : never;
export type ResponseOf<O> =
  O extends Operation<z.ZodType | undefined, infer Response> ? z.output<Response> : never;

export type ApiErrorKind = 'http' | 'network' | 'bad-response' | 'bad-request';

/** A failed call, with the server's own message whenever it sent one. */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly body: unknown;
  constructor(
    kind: ApiErrorKind,
    message: string,
    options: { status?: number; body?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.status = options.status ?? 0;
    this.body = options.body;
  }

  get isUnauthenticated(): boolean {
    return this.kind === 'http' && this.status === 401;
  }
}

/** Flattens OpenAlgo's field-error map (`{quantity: ['…']}`) into one readable line. */
export function describeFieldErrors(errors: unknown, prefix = ''): string[] {
  if (Array.isArray(errors)) {
    return [`${prefix ? `${prefix}: ` : ''}${errors.map(String).join(' ')}`];
  }
  if (errors && typeof errors === 'object') {
    return Object.entries(errors as Record<string, unknown>).flatMap(([key, value]) =>
      describeFieldErrors(value, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [String(errors)];
}

/** The message of an error body in any of OpenAlgo's envelopes (api-v1 §2.6). */
export function messageOf(body: unknown, fallback: string): string {
  if (!body || typeof body !== 'object') {
    return fallback;
  }
  const record = body as Record<string, unknown>;
  const message = record.message;
  const details = record.errors ? describeFieldErrors(record.errors).join('; ') : '';
  if (typeof message === 'string' && message.length > 0) {
    return details ? `${message}: ${details}` : message;
  }
  if (message && typeof message === 'object') {
    return describeFieldErrors(message).join('; ');
  }
  if (typeof record.error === 'string') {
    return record.error;
  }
  return fallback;
}

const MUTATING: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Called when the server says the session is gone (401), so the app can go to the login page. */
  onUnauthenticated?: () => void;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

export class ApiClient {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #onUnauthenticated: (() => void) | undefined;
  #csrfToken: string | null = null;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#onUnauthenticated = options.onUnauthenticated;
  }

  /** The token `GET /web/session` hands out; sent as `x-csrf-token` on every mutating request. */
  setCsrfToken(token: string | null): void {
    this.#csrfToken = token;
  }

  url(path: string, query?: CallOptions['query']): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') {
        search.set(name, String(value));
      }
    }
    const text = search.toString();
    return `${this.baseUrl}${path}${text ? `?${text}` : ''}`;
  }

  async call<O extends Operation<z.ZodType | undefined, z.ZodType>>(
    operation: O,
    ...[input, options]: RequestOf<O> extends undefined
      ? [input?: undefined, options?: CallOptions]
      : [input: RequestOf<O>, options?: CallOptions]
  ): Promise<ResponseOf<O>> {
    let body: string | undefined;
    if (operation.request) {
      const checked = operation.request.safeParse(input ?? {});
      if (!checked.success) {
        const message = checked.error.issues
          .map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`)
          .join('; ');
        throw new ApiError('bad-request', message, { body: input });
      }
      body = JSON.stringify(checked.data);
    } else if (MUTATING.has(operation.method)) {
      body = '{}';
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (MUTATING.has(operation.method) && this.#csrfToken) {
      headers['x-csrf-token'] = this.#csrfToken;
    }
    let response: Response;
    try {
      response = await this.#fetch(this.url(operation.path, options?.query), {
        method: operation.method,
        headers,
        body,
        credentials: 'include',
        signal: options?.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        throw error;
      }
      throw new ApiError('network', 'The server cannot be reached. Check your connection.', { cause: error });
    }
    const text = await response.text();
    let json: unknown = null;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = text.trim();
      }
    }
    const isErrorBody =
      !!json && typeof json === 'object' && (json as Record<string, unknown>).status === 'error';
    if (!response.ok || isErrorBody) {
      const fallback =
        typeof json === 'string' && json.length > 0 && json.length < 300
          ? json
          : `${operation.method} ${operation.path} failed (${response.status})`;
      const error = new ApiError('http', messageOf(json, fallback), { status: response.status, body: json });
      if (error.isUnauthenticated) {
        this.#onUnauthenticated?.();
      }
      throw error;
    }
    const parsed = operation.response.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`)
        .join('; ');
      throw new ApiError('bad-response', `Unexpected answer from ${operation.path}: ${where}`, {
        status: response.status,
        body: json,
      });
    }
    return parsed.data as ResponseOf<O>;
  }
}
