import { CookieJar } from 'tough-cookie';
import { readResponse, type TestResponse } from './test-app.js';

export interface WebResponse extends TestResponse {
  headers: Headers;
  setCookies: string[];
}

export interface WebRequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the CSRF token this client holds (default: on mutating requests). */
  csrf?: boolean;
  /** Aborts the request (a deadline: `AbortSignal.timeout(ms)`). */
  signal?: AbortSignal;
}

/**
 * A browser-like client for tests: a real cookie jar (RFC 6265: path, expiry, httpOnly are
 * honoured) over real HTTP, remembering the CSRF token the api hands out.
 */
export class WebClient {
  readonly jar = new CookieJar();
  csrfToken: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: WebRequestOptions = {}): Promise<WebResponse> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { ...options.headers };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) {
      headers.cookie = cookie;
    }
    const isMutating = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    if ((options.csrf ?? isMutating) && this.csrfToken) {
      headers['x-csrf-token'] = this.csrfToken;
    }
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.body !== undefined
        ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
        : {}),
    });
    const setCookies = response.headers.getSetCookie();
    for (const header of setCookies) {
      await this.jar.setCookie(header, url);
    }
    const result = await readResponse(response);
    const csrf = (result.json as { data?: { csrf_token?: unknown } } | undefined)?.data?.csrf_token;
    if (typeof csrf === 'string') {
      this.csrfToken = csrf;
    }
    return { ...result, headers: response.headers, setCookies };
  }

  get(path: string, options?: WebRequestOptions): Promise<WebResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, body: unknown = {}, options: WebRequestOptions = {}): Promise<WebResponse> {
    return this.request('POST', path, { ...options, body });
  }

  delete(path: string, options?: WebRequestOptions): Promise<WebResponse> {
    return this.request('DELETE', path, options);
  }

  async login(username: string, password: string): Promise<WebResponse> {
    return this.post('/web/login', { username, password });
  }

  /** The session cookie's value, as the browser holds it. */
  async sessionToken(name = 'oa_session'): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(`${this.baseUrl}/web/session`);
    return cookies.find((cookie) => cookie.key === name)?.value;
  }

  async setSessionToken(value: string, name = 'oa_session'): Promise<void> {
    await this.jar.setCookie(`${name}=${value}; Path=/web`, `${this.baseUrl}/web/session`);
  }
}
