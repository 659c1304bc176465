import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseHandle, DatabaseKind } from '@openalgo/db';
import { createTestDatabase } from '@openalgo/db/testing';
import pino, { type Logger } from 'pino';
import { afterAll } from 'vitest';
import { type App, buildApp } from '../app.js';
import { type Config, loadConfig } from '../config.js';
import type { WhatsAppNotifier } from '../services/whatsapp/notifier.js';

export interface TestApp {
  app: App;
  config: Config;
  database: DatabaseHandle;
  baseUrl: string;
  /** The admin's API key, created by setup. */
  apiKey: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  request(path: string, init: RequestInit): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

export const TEST_ADMIN_PASSWORD = 'correct horse battery';

/**
 * A clock that runs at real speed from 10:00 IST tomorrow: suites whose analyzer orders must
 * meet the sandbox's trading-hours rules (MIS before the 15:15 square-off) pass the same
 * whatever the hour they run at, and the cookies the api sets (expiring by this clock) are
 * still in the future for a client on the real clock.
 */
export function tradingHoursClock(): () => number {
  const IST_OFFSET_MS = 330 * 60_000;
  const DAY_MS = 86_400_000;
  const istMidnight = Math.floor((Date.now() + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
  const start = istMidnight + DAY_MS + 10 * 3_600_000;
  const origin = performance.now();
  return () => start + Math.floor(performance.now() - origin);
}

/**
 * Limits high enough that functional suites never meet them; the rate-limit suites pass
 * `defaultRateLimits: true` (or their own values) to exercise the real ones.
 */
export const RAISED_RATE_LIMITS: Record<string, string> = {
  ORDER_RATE_LIMIT: '100000 per second',
  SMART_ORDER_RATE_LIMIT: '100000 per second',
  API_RATE_LIMIT: '100000 per second',
  GREEKS_RATE_LIMIT: '100000 per second',
  TELEGRAM_RATE_LIMIT: '100000 per second',
  WHATSAPP_RATE_LIMIT: '100000 per second',
  PORTFOLIO_API_RATE_LIMIT: '100000 per second',
  PORTFOLIO_TEARSHEET_RATE_LIMIT: '100000 per second',
  SIP_API_RATE_LIMIT: '100000 per second',
};

/**
 * The data folders `testEnv` made: a test app removes its own when closed, and what is left
 * when the test file ends (a config loaded without an app writes its generated secrets there)
 * goes then. Registered as each test file imports this module, so it runs after that file's
 * own teardown.
 */
const madeDataDirs = new Set<string>();
afterAll(() => {
  for (const dir of madeDataDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
  madeDataDirs.clear();
});

function removeMadeDataDir(dir: string): void {
  if (madeDataDirs.delete(dir)) {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function testEnv(
  overrides: Record<string, string> = {},
  options: { defaultRateLimits?: boolean } = {},
): Record<string, string> {
  const dataDir = overrides.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'openalgo-api-test-'));
  if (overrides.DATA_DIR === undefined) {
    madeDataDirs.add(dataDir);
  }
  return {
    ...(options.defaultRateLimits ? {} : RAISED_RATE_LIMITS),
    // Each test app counts in its own Redis namespace unless a suite shares one on purpose.
    RATE_LIMIT_NAMESPACE: `test-rl-${randomBytes(6).toString('hex')}:`,
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    API_KEY_PEPPER: randomBytes(32).toString('hex'),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    ADMIN_TOKEN: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    TRAFFIC_LOG_FLUSH_MS: '50',
    // Suites sign in often from 127.0.0.1; the abuse-limit tests set their own limits.
    LOGIN_RATE_LIMIT_MIN: '10000 per minute',
    LOGIN_RATE_LIMIT_HOUR: '100000 per hour',
    RESET_RATE_LIMIT: '10000 per hour',
    REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:`,
    // Every test app's market-data hub on its own ephemeral loopback ports.
    HUB_PUBLISH_URL: 'tcp://127.0.0.1:*',
    HUB_CONTROL_URL: 'tcp://127.0.0.1:*',
    ...overrides,
  };
}

export async function readResponse(response: Response): Promise<TestResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

/** A real api on 127.0.0.1:<ephemeral> over a fresh migrated database, with an admin set up. */
export async function startTestApp(
  kind: DatabaseKind,
  options: {
    env?: Record<string, string>;
    /** Run with the contract's default limits instead of the raised test limits. */
    defaultRateLimits?: boolean;
    database?: DatabaseHandle;
    /** With a shared `database`: the admin exists already (`apiKey` is then empty). */
    skipSetup?: boolean;
    now?: () => number;
    /** A real logger (default: silent). */
    logger?: Logger;
    /** An outbound WhatsApp provider for the app. */
    whatsapp?: WhatsAppNotifier;
    /** Registers extra plugins before the app listens. */
    beforeListen?: (app: App) => Promise<void>;
  } = {},
): Promise<TestApp> {
  const config = loadConfig(testEnv(options.env, { defaultRateLimits: options.defaultRateLimits ?? false }));
  const database = options.database ?? (await createTestDatabase(kind));
  const app = await buildApp(config, {
    database,
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.whatsapp ? { whatsapp: options.whatsapp } : {}),
  });
  const { apiKey } = options.skipSetup
    ? { apiKey: '' }
    : await app.services.accounts.setupAdmin({ username: 'admin', password: TEST_ADMIN_PASSWORD });
  await options.beforeListen?.(app);
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const request = async (path: string, init: RequestInit) =>
    readResponse(await fetch(`${baseUrl}${path}`, init));
  return {
    app,
    config,
    database,
    baseUrl,
    apiKey,
    request,
    post: (path, body, headers = {}) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await app.close();
      if (!options.database) {
        await database.close();
      }
      removeMadeDataDir(config.DATA_DIR);
    },
  };
}
