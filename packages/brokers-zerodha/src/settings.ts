import type { Logger } from '@openalgo/broker-sdk';
import type { FetchLike, LatencySample } from '@openalgo/broker-sdk/http';
import { z } from 'zod';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type KiteRetry, type KiteTimeouts } from './kite-http.js';
import { DEFAULT_TICKER_SETTINGS, type TickerSettings, type WebSocketConstructor } from './ticker-socket.js';

/** Everything the Zerodha adapter needs, passed in by the host: it never reads the environment. */
export interface ZerodhaBrokerSettings {
  /** The Kite Connect app's API key. */
  apiKey: string;
  /** The app's API secret (only used for the login checksum). */
  apiSecret: string;
  /** REST root. Default `https://api.kite.trade`. */
  baseUrl?: string;
  /** Login page. Default `https://kite.zerodha.com/connect/login`. */
  loginUrl?: string;
  /** Ticker WebSocket. Default `wss://ws.kite.trade`. */
  tickerUrl?: string;
  /** Replaces the HTTP transport's `fetch` (default: undici's, through `@openalgo/broker-sdk/http`). */
  fetch?: FetchLike;
  /**
   * Queue calls to stay under Kite's published rate limits (`ZERODHA_LIMITS.rate`, paced at
   * 90 %). Default `true`; turn it off only where something upstream already meters the account.
   */
  rateLimit?: boolean;
  /** Called with the round-trip time of every Kite call (metrics). */
  onLatency?: (sample: LatencySample) => void;
  /** WebSocket constructor. Default: the `ws` package's. */
  webSocket?: WebSocketConstructor;
  /** Structured logger (pino-compatible). Default: silent. */
  logger?: Logger;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  timeouts?: Partial<KiteTimeouts>;
  retry?: Partial<KiteRetry>;
  ticker?: Partial<TickerSettings>;
  /** Kite's streaming caps; lower them to test sharding. Defaults 3,000 and 3. */
  streamLimits?: { maxInstrumentsPerConnection?: number; maxConnections?: number };
}

const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL');
const wsUrl = z.string().regex(/^wss?:\/\/[^\s]+$/, 'must be a ws(s) URL');
const positive = z.number().int().positive();

/** The plain (non-function) settings, strictly checked. */
const plainSettingsSchema = z.object({
  apiKey: z.string().regex(/^[A-Za-z0-9]+$/, 'must be the alphanumeric Kite API key'),
  apiSecret: z.string().min(1, 'is required'),
  baseUrl: httpUrl.default('https://api.kite.trade'),
  loginUrl: httpUrl.default('https://kite.zerodha.com/connect/login'),
  tickerUrl: wsUrl.default('wss://ws.kite.trade'),
  timeouts: z
    .object({ writeMs: positive, readMs: positive, historyMs: positive, instrumentsMs: positive })
    .partial()
    .strict()
    .default({}),
  retry: z
    .object({ attempts: z.number().int().min(1).max(10), baseDelayMs: positive, maxDelayMs: positive })
    .partial()
    .strict()
    .default({}),
  ticker: z
    .object({
      reconnectBaseMs: positive,
      reconnectMaxMs: positive,
      staleAfterMs: positive,
      subscribeBatch: positive,
      connectTimeoutMs: positive,
    })
    .partial()
    .strict()
    .default({}),
  streamLimits: z
    .object({
      maxInstrumentsPerConnection: z.number().int().min(1).max(3_000),
      maxConnections: z.number().int().min(1).max(3),
    })
    .partial()
    .strict()
    .default({}),
});

export interface ResolvedSettings {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
  loginUrl: string;
  tickerUrl: string;
  timeouts: KiteTimeouts;
  retry: KiteRetry;
  ticker: TickerSettings;
  maxInstrumentsPerConnection: number;
  maxConnections: number;
}

export class ZerodhaSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid Zerodha broker settings: ${problems.join('; ')}`);
    this.name = 'ZerodhaSettingsError';
  }
}

export function resolveSettings(settings: ZerodhaBrokerSettings): ResolvedSettings {
  const {
    fetch: _fetch,
    webSocket: _webSocket,
    logger: _logger,
    now: _now,
    onLatency: _onLatency,
    rateLimit: _rateLimit,
    ...plain
  } = settings;
  const result = plainSettingsSchema.safeParse(plain);
  if (!result.success) {
    throw new ZerodhaSettingsError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'settings'} ${issue.message}`),
    );
  }
  if (settings.rateLimit !== undefined && typeof settings.rateLimit !== 'boolean') {
    throw new ZerodhaSettingsError(['rateLimit must be a boolean']);
  }
  for (const name of ['fetch', 'webSocket', 'now', 'onLatency'] as const) {
    if (settings[name] !== undefined && typeof settings[name] !== 'function') {
      throw new ZerodhaSettingsError([`${name} must be a function`]);
    }
  }
  const parsed = result.data;
  return {
    apiKey: parsed.apiKey,
    apiSecret: parsed.apiSecret,
    baseUrl: parsed.baseUrl.replace(/\/+$/, ''),
    loginUrl: parsed.loginUrl,
    tickerUrl: parsed.tickerUrl,
    timeouts: { ...DEFAULT_TIMEOUTS, ...parsed.timeouts },
    retry: { ...DEFAULT_RETRY, ...parsed.retry },
    ticker: { ...DEFAULT_TICKER_SETTINGS, ...parsed.ticker },
    maxInstrumentsPerConnection: parsed.streamLimits.maxInstrumentsPerConnection ?? 3_000,
    maxConnections: parsed.streamLimits.maxConnections ?? 3,
  };
}
