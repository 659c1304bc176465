import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Dec, toDecimal } from '@openalgo/shared-types/decimal';
import { type WebSocket, WebSocketServer } from 'ws';
import { FakeExchange, type FakeGtt, type FakeOrder, KiteApiError } from './exchange.js';
import {
  buildUniverse,
  type CalendarDate,
  type FakeInstrument,
  KITE_CSV_HEADER,
  toCsvLine,
} from './instruments.js';
import { FakeMarket, IST_OFFSET_MS, istText, KITE_HISTORY_INTERVALS, parseIstText, wire } from './market.js';
import { encodeFrame, encodePacket, type KiteWireMode } from './ticker-encoder.js';

/**
 * A fake of Kite Connect v3 built from Kite's public documentation: the REST API (auth headers,
 * envelopes, error types and HTTP codes, rate-limit answers, token expiry), the login redirect,
 * the instrument dump, and the binary ticker WebSocket with order updates. Listens on
 * 127.0.0.1, port 0. Tests drive it through `control` and read `requests`.
 */

export interface FakeKiteServerOptions {
  apiKey?: string;
  apiSecret?: string;
  userId?: string;
  /** The app's registered redirect URL: the login page sends the browser there. */
  redirectUrl?: string;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Rows in the instrument dump. Default 40,000. */
  instrumentCount?: number;
  /** Opening cash balance (decimal text). Default 1,000,000. */
  openingBalance?: string;
  /** `auto` (default): prices drive fills. `manual`: orders rest until `control.fillOrder`. */
  matching?: 'auto' | 'manual';
  /** Ticker heartbeat period. Default 1,000 ms; `0` disables it. */
  heartbeatMs?: number;
  /** Kite's caps: instruments per ticker connection (3,000) and connections per API key (3). */
  maxInstrumentsPerConnection?: number;
  maxTickerConnections?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Array<[string, string]>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Form fields in the order sent (form-encoded bodies). */
  form: Array<[string, string]> | null;
  /** Parsed JSON body. */
  json: unknown;
  at: number;
}

export interface FaultRule {
  method?: string;
  /** Exact path or a pattern. */
  path?: string | RegExp;
  /** HTTP status to answer. */
  status: number;
  /** Kite's `error_type` (default by status: 429/5xx NetworkException, 403 TokenException, …). */
  errorType?: string;
  message?: string;
  /** `envelope` (default), `malformed` JSON, an `html` gateway page, or an `empty` body. */
  body?: 'envelope' | 'malformed' | 'html' | 'empty';
  retryAfterSeconds?: number;
  /** How many matching requests fail. Default 1. */
  count?: number;
}

export interface DelayRule {
  method?: string;
  path?: string | RegExp;
  ms: number;
  count?: number;
}

export interface TickerClientInfo {
  accessToken: string;
  modes: Map<number, KiteWireMode>;
}

interface TickerClient extends TickerClientInfo {
  socket: WebSocket;
  heartbeat: ReturnType<typeof setInterval> | undefined;
}

interface Session {
  accessToken: string;
  publicToken: string;
  expiresAt: number;
  isRevoked: boolean;
}

interface Reply {
  status: number;
  json?: unknown;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'InputException',
  403: 'TokenException',
  404: 'GeneralException',
  429: 'NetworkException',
  500: 'GeneralException',
  502: 'NetworkException',
  503: 'NetworkException',
  504: 'NetworkException',
};

function success(data: unknown): Reply {
  return { status: 200, json: { status: 'success', data } };
}

function failure(status: number, errorType: string, message: string): Reply {
  return { status, json: { status: 'error', message, data: null, error_type: errorType } };
}

function matches(rule: { method?: string; path?: string | RegExp }, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) {
    return false;
  }
  if (rule.path === undefined) {
    return true;
  }
  return typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
}

function randomToken(length = 32): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) {
    text += alphabet[byte % alphabet.length];
  }
  return text;
}

function calendarDate(epochMs: number): CalendarDate {
  const local = new Date(epochMs + IST_OFFSET_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

const csvCache = new Map<FakeInstrument[], { plain: Buffer; gzip: Buffer }>();

function instrumentCsv(instruments: FakeInstrument[]): { plain: Buffer; gzip: Buffer } {
  let cached = csvCache.get(instruments);
  if (!cached) {
    const lines = [KITE_CSV_HEADER];
    for (const instrument of instruments) {
      lines.push(toCsvLine(instrument));
    }
    const plain = Buffer.from(`${lines.join('\n')}\n`);
    cached = { plain, gzip: gzipSync(plain, { level: 1 }) };
    csvCache.set(instruments, cached);
  }
  return cached;
}

/** Reads a body; form-encoded unless the client says JSON. */
async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class FakeKiteServer {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly userId: string;
  readonly requests: RecordedRequest[] = [];
  readonly market: FakeMarket;
  readonly exchange: FakeExchange;
  readonly instruments: FakeInstrument[];
  readonly #options: Required<Omit<FakeKiteServerOptions, 'redirectUrl' | 'apiKey' | 'apiSecret' | 'userId'>>;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Session>();
  readonly #requestTokens = new Map<string, number>();
  readonly #faults: Array<FaultRule & { remaining: number }> = [];
  readonly #delays: Array<DelayRule & { remaining: number }> = [];
  readonly #rateLimits: Array<{ path: RegExp; perSecond: number; hits: number[] }> = [];
  readonly #tickerClients = new Set<TickerClient>();
  readonly #http: Server;
  readonly #tickerHttp: Server;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<Socket>();
  #redirectUrl: string | undefined;
  #baseUrl = '';
  #tickerUrl = '';

  constructor(options: FakeKiteServerOptions = {}) {
    this.apiKey = options.apiKey ?? 'kitefakeapikey';
    this.apiSecret = options.apiSecret ?? 'kite-fake-api-secret';
    this.userId = options.userId ?? 'ZR0001';
    this.#redirectUrl = options.redirectUrl;
    this.#now = options.now ?? Date.now;
    this.#options = {
      now: this.#now,
      instrumentCount: options.instrumentCount ?? 40_000,
      openingBalance: options.openingBalance ?? '1000000',
      matching: options.matching ?? 'auto',
      heartbeatMs: options.heartbeatMs ?? 1_000,
      maxInstrumentsPerConnection: options.maxInstrumentsPerConnection ?? 3_000,
      maxTickerConnections: options.maxTickerConnections ?? 3,
    };
    this.instruments = buildUniverse({
      today: calendarDate(this.#now()),
      count: this.#options.instrumentCount,
    });
    this.market = new FakeMarket(this.instruments, this.#now);
    this.exchange = new FakeExchange({
      market: this.market,
      now: this.#now,
      userId: this.userId,
      openingBalance: toDecimal(this.#options.openingBalance),
      matching: this.#options.matching,
      onOrderEvent: (row) => this.#broadcastOrder(row),
    });
    this.#http = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
        }
        response.end(
          JSON.stringify({
            status: 'error',
            message: String(error),
            data: null,
            error_type: 'GeneralException',
          }),
        );
      });
    });
    this.#tickerHttp = createServer((_request, response) => {
      response.writeHead(426).end('Upgrade Required');
    });
    this.#wss = new WebSocketServer({ noServer: true });
    this.#tickerHttp.on('upgrade', (request, socket, head) => this.#upgrade(request, socket as Socket, head));
    for (const server of [this.#http, this.#tickerHttp]) {
      server.on('connection', (socket: Socket) => {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
      });
    }
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  get loginUrl(): string {
    return `${this.#baseUrl}/connect/login`;
  }

  get tickerUrl(): string {
    return this.#tickerUrl;
  }

  async listen(): Promise<void> {
    const listen = (server: Server) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      });
    this.#baseUrl = `http://127.0.0.1:${await listen(this.#http)}`;
    this.#tickerUrl = `ws://127.0.0.1:${await listen(this.#tickerHttp)}`;
  }

  async close(): Promise<void> {
    for (const client of this.#tickerClients) {
      clearInterval(client.heartbeat);
      client.socket.terminate();
    }
    this.#tickerClients.clear();
    this.#wss.close();
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await Promise.all(
      [this.#http, this.#tickerHttp].map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      ),
    );
  }

  // ------------------------------------------------------------------ control

  readonly control = {
    /** What Kite's login page would hand the redirect URL after a successful login. */
    issueRequestToken: (): string => {
      const token = randomToken();
      this.#requestTokens.set(token, this.#now() + 5 * 60_000);
      return token;
    },
    /** A valid access token without the login dance. */
    createSession: (): string => this.#createSession().accessToken,
    /** Every session stops working, as at Kite's daily expiry; ticker sockets are dropped. */
    expireSessions: (): void => {
      for (const session of this.#sessions.values()) {
        session.expiresAt = this.#now() - 1;
      }
      for (const client of this.#tickerClients) {
        client.socket.close(1000, 'session expired');
      }
    },
    setRedirectUrl: (url: string): void => {
      this.#redirectUrl = url;
    },
    /** The next matching request(s) fail with this answer. */
    failNext: (rule: FaultRule): void => {
      this.#faults.push({ ...rule, remaining: rule.count ?? 1 });
    },
    /** The next matching request(s) are answered late (a timeout when longer than the client waits). */
    delayNext: (rule: DelayRule): void => {
      this.#delays.push({ ...rule, remaining: rule.count ?? 1 });
    },
    /** Enforces a per-second cap on matching paths with Kite's 429 answer. */
    setRateLimit: (path: RegExp, perSecond: number): void => {
      this.#rateLimits.push({ path, perSecond, hits: [] });
    },
    clearFaults: (): void => {
      this.#faults.length = 0;
      this.#delays.length = 0;
      this.#rateLimits.length = 0;
    },
    instrument: (exchange: string, tradingsymbol: string): FakeInstrument => {
      const instrument = this.market.find(exchange, tradingsymbol);
      if (!instrument) {
        throw new Error(`fake Kite has no ${exchange}:${tradingsymbol}`);
      }
      return instrument;
    },
    /** Moves the last traded price: resting orders and GTTs are re-matched, subscribers get ticks. */
    setPrice: (exchange: string, tradingsymbol: string, price: string): void => {
      const instrument = this.control.instrument(exchange, tradingsymbol);
      this.market.setPrice(instrument, toDecimal(price));
      this.exchange.onPrice(instrument);
      this.#broadcastTicks([instrument.instrumentToken]);
    },
    /** Sends every subscriber the current state of its instruments. */
    pushTicks: (): void => this.#broadcastTicks(undefined),
    setAvailableCash: (amount: string): void => this.exchange.setAvailableCash(toDecimal(amount)),
    rejectNextOrder: (reason: string): void => this.exchange.rejectNextOrder(reason),
    fillOrder: (orderId: string, fill: { quantity?: number; price?: string } = {}): void => {
      const order = this.#order(orderId);
      const price = fill.price ? toDecimal(fill.price) : this.market.state(order.instrument).ltp;
      this.exchange.fill(order, fill.quantity ?? order.quantity - order.filledQuantity, price);
    },
    rejectOrder: (orderId: string, reason: string): void =>
      this.exchange.reject(this.#order(orderId), reason),
    addHolding: (
      exchange: string,
      tradingsymbol: string,
      quantity: number,
      averagePrice: string,
      t1Quantity = 0,
    ) => {
      this.exchange.holdings.push({
        instrument: this.control.instrument(exchange, tradingsymbol),
        quantity,
        t1Quantity,
        averagePrice: toDecimal(averagePrice),
      });
    },
    triggerGtt: (id: number, leg = 0): FakeOrder | undefined => {
      const gtt = this.exchange.gtts.get(id);
      return gtt ? this.exchange.triggerGtt(gtt, leg) : undefined;
    },
    order: (orderId: string): Record<string, unknown> => this.exchange.orderRow(this.#order(orderId)),
    /** Closes every ticker connection abruptly (clients should reconnect). */
    dropTickerConnections: (): void => {
      for (const client of this.#tickerClients) {
        client.socket.terminate();
      }
    },
    tickerClients: (): TickerClientInfo[] =>
      [...this.#tickerClients].map((client) => ({
        accessToken: client.accessToken,
        modes: new Map(client.modes),
      })),
    /** Sends raw data on every ticker connection (malformed-frame tests). */
    sendTickerRaw: (data: Buffer | string): void => {
      for (const client of this.#tickerClients) {
        client.socket.send(data);
      }
    },
    clearRequests: (): void => {
      this.requests.length = 0;
    },
  };

  #order(orderId: string): FakeOrder {
    const order = this.exchange.orders.get(orderId);
    if (!order) {
      throw new Error(`fake Kite has no order ${orderId}`);
    }
    return order;
  }

  #createSession(): Session {
    const session: Session = {
      accessToken: randomToken(),
      publicToken: randomToken(),
      expiresAt: nextSixAmIst(this.#now()),
      isRevoked: false,
    };
    this.#sessions.set(session.accessToken, session);
    return session;
  }

  #isValidSession(accessToken: string | undefined): boolean {
    const session = accessToken ? this.#sessions.get(accessToken) : undefined;
    return session !== undefined && !session.isRevoked && session.expiresAt > this.#now();
  }

  // ------------------------------------------------------------------ HTTP

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.kite');
    const method = (request.method ?? 'GET').toUpperCase();
    const raw = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : (value ?? '');
    }
    const contentType = headers['content-type'] ?? '';
    let form: URLSearchParams | null = null;
    let json: unknown;
    if (raw.length > 0 && /json/i.test(contentType)) {
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = undefined;
      }
    } else if (raw.length > 0) {
      form = new URLSearchParams(raw.toString('utf8'));
    }
    this.requests.push({
      method,
      path: url.pathname,
      query: [...url.searchParams.entries()],
      headers,
      form: form ? [...form.entries()] : null,
      json,
      at: this.#now(),
    });
    const delay = this.#delays.find((rule) => rule.remaining > 0 && matches(rule, method, url.pathname));
    if (delay) {
      delay.remaining -= 1;
      await new Promise((resolve) => setTimeout(resolve, delay.ms));
    }
    const reply =
      this.#fault(method, url.pathname) ??
      this.#rateLimit(url.pathname) ??
      (await this.#route(method, url, headers, form, json));
    const responseHeaders: Record<string, string> = { ...reply.headers };
    let body: Buffer | string;
    if (reply.json !== undefined) {
      responseHeaders['content-type'] ??= 'application/json';
      body = JSON.stringify(reply.json);
    } else {
      body = reply.body ?? '';
    }
    response.writeHead(reply.status, responseHeaders);
    response.end(body);
  }

  #fault(method: string, path: string): Reply | undefined {
    const rule = this.#faults.find((fault) => fault.remaining > 0 && matches(fault, method, path));
    if (!rule) {
      return undefined;
    }
    rule.remaining -= 1;
    const headers: Record<string, string> = {};
    if (rule.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(rule.retryAfterSeconds);
    }
    switch (rule.body) {
      case 'malformed':
        return {
          status: rule.status,
          body: '{"status": "success", "data": {',
          headers: { ...headers, 'content-type': 'application/json' },
        };
      case 'html':
        return {
          status: rule.status,
          body: `<html><body><h1>${rule.status} Bad Gateway</h1></body></html>`,
          headers: { ...headers, 'content-type': 'text/html' },
        };
      case 'empty':
        return { status: rule.status, body: '', headers };
      default: {
        const errorType = rule.errorType ?? DEFAULT_ERROR_TYPES[rule.status] ?? 'GeneralException';
        const message = rule.message ?? (rule.status === 429 ? 'Too many requests' : `Injected ${errorType}`);
        return { ...failure(rule.status, errorType, message), headers };
      }
    }
  }

  #rateLimit(path: string): Reply | undefined {
    const now = this.#now();
    for (const limit of this.#rateLimits) {
      if (!limit.path.test(path)) {
        continue;
      }
      limit.hits = limit.hits.filter((at) => now - at < 1_000);
      if (limit.hits.length >= limit.perSecond) {
        return failure(429, 'NetworkException', 'Too many requests');
      }
      limit.hits.push(now);
    }
    return undefined;
  }

  async #route(
    method: string,
    url: URL,
    headers: Record<string, string>,
    form: URLSearchParams | null,
    json: unknown,
  ): Promise<Reply> {
    const path = url.pathname;
    if (method === 'GET' && path === '/connect/login') {
      return this.#loginPage(url);
    }
    if (headers['x-kite-version'] !== '3') {
      return failure(
        400,
        'InputException',
        'Missing or invalid `X-Kite-Version` header: send X-Kite-Version: 3.',
      );
    }
    if (path === '/session/token' && method === 'POST') {
      return this.#exchangeToken(form ?? new URLSearchParams());
    }
    const accessToken = this.#authenticate(headers.authorization);
    if (accessToken === undefined) {
      return failure(403, 'TokenException', 'Incorrect `api_key` or `access_token`.');
    }
    try {
      return this.#authenticatedRoute(method, url, form ?? new URLSearchParams(), json, accessToken, headers);
    } catch (error) {
      if (error instanceof KiteApiError) {
        return failure(error.httpStatus, error.errorType, error.message);
      }
      throw error;
    }
  }

  #authenticate(header: string | undefined): string | undefined {
    const match = /^token ([^:]+):(.+)$/.exec(header ?? '');
    if (!match || match[1] !== this.apiKey || !this.#isValidSession(match[2])) {
      return undefined;
    }
    return match[2];
  }

  #loginPage(url: URL): Reply {
    if (url.searchParams.get('api_key') !== this.apiKey) {
      return {
        status: 400,
        body: '<html><body>Invalid `api_key`.</body></html>',
        headers: { 'content-type': 'text/html' },
      };
    }
    const requestToken = this.control.issueRequestToken();
    if (!this.#redirectUrl) {
      return {
        status: 200,
        body: `<html><body>Logged in. request_token=${requestToken}</body></html>`,
        headers: { 'content-type': 'text/html' },
      };
    }
    const target = new URL(this.#redirectUrl);
    target.searchParams.set('action', 'login');
    target.searchParams.set('type', 'login');
    target.searchParams.set('status', 'success');
    target.searchParams.set('request_token', requestToken);
    // Kite appends the app's redirect_params (URL-encoded query text) as they were sent.
    const extra = new URLSearchParams(url.searchParams.get('redirect_params') ?? '');
    for (const [name, value] of extra) {
      target.searchParams.set(name, value);
    }
    return { status: 302, headers: { location: target.toString() } };
  }

  #exchangeToken(form: URLSearchParams): Reply {
    const apiKey = form.get('api_key');
    const requestToken = form.get('request_token') ?? '';
    const checksum = form.get('checksum');
    if (apiKey !== this.apiKey) {
      return failure(403, 'TokenException', 'Invalid `api_key`.');
    }
    const expected = createHash('sha256')
      .update(this.apiKey + requestToken + this.apiSecret)
      .digest('hex');
    if (checksum !== expected) {
      return failure(400, 'InputException', 'Invalid `checksum`.');
    }
    const expiresAt = this.#requestTokens.get(requestToken);
    this.#requestTokens.delete(requestToken);
    if (expiresAt === undefined || expiresAt < this.#now()) {
      return failure(403, 'TokenException', 'Token is invalid or has expired.');
    }
    const session = this.#createSession();
    return success({
      user_type: 'individual',
      email: 'fake@example.com',
      user_name: 'Fake Kite User',
      user_shortname: 'Fake',
      broker: 'ZERODHA',
      exchanges: ['NSE', 'NFO', 'BFO', 'CDS', 'BSE', 'MCX', 'BCD', 'MF'],
      products: ['CNC', 'NRML', 'MIS', 'BO', 'CO'],
      order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
      avatar_url: null,
      user_id: this.userId,
      api_key: this.apiKey,
      access_token: session.accessToken,
      public_token: session.publicToken,
      refresh_token: '',
      enctoken: '',
      silo: '',
      login_time: istText(this.#now()),
      meta: { demat_consent: 'physical' },
    });
  }

  #authenticatedRoute(
    method: string,
    url: URL,
    form: URLSearchParams,
    json: unknown,
    accessToken: string,
    headers: Record<string, string>,
  ): Reply {
    const path = url.pathname;
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const route = `${method} /${parts.map((part, index) => (index > 0 && /^\d+$/.test(part) ? ':id' : part)).join('/')}`;
    switch (true) {
      case path === '/session/token' && method === 'DELETE': {
        const session = this.#sessions.get(url.searchParams.get('access_token') ?? accessToken);
        if (session) {
          session.isRevoked = true;
        }
        return success(true);
      }
      case route === 'GET /user/profile':
        return success({
          user_id: this.userId,
          user_type: 'individual',
          email: 'fake@example.com',
          user_name: 'Fake Kite User',
          user_shortname: 'Fake',
          broker: 'ZERODHA',
          exchanges: ['NSE', 'NFO', 'BFO', 'CDS', 'BSE', 'MCX', 'BCD', 'MF'],
          products: ['CNC', 'NRML', 'MIS', 'BO', 'CO'],
          order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
          avatar_url: null,
          meta: { demat_consent: 'physical' },
        });
      case route === 'GET /user/margins':
        return success(this.exchange.userMargins());
      case method === 'GET' && parts[0] === 'user' && parts[1] === 'margins' && parts.length === 3: {
        const segment = parts[2] as string;
        const margins = this.exchange.userMargins();
        if (!(segment in margins)) {
          return failure(400, 'InputException', 'Invalid segment.');
        }
        return success(margins[segment]);
      }
      case method === 'POST' && parts[0] === 'orders' && parts.length === 2:
        return success({ order_id: this.exchange.placeOrder(parts[1] as string, form).orderId });
      case method === 'PUT' && parts[0] === 'orders' && parts.length === 3:
        return success({
          order_id: this.exchange.modifyOrder(parts[1] as string, parts[2] as string, form).orderId,
        });
      case method === 'DELETE' && parts[0] === 'orders' && parts.length === 3:
        return success({
          order_id: this.exchange.cancelOrder(parts[1] as string, parts[2] as string).orderId,
        });
      case route === 'GET /orders':
        return success([...this.exchange.orders.values()].map((order) => this.exchange.orderRow(order)));
      case method === 'GET' && parts[0] === 'orders' && parts.length === 2: {
        const order = this.exchange.orders.get(parts[1] as string);
        if (!order) {
          return failure(400, 'InputException', "Couldn't find that `order_id`.");
        }
        return success(order.history);
      }
      case method === 'GET' && parts[0] === 'orders' && parts.length === 3 && parts[2] === 'trades': {
        const order = this.exchange.orders.get(parts[1] as string);
        if (!order) {
          return failure(400, 'InputException', "Couldn't find that `order_id`.");
        }
        return success(
          this.exchange.trades
            .filter((trade) => trade.order === order)
            .map((trade) => this.exchange.tradeRow(trade)),
        );
      }
      case route === 'GET /trades':
        return success(this.exchange.trades.map((trade) => this.exchange.tradeRow(trade)));
      case route === 'GET /portfolio/positions': {
        const net = this.exchange.positions();
        return success({ net, day: net });
      }
      case route === 'GET /portfolio/holdings':
        return success(this.exchange.holdingRows());
      case route === 'GET /quote':
        return this.#quotes(url, 500, (instrument) => this.market.quote(instrument));
      case route === 'GET /quote/ohlc':
        return this.#quotes(url, 1000, (instrument) => {
          const quote = this.market.quote(instrument);
          return { instrument_token: quote.instrument_token, last_price: quote.last_price, ohlc: quote.ohlc };
        });
      case route === 'GET /quote/ltp':
        return this.#quotes(url, 1000, (instrument) => {
          const quote = this.market.quote(instrument);
          return { instrument_token: quote.instrument_token, last_price: quote.last_price };
        });
      case route === 'GET /instruments':
      case method === 'GET' && parts[0] === 'instruments' && parts.length === 2:
        return this.#instrumentDump(parts[1], headers);
      case method === 'GET' && parts[0] === 'instruments' && parts[1] === 'historical' && parts.length === 4:
        return this.#history(parts[2] as string, parts[3] as string, url);
      case route === 'POST /margins/orders':
        return success(this.#orderMargins(json));
      case route === 'POST /margins/basket':
        return success(this.#basketMargins(json));
      case route === 'GET /gtt/triggers':
        return success([...this.exchange.gtts.values()].reverse().map((gtt) => this.exchange.gttRow(gtt)));
      case route === 'POST /gtt/triggers':
        return success({ trigger_id: this.exchange.placeGtt(form).id });
      case route === 'GET /gtt/triggers/:id':
        return success(this.exchange.gttRow(this.#gtt(parts[2])));
      case route === 'PUT /gtt/triggers/:id': {
        const gtt = this.#gtt(parts[2]);
        if (gtt.status !== 'active') {
          return failure(400, 'InputException', 'Trigger is not active.');
        }
        return success({ trigger_id: this.exchange.placeGtt(form, gtt).id });
      }
      case route === 'DELETE /gtt/triggers/:id': {
        const gtt = this.#gtt(parts[2]);
        gtt.status = 'deleted';
        return success({ trigger_id: gtt.id });
      }
      default:
        return failure(404, 'GeneralException', 'Route not found');
    }
  }

  #gtt(idText: string | undefined): FakeGtt {
    const gtt = this.exchange.gtts.get(Number(idText));
    if (!gtt || gtt.status === 'deleted') {
      throw new KiteApiError(400, 'InputException', 'Trigger not found.');
    }
    return gtt;
  }

  #quotes(url: URL, limit: number, project: (instrument: FakeInstrument) => Record<string, unknown>): Reply {
    const keys = url.searchParams.getAll('i');
    if (keys.length === 0) {
      return failure(400, 'InputException', 'No instruments specified.');
    }
    if (keys.length > limit) {
      return failure(400, 'InputException', `Too many instruments: at most ${limit} per request.`);
    }
    const data: Record<string, unknown> = {};
    for (const key of keys) {
      const separator = key.indexOf(':');
      const instrument =
        separator > 0 ? this.market.find(key.slice(0, separator), key.slice(separator + 1)) : undefined;
      if (instrument) {
        data[key] = project(instrument);
      }
    }
    return success(data);
  }

  #instrumentDump(exchange: string | undefined, headers: Record<string, string>): Reply {
    const instruments = exchange
      ? this.instruments.filter((instrument) => instrument.exchange === exchange)
      : this.instruments;
    const csv = exchange
      ? {
          plain: Buffer.from(`${[KITE_CSV_HEADER, ...instruments.map(toCsvLine)].join('\n')}\n`),
          gzip: undefined,
        }
      : instrumentCsv(this.instruments);
    const isGzip = csv.gzip !== undefined && /\bgzip\b/.test(headers['accept-encoding'] ?? '');
    return {
      status: 200,
      body: isGzip ? (csv.gzip as Buffer) : csv.plain,
      headers: {
        'content-type': 'text/csv',
        ...(isGzip ? { 'content-encoding': 'gzip' } : {}),
      },
    };
  }

  #history(tokenText: string, interval: string, url: URL): Reply {
    const instrument = this.market.byToken.get(Number(tokenText));
    if (!instrument) {
      return failure(400, 'InputException', 'Invalid `instrument_token`.');
    }
    const spec = KITE_HISTORY_INTERVALS[interval];
    if (!spec) {
      return failure(400, 'InputException', 'Invalid `interval`.');
    }
    const from = parseIstText(url.searchParams.get('from') ?? '');
    const to = parseIstText(url.searchParams.get('to') ?? '');
    if (from === undefined || to === undefined) {
      return failure(400, 'InputException', 'Invalid `from` or `to` date.');
    }
    if (to < from) {
      return failure(400, 'InputException', 'Invalid date range: `to` is before `from`.');
    }
    if (to - from > spec.maxDays * 86_400_000) {
      return failure(400, 'InputException', `interval exceeds max limit: ${spec.maxDays} days`);
    }
    const withOi = url.searchParams.get('oi') === '1';
    return success({ candles: this.market.history(instrument, interval, from, to, withOi) });
  }

  #marginOrders(json: unknown): Array<Record<string, unknown>> {
    if (!Array.isArray(json) || json.length === 0) {
      throw new KiteApiError(400, 'InputException', 'Invalid orders: send a JSON array.');
    }
    return json.map((entry: Record<string, unknown>) => {
      const instrument = this.market.find(String(entry.exchange), String(entry.tradingsymbol));
      if (!instrument || instrument.segment === 'INDICES') {
        throw new KiteApiError(400, 'InputException', 'Invalid `tradingsymbol`.');
      }
      const quantity = Number(entry.quantity);
      if (!Number.isInteger(quantity) || quantity <= 0) {
        throw new KiteApiError(400, 'InputException', 'Invalid `quantity`.');
      }
      const price = toDecimal(String(entry.price ?? 0));
      const parts = this.exchange.marginComponents(
        instrument,
        String(entry.transaction_type),
        String(entry.product),
        String(entry.order_type),
        quantity,
        price,
      );
      return {
        type: instrument.exchange === 'MCX' ? 'commodity' : 'equity',
        tradingsymbol: instrument.tradingsymbol,
        exchange: instrument.exchange,
        span: wireRound(parts.span),
        exposure: wireRound(parts.exposure),
        option_premium: wireRound(parts.optionPremium),
        additional: 0,
        bo: 0,
        cash: 0,
        var: wireRound(parts.varMargin),
        pnl: { realised: 0, unrealised: 0 },
        leverage: 1,
        charges: { total: 0 },
        total: wireRound(parts.total),
        instrument,
        side: String(entry.transaction_type),
      };
    });
  }

  #orderMargins(json: unknown): Array<Record<string, unknown>> {
    return this.#marginOrders(json).map(({ instrument: _instrument, side: _side, ...row }) => row);
  }

  /** Basket: the sum, and a hedge benefit (SPAN × 0.3) when legs of one underlying face both ways. */
  #basketMargins(json: unknown): Record<string, unknown> {
    const legs = this.#marginOrders(json);
    const sum = (field: string) =>
      legs.reduce((total, leg) => total.add(toDecimal(String(leg[field]))), toDecimal(0));
    const span = sum('span');
    const exposure = sum('exposure');
    const premium = sum('option_premium');
    const varMargin = sum('var');
    const sides = new Map<string, Set<string>>();
    for (const leg of legs) {
      const name = (leg.instrument as FakeInstrument).name;
      const set = sides.get(name) ?? new Set<string>();
      set.add(String(leg.side));
      sides.set(name, set);
    }
    const isHedged = [...sides.values()].some((set) => set.size > 1);
    const finalSpan = isHedged ? span.mul('0.3') : span;
    const block = (spanValue: Dec) => ({
      type: '',
      tradingsymbol: '',
      exchange: '',
      span: wireRound(spanValue),
      exposure: wireRound(exposure),
      option_premium: wireRound(premium),
      additional: 0,
      bo: 0,
      cash: 0,
      var: wireRound(varMargin),
      pnl: { realised: 0, unrealised: 0 },
      leverage: 0,
      charges: { total: 0 },
      total: wireRound(spanValue.add(exposure).add(premium).add(varMargin)),
    });
    return {
      initial: block(span),
      final: block(finalSpan),
      orders: legs.map(({ instrument: _instrument, side: _side, ...row }) => row),
    };
  }

  // ------------------------------------------------------------------ ticker

  #upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'ws://fake.kite');
    const accessToken = url.searchParams.get('access_token') ?? '';
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.searchParams.get('api_key') !== this.apiKey || !this.#isValidSession(accessToken)) {
      refuse('403 Forbidden');
      return;
    }
    if (this.#tickerClients.size >= this.#options.maxTickerConnections) {
      refuse('429 Too Many Requests');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (webSocket) =>
      this.#onTickerConnection(webSocket, accessToken),
    );
  }

  #onTickerConnection(socket: WebSocket, accessToken: string): void {
    const client: TickerClient = { socket, accessToken, modes: new Map(), heartbeat: undefined };
    this.#tickerClients.add(client);
    if (this.#options.heartbeatMs > 0) {
      client.heartbeat = setInterval(() => {
        if (socket.readyState === socket.OPEN) {
          socket.send(Buffer.alloc(1));
        }
      }, this.#options.heartbeatMs);
    }
    socket.on('close', () => {
      clearInterval(client.heartbeat);
      this.#tickerClients.delete(client);
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        return;
      }
      this.#onTickerMessage(client, data.toString());
    });
  }

  #onTickerMessage(client: TickerClient, text: string): void {
    let message: { a?: unknown; v?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      client.socket.send(JSON.stringify({ type: 'error', data: 'Invalid message' }));
      return;
    }
    const tokensOf = (value: unknown): number[] =>
      Array.isArray(value) ? value.filter((token): token is number => Number.isInteger(token)) : [];
    switch (message.a) {
      case 'subscribe': {
        const added: number[] = [];
        for (const token of tokensOf(message.v)) {
          if (client.modes.has(token)) {
            continue;
          }
          if (client.modes.size >= this.#options.maxInstrumentsPerConnection) {
            client.socket.send(
              JSON.stringify({
                type: 'error',
                data: `Maximum ${this.#options.maxInstrumentsPerConnection} instruments per connection`,
              }),
            );
            break;
          }
          if (this.market.byToken.has(token)) {
            client.modes.set(token, 'quote');
            added.push(token);
          }
        }
        this.#sendTicks(client, added);
        return;
      }
      case 'unsubscribe':
        for (const token of tokensOf(message.v)) {
          client.modes.delete(token);
        }
        return;
      case 'mode': {
        const [mode, tokens] = Array.isArray(message.v) ? message.v : [];
        if (mode !== 'ltp' && mode !== 'quote' && mode !== 'full') {
          client.socket.send(JSON.stringify({ type: 'error', data: 'Invalid mode' }));
          return;
        }
        const changed = tokensOf(tokens).filter((token) => client.modes.has(token));
        for (const token of changed) {
          client.modes.set(token, mode);
        }
        this.#sendTicks(client, changed);
        return;
      }
      default:
        client.socket.send(JSON.stringify({ type: 'error', data: 'Invalid action' }));
    }
  }

  #sendTicks(client: TickerClient, tokens: readonly number[]): void {
    if (tokens.length === 0 || client.socket.readyState !== client.socket.OPEN) {
      return;
    }
    const now = this.#now();
    const packets: Buffer[] = [];
    for (const token of tokens) {
      const mode = client.modes.get(token);
      const instrument = this.market.byToken.get(token);
      if (!mode || !instrument) {
        continue;
      }
      packets.push(
        encodePacket(instrument, this.market.state(instrument), this.market.depth(instrument), mode, now),
      );
    }
    for (let start = 0; start < packets.length; start += 500) {
      client.socket.send(encodeFrame(packets.slice(start, start + 500)));
    }
  }

  #broadcastTicks(tokens: readonly number[] | undefined): void {
    for (const client of this.#tickerClients) {
      this.#sendTicks(
        client,
        tokens ? tokens.filter((token) => client.modes.has(token)) : [...client.modes.keys()],
      );
    }
  }

  #broadcastOrder(row: Record<string, unknown>): void {
    const text = JSON.stringify({
      type: 'order',
      id: '',
      data: { ...row, user_id: this.userId, unfilled_quantity: 0 },
    });
    for (const client of this.#tickerClients) {
      if (client.socket.readyState === client.socket.OPEN) {
        client.socket.send(text);
      }
    }
  }
}

function wireRound(value: Dec): number {
  return wire(value.toDecimalPlaces(2));
}

/** 06:00 IST on the day after `now` (or today, before 06:00): Kite's daily token expiry. */
function nextSixAmIst(now: number): number {
  const local = now + IST_OFFSET_MS;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  let expiry = dayStart + 6 * 3_600_000;
  if (expiry <= local) {
    expiry += 86_400_000;
  }
  return expiry - IST_OFFSET_MS;
}

export async function startFakeKiteServer(options: FakeKiteServerOptions = {}): Promise<FakeKiteServer> {
  const server = new FakeKiteServer(options);
  await server.listen();
  return server;
}
