import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRateLimits } from '../config.js';
import { startTestApp, type TestApp, testEnv } from '../testing/test-app.js';

const RATE_LIMITED = {
  status: 'error',
  message: 'Rate limit exceeded. Please slow down your requests.',
};

describe('rate-limit grammar (api-v1 §6.1)', () => {
  it('parses N per unit, N/unit, multiples, plurals and ;-combined limits', () => {
    expect(parseRateLimits('10 per second')).toEqual([
      { count: 10, windowMs: 1_000, text: '10 per 1 second' },
    ]);
    expect(parseRateLimits('30/minute')).toEqual([{ count: 30, windowMs: 60_000, text: '30 per 1 minute' }]);
    expect(parseRateLimits('5 per 2 hours')).toEqual([
      { count: 5, windowMs: 7_200_000, text: '5 per 2 hour' },
    ]);
    expect(parseRateLimits('10 per second; 40 per MINUTE;1000 per day')).toEqual([
      { count: 10, windowMs: 1_000, text: '10 per 1 second' },
      { count: 40, windowMs: 60_000, text: '40 per 1 minute' },
      { count: 1000, windowMs: 86_400_000, text: '1000 per 1 day' },
    ]);
  });

  it('refuses anything else', () => {
    for (const text of [
      '',
      ';',
      'ten per second',
      '10 per fortnight',
      '0 per second',
      '10 per 0 second',
      '-1/second',
      '10',
    ]) {
      expect(parseRateLimits(text)).toBeNull();
    }
  });

  it('applies the documented fallbacks when the variables are unset', () => {
    const config = loadConfig(testEnv({}, { defaultRateLimits: true }));
    const texts = (limits: ReadonlyArray<{ text: string }>) => limits.map((limit) => limit.text);
    expect(texts(config.ORDER_RATE_LIMIT)).toEqual(['10 per 1 second']);
    expect(texts(config.SMART_ORDER_RATE_LIMIT)).toEqual(['10 per 1 second']);
    expect(texts(config.API_RATE_LIMIT)).toEqual(['50 per 1 second']);
    expect(texts(config.GREEKS_RATE_LIMIT)).toEqual(['30 per 1 minute']);
    expect(texts(config.TELEGRAM_RATE_LIMIT)).toEqual(['30 per 1 minute']);
    expect(texts(config.WHATSAPP_RATE_LIMIT)).toEqual(['30 per 1 minute']);
    expect(texts(config.PORTFOLIO_API_RATE_LIMIT)).toEqual(['10 per 1 minute']);
    expect(texts(config.PORTFOLIO_TEARSHEET_RATE_LIMIT)).toEqual(['5 per 1 minute']);
    expect(texts(config.SIP_API_RATE_LIMIT)).toEqual(['10 per 1 minute']);
  });

  it('stops start-up with every bad limit variable named', () => {
    let caught: unknown;
    try {
      loadConfig(testEnv({ ORDER_RATE_LIMIT: '10 per fortnight', API_RATE_LIMIT: 'lots' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/ORDER_RATE_LIMIT: ORDER_RATE_LIMIT must look like/);
    expect(problems).toMatch(/API_RATE_LIMIT: API_RATE_LIMIT must look like/);
  });
});

describe.each(testBackends())('rate limits over HTTP on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { env: { API_RATE_LIMIT: '3 per minute;1000 per day' } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers the 4th request of a minute with the spec 429 body and Retry-After', async () => {
    for (let index = 0; index < 3; index += 1) {
      expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(200);
    }
    const limited = await t.post('/api/v1/ping', { apikey: t.apiKey });
    expect(limited.status).toBe(429);
    expect(limited.contentType).toMatch(/application\/json/);
    const body = limited.json as { retry_after: number };
    expect(body).toEqual({ ...RATE_LIMITED, retry_after: body.retry_after });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(60);
    const retryAfter = await t.request('/api/v1/ping', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: t.apiKey }),
    });
    expect(retryAfter.status).toBe(429);
  });

  it('counts per presented key: another key has its own budget, limited before auth', async () => {
    const otherKey = 'f'.repeat(64);
    for (let index = 0; index < 3; index += 1) {
      expect((await t.post('/api/v1/ping', { apikey: otherKey })).status).toBe(403);
    }
    // Invalid keys are rate limited too (the limiter runs before authentication).
    expect((await t.post('/api/v1/ping', { apikey: otherKey })).status).toBe(429);
  });

  it('falls back to the client IP when no key is presented, and runs before validation', async () => {
    for (let index = 0; index < 3; index += 1) {
      expect((await t.post('/api/v1/ping', {})).status).toBe(400);
    }
    expect((await t.post('/api/v1/ping', { other: 1 })).status).toBe(429);
  });
});

describe('combined limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('pglite', { env: { API_RATE_LIMIT: '100 per minute;2 per hour' } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('enforces every limit of a ;-combined value', async () => {
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(200);
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(200);
    const limited = await t.post('/api/v1/ping', { apikey: t.apiKey });
    expect(limited.status).toBe(429);
    // The hour window is the one exceeded.
    expect((limited.json as { retry_after: number }).retry_after).toBeGreaterThan(60);
  });
});

const redisUrl = process.env.REDIS_URL;

describe.each(redisUrl ? [redisUrl] : [])('limits shared by two api instances through Redis %s', (url) => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const namespace = `test-shared-${Date.now().toString(36)}-${process.pid}:`;
    const env = { REDIS_URL: url, RATE_LIMIT_NAMESPACE: namespace, API_RATE_LIMIT: '3 per minute' };
    first = await startTestApp('pglite', { env });
    // The second instance serves the same installation: same database, same key.
    second = await startTestApp('pglite', {
      env: {
        ...env,
        API_KEY_PEPPER: first.config.API_KEY_PEPPER,
        ENCRYPTION_KEYS: first.config.ENCRYPTION_KEYS,
      },
      database: first.database,
      skipSetup: true,
    });
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('counts requests to either instance against one budget', async () => {
    expect((await first.post('/api/v1/ping', { apikey: first.apiKey })).status).toBe(200);
    expect((await second.post('/api/v1/ping', { apikey: first.apiKey })).status).toBe(200);
    expect((await first.post('/api/v1/ping', { apikey: first.apiKey })).status).toBe(200);
    const limited = await second.post('/api/v1/ping', { apikey: first.apiKey });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject(RATE_LIMITED);
    expect((await first.post('/api/v1/ping', { apikey: first.apiKey })).status).toBe(429);
  });
});
