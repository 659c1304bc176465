import { listActiveIpBans } from '@openalgo/db';
import { createTestDatabase, testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

/** 2030-01-07 10:00 IST (in the future, so the cookie jar keeps cookies that expire by this clock). */
const START = Date.UTC(2030, 0, 7, 4, 30);
const MINUTE = 60_000;
/** Documentation addresses (RFC 5737): only ever written into a header, never contacted. */
const REMOTE = ['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.13', '203.0.113.14'];
/** Bans travel asynchronously (a counter, then a publish): give a loaded machine time. */
const POLL = { timeout: 15_000, interval: 50 };
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe.each(testBackends())('abuse limits on %s', (backend) => {
  let t: TestApp;
  let clock = START;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      now: () => clock,
      env: {
        // Behind a reverse proxy on loopback: the client address comes from X-Forwarded-For.
        TRUST_PROXY: '127.0.0.1',
        LOGIN_LOCKOUT_THRESHOLD: '3',
        LOGIN_LOCKOUT_MINUTES: '15',
        FAILED_LOGIN_BAN_THRESHOLD: '4',
        INVALID_API_KEY_BAN_THRESHOLD: '5',
        LOGIN_RATE_LIMIT_MIN: '4 per minute',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('locks the account after repeated failures, even against the right password, then unlocks', async () => {
    // The rate limiter counts by the real clock: each address here stays under 4 a minute.
    const client = new WebClient(t.baseUrl);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(
        (await client.post('/web/login', { username: 'admin', password: 'guess' }, from('203.0.113.20')))
          .status,
      ).toBe(401);
    }
    const other = from('203.0.113.21');
    const locked = await new WebClient(t.baseUrl).post(
      '/web/login',
      { username: 'admin', password: TEST_ADMIN_PASSWORD },
      other,
    );
    expect(locked.status).toBe(423);
    expect(locked.json).toMatchObject({ status: 'error', message: expect.stringMatching(/locked/) });
    expect(locked.setCookies).toEqual([]);
    clock += 15 * MINUTE + 1;
    expect(
      (
        await new WebClient(t.baseUrl).post(
          '/web/login',
          { username: 'admin', password: TEST_ADMIN_PASSWORD },
          other,
        )
      ).status,
    ).toBe(200);
    await t.app.services.audit.flush();
    expect((await t.app.services.audit.list({ event: 'login.locked' })).length).toBe(1);
  });

  it('rate-limits sign-in attempts per IP with 429 and retry_after, whatever the outcome', async () => {
    const client = new WebClient(t.baseUrl);
    clock += MINUTE;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      statuses.push(
        (
          await client.post(
            '/web/login',
            { username: 'admin', password: TEST_ADMIN_PASSWORD },
            from(REMOTE[0] ?? ''),
          )
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const limited = await client.post(
      '/web/login',
      { username: 'admin', password: TEST_ADMIN_PASSWORD },
      from(REMOTE[0] ?? ''),
    );
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ status: 'error', retry_after: expect.any(Number) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address has its own budget.
    expect(
      (
        await client.post(
          '/web/login',
          { username: 'admin', password: TEST_ADMIN_PASSWORD },
          from(REMOTE[1] ?? ''),
        )
      ).status,
    ).toBe(200);
  });

  it('bans an IP after repeated invalid API keys; the ban answers the plain-text 403 everywhere', async () => {
    const ip = REMOTE[2] ?? '';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await t.post('/api/v1/ping', { apikey: 'f'.repeat(64) }, { 'x-forwarded-for': ip });
      expect(response.status).toBe(403);
    }
    // The ban is applied asynchronously after the fifth miss.
    await expect.poll(() => t.app.services.security.isBanned(ip), POLL).toBe(true);
    const banned = await t.post('/api/v1/ping', { apikey: t.apiKey }, { 'x-forwarded-for': ip });
    expect(banned.status).toBe(403);
    expect(banned.contentType).toMatch(/text\/plain/);
    expect(banned.text).toBe('Access Denied: Your IP has been banned');
    expect((await new WebClient(t.baseUrl).get('/web/session', from(ip))).status).toBe(403);
    // Persisted (the ban holds in memory first, the row follows), and everyone else still gets in.
    await expect
      .poll(async () => (await listActiveIpBans(t.database.db, new Date(clock))).map((row) => row.ip), POLL)
      .toContain(ip);
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(200);
  });

  it('bans an IP after repeated failed sign-ins', async () => {
    const ip = REMOTE[3] ?? '';
    clock += 20 * MINUTE;
    const client = new WebClient(t.baseUrl);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect(
        (await client.post('/web/login', { username: 'nobody', password: 'guess' }, from(ip))).status,
      ).toBe(401);
    }
    await expect.poll(() => t.app.services.security.isBanned(ip), POLL).toBe(true);
    expect(
      (await client.post('/web/login', { username: 'admin', password: TEST_ADMIN_PASSWORD }, from(ip)))
        .status,
    ).toBe(403);
  });

  it('never bans loopback, and refuses to ban it by hand', async () => {
    const client = new WebClient(t.baseUrl);
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await t.post('/api/v1/ping', { apikey: 'e'.repeat(64) });
    }
    expect(t.app.services.security.isBanned('127.0.0.1')).toBe(false);
    clock += MINUTE;
    expect((await client.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    const refused = await client.post('/web/admin/bans', { ip: '127.0.0.1' });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ status: 'error', message: 'Loopback addresses are never banned.' });
    expect((await client.post('/web/admin/bans', { ip: 'not-an-ip' })).status).toBe(400);
  });

  it('adds, lists and removes manual bans through the admin API, audited', async () => {
    const ip = REMOTE[4] ?? '';
    clock += MINUTE;
    const admin = new WebClient(t.baseUrl);
    expect((await admin.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    const added = await admin.post('/web/admin/bans', { ip, reason: 'scanner', duration_minutes: 60 });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      data: { ip, reason: 'scanner', source: 'manual', expires_at: clock + 60 * MINUTE },
    });
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey }, { 'x-forwarded-for': ip })).status).toBe(403);
    const list = await admin.get('/web/admin/bans');
    expect((list.json as { data: Array<{ ip: string }> }).data.map((ban) => ban.ip)).toContain(ip);
    expect((await admin.delete(`/web/admin/bans/${ip}`)).status).toBe(200);
    expect((await admin.delete(`/web/admin/bans/${ip}`)).status).toBe(404);
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey }, { 'x-forwarded-for': ip })).status).toBe(200);
    // A timed ban lapses by itself.
    await admin.post('/web/admin/bans', { ip, duration_minutes: 1 });
    expect(t.app.services.security.isBanned(ip)).toBe(true);
    clock += 2 * MINUTE;
    expect(t.app.services.security.isBanned(ip)).toBe(false);
    await t.app.services.audit.flush();
    const events = (await t.app.services.audit.list({ limit: 500 })).map((row) => row.event);
    expect(events).toContain('ban.added');
    expect(events).toContain('ban.removed');
  });
});

describe.each(testBackends())('bans shared between api instances on %s', (backend) => {
  const redisUrl = process.env.REDIS_URL;
  const sharedPrefix = `test-shared:${Math.random().toString(36).slice(2)}:`;
  let first: TestApp;
  let second: TestApp;
  const env = {
    TRUST_PROXY: '127.0.0.1',
    REDIS_KEY_PREFIX: sharedPrefix,
    INVALID_API_KEY_BAN_THRESHOLD: '4',
    // With REDIS_URL: counters and announcements through Redis; without: the database's NOTIFY.
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };

  beforeAll(async () => {
    const database = await createTestDatabase(backend);
    first = await startTestApp(backend, { database, env });
    second = await startTestApp(backend, { database, env, skipSetup: true });
    second.apiKey = first.apiKey;
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await first?.database.close();
  });

  it(`a ban made by one instance is enforced by the other at once (${redisUrl ? 'Redis' : 'database NOTIFY'})`, async () => {
    const ip = '198.51.100.7';
    const admin = new WebClient(first.baseUrl);
    expect((await admin.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    expect((await admin.post('/web/admin/bans', { ip, reason: 'shared' })).status).toBe(200);
    await expect.poll(() => second.app.services.security.isBanned(ip), POLL).toBe(true);
    const refused = await second.post('/api/v1/ping', { apikey: first.apiKey }, { 'x-forwarded-for': ip });
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('Access Denied: Your IP has been banned');
    expect((await admin.delete(`/web/admin/bans/${ip}`)).status).toBe(200);
    await expect.poll(() => second.app.services.security.isBanned(ip), POLL).toBe(false);
  });

  it('a restarted instance loads the persisted bans', async () => {
    const ip = '198.51.100.8';
    await first.app.services.security.ban(ip, { reason: 'persisted', source: 'manual' });
    const third = await startTestApp(backend, { database: first.database, env, skipSetup: true });
    try {
      expect(third.app.services.security.isBanned(ip)).toBe(true);
    } finally {
      await third.app.close();
    }
  });

  it(`counts invalid keys ${redisUrl ? 'across instances (Redis counters)' : 'per instance (no Redis)'}`, async () => {
    const ip = '198.51.100.9';
    for (const instance of [first, second, first, second]) {
      await instance.post('/api/v1/ping', { apikey: 'd'.repeat(64) }, { 'x-forwarded-for': ip });
    }
    if (redisUrl) {
      // Four misses in all reach the threshold of four, though split over two instances.
      await expect
        .poll(
          () => first.app.services.security.isBanned(ip) && second.app.services.security.isBanned(ip),
          POLL,
        )
        .toBe(true);
      return;
    }
    // Two misses each: neither instance has seen four.
    expect(first.app.services.security.isBanned(ip)).toBe(false);
    for (const instance of [first, first]) {
      await instance.post('/api/v1/ping', { apikey: 'd'.repeat(64) }, { 'x-forwarded-for': ip });
    }
    // The first has seen four now; its ban reaches the second through the database.
    await expect.poll(() => second.app.services.security.isBanned(ip), POLL).toBe(true);
  });
});
