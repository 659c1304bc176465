import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The api's whole environment, parsed once (house rule 16). Nothing else reads `process.env`.
 * A bad variable stops start-up with a list of everything that is wrong.
 */

const booleanText = z
  .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', 'TRUE', 'True', '1', 'yes'].includes(value));

/**
 * One rate limit: `count` requests per `windowMs`. Parsed from OpenAlgo's limit grammar
 * (api-v1 §6.1): `N per second|minute|hour|day` (also `N/second`, `N per 2 minutes`, plural
 * units), several combined with `;`, all enforced.
 */
export interface RateLimit {
  count: number;
  windowMs: number;
  /** As the limit is rendered back: `10 per 1 second`. */
  text: string;
}

const RATE_UNITS: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const RATE_LIMIT_PART = /^(\d+)\s*(?:\/|per)\s*(\d+)?\s*(second|minute|hour|day)s?$/i;

/** Parses `10 per second;100 per minute`; null when any part does not follow the grammar. */
export function parseRateLimits(text: string): RateLimit[] | null {
  const parts = text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0) {
    return null;
  }
  const limits: RateLimit[] = [];
  for (const part of parts) {
    const match = RATE_LIMIT_PART.exec(part);
    const count = Number(match?.[1]);
    const multiple = Number(match?.[2] ?? 1);
    const unit = match?.[3]?.toLowerCase() ?? '';
    const unitMs = RATE_UNITS[unit];
    if (!match || !unitMs || !Number.isSafeInteger(count) || count < 1 || multiple < 1) {
      return null;
    }
    limits.push({ count, windowMs: multiple * unitMs, text: `${count} per ${multiple} ${unit}` });
  }
  return limits;
}

const rateLimitText = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      const limits = parseRateLimits(value);
      if (!limits) {
        context.addIssue({
          code: 'custom',
          message: `${name} must look like "10 per second" or "10 per second;100 per minute" (units: second, minute, hour, day)`,
        });
        return z.NEVER;
      }
      return limits;
    });

const secretText = (name: string) =>
  z.string().min(32, `${name} must be at least 32 characters (use 32 random bytes, hex encoded)`);

const listText = (fallback = '') =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );

/** Fastify's `trustProxy`: false, true (any proxy), or the proxies' addresses/CIDRs (comma list). */
const trustProxyText = z
  .string()
  .default('false')
  .transform((value): boolean | string[] => {
    const text = value.trim();
    if (/^(true|yes|1)$/i.test(text)) {
      return true;
    }
    if (/^(false|no|0|)$/i.test(text)) {
      return false;
    }
    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  });

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(5000),
    /** Where the embedded database and generated local secrets live. */
    DATA_DIR: z.string().min(1).default('./data'),
    /** PostgreSQL instead of the embedded PGlite database. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** PostgreSQL: the longest wait for a connection before a request is answered 503. */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** PostgreSQL: run statements as prepared statements (off behind PgBouncer < 1.21 in transaction mode). */
    DATABASE_PREPARED_STATEMENTS: booleanText.default(true),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL')
      .optional(),
    /** Pepper for API-key hashes. Generated into DATA_DIR outside production. */
    API_KEY_PEPPER: secretText('API_KEY_PEPPER'),
    /** AES-256-GCM key(s) for secrets at rest, `id:hex64[,id:hex64…]`; the first encrypts. */
    ENCRYPTION_KEYS: z
      .string()
      .regex(
        /^[a-z0-9_-]+:[0-9a-f]{64}(,[a-z0-9_-]+:[0-9a-f]{64})*$/i,
        'ENCRYPTION_KEYS must be id:hex64[,id:hex64…]',
      ),
    /** Token for the loopback admin routes the CLI uses while the server runs. */
    ADMIN_TOKEN: secretText('ADMIN_TOKEN'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: booleanText.default(false),
    /** The broker the api connects to. */
    BROKER: z.enum(['simulator', 'zerodha']).default('simulator'),
    /** The embedded simulator: seed of its prices and fills, 24×7 trading, tick rate. */
    SIMULATOR_SEED: z.coerce.number().int().min(0).max(2_147_483_647).default(42),
    SIMULATOR_24X7: booleanText.default(true),
    SIMULATOR_TICKS_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(200),
    /** Opening cash of the simulated live account, rupees. */
    SIMULATOR_STARTING_CASH: z.coerce.number().int().min(1_000).max(1e15).default(1_000_000),
    /** How long a semi-auto order waits in the Action Center before it expires unapproved. */
    ACTION_CENTER_ORDER_TTL_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(15),
    /** Analyzer mode (the sandbox): starting capital seeded on its first start (₹1 crore). */
    ANALYZER_STARTING_CAPITAL: z.coerce.number().int().min(1_000).max(1e15).default(10_000_000),
    /** Analyzer orders of one account that may wait at once; beyond, new ones get a 429 at once. */
    ANALYZER_MAX_QUEUED_ORDERS: z.coerce.number().int().min(1).max(100_000).default(256),
    /**
     * The longest an analyzer order may expect to wait for its account's lane (measured from how
     * long its recent orders took); beyond, it gets a 429 at once. Default: half the order deadline.
     */
    ANALYZER_MAX_WAIT_MS: z.coerce.number().int().min(1).max(120_000).optional(),
    /** Time a broker has to answer an order placement, modification or cancellation (never retried). */
    BROKER_ORDER_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
    /** Time a broker has to answer a read (books, funds, quotes for an order). */
    BROKER_READ_TIMEOUT_MS: z.coerce.number().int().min(50).max(300_000).default(15_000),
    /** How long a timed-out placement is looked for in the broker's order book before it is given up. */
    ORDER_RECONCILE_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    /** Pause between the children of a split order (1 / the per-second order rate). */
    ORDER_CHILD_INTERVAL_MS: z.coerce.number().int().min(0).max(10_000).default(100),
    /** Basket orders: legs placed concurrently per batch, and the pause between batches. */
    BASKET_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    BASKET_BATCH_INTERVAL_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
    /** Spooled order-log rows (with their outcomes), latency rows and alert outcomes are written in batches at this interval. */
    ORDER_LOG_FLUSH_MS: z.coerce.number().int().min(1).max(10_000).default(50),
    /**
     * Orders are recorded in a write-ahead file under DATA_DIR (`order-spool/`) before they are
     * sent, their rows following in the next group commit; off: each order waits for its row.
     */
    ORDER_SPOOL: booleanText.default(true),
    /** `os`: the spool survives the process dying; `disk`: also a power cut (fdatasync per batch). */
    ORDER_SPOOL_SYNC: z.enum(['os', 'disk']).default('os'),
    /** Zerodha (Kite Connect) app credentials; required when BROKER=zerodha. */
    KITE_API_KEY: z
      .string()
      .regex(/^[A-Za-z0-9]+$/, 'KITE_API_KEY must be the alphanumeric Kite API key')
      .optional(),
    KITE_API_SECRET: z.string().min(1).optional(),
    /** Kite endpoints; set them only to point at a fake Kite (tests) or a proxy. */
    KITE_BASE_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'KITE_BASE_URL must be an http(s) URL')
      .optional(),
    KITE_LOGIN_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'KITE_LOGIN_URL must be an http(s) URL')
      .optional(),
    KITE_TICKER_URL: z
      .string()
      .regex(/^wss?:\/\/\S+$/, 'KITE_TICKER_URL must be a ws(s) URL')
      .optional(),
    /** Public base URL (OpenAlgo's HOST_SERVER): webhook URLs shown to the user. Default: http://HOST:PORT. */
    HOST_SERVER: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'HOST_SERVER must be an http(s) URL')
      .optional(),
    /** Identical strategy alerts within this window execute once. */
    STRATEGY_DEDUPE_WINDOW_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    /** An alert found unprocessed after a restart is executed if younger than this, else expired. */
    STRATEGY_ALERT_MAX_AGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
    /**
     * On PostgreSQL, how often (ms) each api process says it is alive. Start-up recovery leaves
     * alone the alerts a live process is executing; those of a process silent for three
     * periods are recovered by the others.
     */
    INSTANCE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    /** Built web app to serve at `/` (the embedded start sets it); unset: api only. */
    WEB_DIR: z.string().min(1).optional(),
    /**
     * A first start without any account: `generate` creates the admin with a generated
     * password and prints it with the API key (the one-command start); `web` leaves it to the
     * web app's setup page.
     */
    FIRST_RUN: z.enum(['generate', 'web']).default('generate'),
    /** Public URLs printed at start and given to the web app. */
    WS_URL: z.string().default('ws://127.0.0.1:8765'),
    /**
     * The market-data hub: the broker feed runs here and publishes on ZeroMQ; ws-proxies
     * connect to both sockets (streaming issue). Loopback only unless the network is trusted.
     */
    MARKET_HUB: booleanText.default(true),
    /** Where the hub's XPUB socket binds (ticks, order updates, feed status). */
    HUB_PUBLISH_URL: z.string().min(1).default('tcp://127.0.0.1:5555'),
    /** Where the hub's control socket binds (API keys, symbol checks, order replay). */
    HUB_CONTROL_URL: z.string().min(1).default('tcp://127.0.0.1:5556'),
    /**
     * The live broker's order-update stream (OpenAlgo's name and default): fills, rejections and
     * cancellations made at the broker reach order-update subscribers. Runs with the hub.
     */
    ORDER_UPDATES_ENABLED: booleanText.default(true),
    /** Subscribed instruments but no tick for this long: the feed is reported stale (recycled at 3x). */
    FEED_STALE_SECONDS: z.coerce.number().min(1).max(86_400).default(30),
    /** Order updates kept per user for replay after a reconnect. */
    ORDER_UPDATE_HISTORY: z.coerce.number().int().min(10).max(100_000).default(1_000),
    /** Traffic-log writer: flush interval and bounded buffer. */
    TRAFFIC_LOG_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    TRAFFIC_LOG_BUFFER: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
    /** Seconds a positive API-key lookup is cached (rotation invalidates at once in-process). */
    API_KEY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
    /** Grace period for in-flight requests at shutdown. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    /**
     * Rate limits per class (api-v1 §6.2), each route with its own counter per API key.
     * `API_RATE_LIMIT` defaults to the shipped 50 per second (§8 #2), which also covers /margin.
     */
    ORDER_RATE_LIMIT: rateLimitText('ORDER_RATE_LIMIT', '10 per second'),
    SMART_ORDER_RATE_LIMIT: rateLimitText('SMART_ORDER_RATE_LIMIT', '10 per second'),
    API_RATE_LIMIT: rateLimitText('API_RATE_LIMIT', '50 per second'),
    GREEKS_RATE_LIMIT: rateLimitText('GREEKS_RATE_LIMIT', '30 per minute'),
    TELEGRAM_RATE_LIMIT: rateLimitText('TELEGRAM_RATE_LIMIT', '30 per minute'),
    WHATSAPP_RATE_LIMIT: rateLimitText('WHATSAPP_RATE_LIMIT', '30 per minute'),
    PORTFOLIO_API_RATE_LIMIT: rateLimitText('PORTFOLIO_API_RATE_LIMIT', '10 per minute'),
    PORTFOLIO_TEARSHEET_RATE_LIMIT: rateLimitText('PORTFOLIO_TEARSHEET_RATE_LIMIT', '5 per minute'),
    SIP_API_RATE_LIMIT: rateLimitText('SIP_API_RATE_LIMIT', '10 per minute'),
    /** Strategy and ChartInk webhooks (features.md §4.1, §4.3). */
    WEBHOOK_RATE_LIMIT: rateLimitText('WEBHOOK_RATE_LIMIT', '100 per minute'),
    /** Prefix of the rate-limit counters in Redis (several installations can share one Redis). */
    RATE_LIMIT_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'RATE_LIMIT_NAMESPACE must be 1-64 of A-Z a-z 0-9 : _ -')
      .default('openalgo-rl:'),
    /** Minimum spacing of broker history calls, process-wide (OpenAlgo: 350 ms); excess calls wait. */
    HISTORY_SPACING_MS: z.coerce.number().int().min(0).max(60_000).default(350),
    /** Web sessions: cookie name, Secure flag (`auto`: when the request came over https), lifetimes. */
    SESSION_COOKIE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'SESSION_COOKIE_NAME must be letters, digits, - or _')
      .default('oa_session'),
    COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(720),
    SESSION_MAX_AGE_HOURS: z.coerce.number().int().min(1).max(720).default(24),
    /** Trust X-Forwarded-* from a reverse proxy: `false`, `true`, or the proxies' addresses. */
    TRUST_PROXY: trustProxyText,
    /** Login, TOTP and reset attempts per client IP (OpenAlgo's names and defaults). */
    LOGIN_RATE_LIMIT_MIN: rateLimitText('LOGIN_RATE_LIMIT_MIN', '5 per minute'),
    LOGIN_RATE_LIMIT_HOUR: rateLimitText('LOGIN_RATE_LIMIT_HOUR', '25 per hour'),
    RESET_RATE_LIMIT: rateLimitText('RESET_RATE_LIMIT', '15 per hour'),
    /** Failed logins in a row that lock the account, and for how long. */
    LOGIN_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(10),
    LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(10_080).default(15),
    /** Automatic IP bans: invalid API keys / failed logins per IP within 24 h; 0 disables. */
    INVALID_API_KEY_BAN_THRESHOLD: z.coerce.number().int().min(0).max(1_000_000).default(100),
    FAILED_LOGIN_BAN_THRESHOLD: z.coerce.number().int().min(0).max(1_000_000).default(50),
    /** Length of an automatic ban in minutes; 0 = permanent (OpenAlgo's default). */
    BAN_DURATION_MINUTES: z.coerce.number().int().min(0).max(5_256_000).default(0),
    /** Prefix of every Redis key and channel (several installations may share one Redis). */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'REDIS_KEY_PREFIX must be letters, digits, :, - or _')
      .default('openalgo:'),
    /** The issuer authenticator apps show for the TOTP entry. */
    TOTP_ISSUER: z.string().min(1).max(64).default('OpenAlgo'),
    /** CORS on `/api/*`, off unless enabled (api-v1 §1). */
    CORS_ENABLED: booleanText.default(false),
    CORS_ALLOWED_ORIGINS: listText(),
    CORS_ALLOWED_METHODS: listText('GET,POST,DELETE,PUT,PATCH'),
    CORS_ALLOWED_HEADERS: listText('Content-Type,Authorization,X-Requested-With'),
    CORS_EXPOSED_HEADERS: listText(),
    CORS_ALLOW_CREDENTIALS: booleanText.default(false),
    CORS_MAX_AGE: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400 * 7)
      .default(86_400),
    /**
     * Check every answer against its route's response schema before sending it. The types
     * already hold at compile time; the check is for tests (on by default when NODE_ENV=test)
     * and costs a measurable share of a small call, so it is off otherwise unless set.
     */
    RESPONSE_VALIDATION: booleanText.optional(),
    /** Content-Security-Policy: on by default; extra connect-src sources; report-only mode. */
    CSP_ENABLED: booleanText.default(true),
    CSP_REPORT_ONLY: booleanText.default(false),
    CSP_CONNECT_SRC: listText(),
    CSP_REPORT_URI: z.string().url().optional(),
    /** Largest request body in bytes, and how long a request may take. */
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(104_857_600).default(1_048_576),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    /** IST time (HH:MM) when broker sessions and web sessions expire daily. */
    /** Telegram's Bot API host; set it only to point at a fake (tests) or a proxy. */
    TELEGRAM_API_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'TELEGRAM_API_URL must be an http(s) URL')
      .default('https://api.telegram.org'),
    /** Secret Telegram echoes on webhook calls; default: first 32 hex of SHA-256(bot token). */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z a-z 0-9 _ -')
      .optional(),
    /** Folders `/whatsapp/notify` may attach files from, comma separated; default DATA_DIR/attachments. */
    WHATSAPP_ATTACHMENT_ROOTS: z.string().min(1).optional(),
    /** IST time (HH:MM) when broker sessions expire daily. */
    SESSION_EXPIRY_TIME: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'SESSION_EXPIRY_TIME must be HH:MM (IST)')
      .default('03:00'),
  })
  .superRefine((env, context) => {
    if (env.ANALYZER_MAX_WAIT_MS !== undefined && env.ANALYZER_MAX_WAIT_MS >= env.BROKER_ORDER_TIMEOUT_MS) {
      context.addIssue({
        code: 'custom',
        path: ['ANALYZER_MAX_WAIT_MS'],
        message: `ANALYZER_MAX_WAIT_MS must be below BROKER_ORDER_TIMEOUT_MS (${env.BROKER_ORDER_TIMEOUT_MS}): an order that waits past its deadline has an unknown outcome`,
      });
    }
    if (env.BROKER === 'zerodha') {
      for (const name of ['KITE_API_KEY', 'KITE_API_SECRET'] as const) {
        if (!env[name]) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `${name} is required when BROKER=zerodha`,
          });
        }
      }
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** Absolute data folder. */
  dataDir: string;
  /** `pglite` unless DATABASE_URL is set. */
  databaseKind: 'pglite' | 'postgres';
  /** Where the embedded database files live. */
  pgliteDir: string;
  /** Absolute folders `/whatsapp/notify` may attach files from. */
  whatsappAttachmentRoots: readonly string[];
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOCAL_SECRETS_FILE = 'secrets.env';

function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined && !line.trimStart().startsWith('#')) {
      values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return values;
}

/**
 * Outside production, secrets that are not in the environment are generated once into
 * `DATA_DIR/secrets.env` (mode 600) and reused, so `npm start` needs no setup and restarts
 * keep working keys. In production they must be given.
 */
function readOrCreateLocalSecrets(dataDir: string): Record<string, string> {
  const path = join(dataDir, LOCAL_SECRETS_FILE);
  const existing = existsSync(path) ? parseEnvFile(readFileSync(path, 'utf8')) : {};
  const wanted: Record<string, () => string> = {
    API_KEY_PEPPER: () => randomBytes(32).toString('hex'),
    ENCRYPTION_KEYS: () => `k1:${randomBytes(32).toString('hex')}`,
    ADMIN_TOKEN: () => randomBytes(32).toString('hex'),
  };
  let changed = false;
  for (const [name, generate] of Object.entries(wanted)) {
    if (!existing[name]) {
      existing[name] = generate();
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    const lines = Object.entries(existing).map(([name, value]) => `${name}=${value}`);
    writeFileSync(
      path,
      `# Generated by OpenAlgo TS on first start. Keep it secret; losing it invalidates API keys.\n${lines.join('\n')}\n`,
      { mode: 0o600 },
    );
  }
  return existing;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Config {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const dataDirText = defined.DATA_DIR ?? './data';
  const dataDir = isAbsolute(dataDirText) ? dataDirText : resolve(cwd, dataDirText);
  const isProduction = defined.NODE_ENV === 'production';
  const local = isProduction ? {} : readOrCreateLocalSecrets(dataDir);
  const result = envSchema.safeParse({ ...local, ...defined });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return Object.freeze({
    ...result.data,
    dataDir,
    databaseKind: result.data.DATABASE_URL ? 'postgres' : 'pglite',
    pgliteDir: join(dataDir, 'pglite'),
    whatsappAttachmentRoots: Object.freeze(
      (result.data.WHATSAPP_ATTACHMENT_ROOTS?.split(',') ?? [join(dataDir, 'attachments')])
        .map((root) => root.trim())
        .filter((root) => root.length > 0)
        .map((root) => (isAbsolute(root) ? root : resolve(cwd, root))),
    ),
  });
}
