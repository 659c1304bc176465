import { createHash } from 'node:crypto';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

/** 2030-01-07 10:00 IST (in the future, so the cookie jar keeps cookies that expire by this clock). */
const START = Date.UTC(2030, 0, 7, 4, 30);
const MINUTE = 60_000;

describe.each(testBackends())('web sessions on %s', (backend) => {
  let t: TestApp;
  let clock = START;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => clock, env: { SESSION_IDLE_MINUTES: '30' } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function signedIn(): Promise<WebClient> {
    const client = new WebClient(t.baseUrl);
    const response = await client.login('admin', TEST_ADMIN_PASSWORD);
    expect(response.status).toBe(200);
    return client;
  }

  it('refuses first-run setup once an admin exists', async () => {
    const client = new WebClient(t.baseUrl);
    expect((await client.get('/web/setup')).json).toEqual({
      status: 'success',
      data: { setup_required: false },
    });
    const response = await client.post('/web/setup', { username: 'intruder', password: 'password123' });
    expect(response.status).toBe(409);
    expect(response.json).toEqual({ status: 'error', message: 'Setup is already complete.' });
    expect(await client.sessionToken()).toBeUndefined();
  });

  it('signs in with a secure, httpOnly, SameSite=Strict cookie and answers who is signed in', async () => {
    const client = new WebClient(t.baseUrl);
    const anonymous = await client.get('/web/session');
    expect(anonymous.json).toEqual({
      status: 'success',
      data: { authenticated: false, setup_required: false },
    });

    const wrong = await client.login('admin', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ status: 'error', message: 'Invalid username or password.' });
    expect(wrong.setCookies).toEqual([]);

    const response = await client.login('admin', TEST_ADMIN_PASSWORD);
    expect(response.status).toBe(200);
    const [cookie] = response.setCookies;
    expect(cookie).toMatch(/^oa_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/web/);
    expect(cookie).not.toMatch(/; Secure/); // plain http on loopback, COOKIE_SECURE=auto
    const session = await client.get('/web/session');
    expect(session.json).toMatchObject({
      status: 'success',
      data: {
        authenticated: true,
        user: { username: 'admin', is_admin: true, totp_enabled: false },
        session_id: expect.stringMatching(/^ses_/),
        expires_at: Date.UTC(2030, 0, 7, 21, 30), // the next 03:00 IST
        idle_expires_at: START + 30 * MINUTE,
      },
    });
    expect(client.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores only a hash of the session token', async () => {
    const client = await signedIn();
    const token = (await client.sessionToken()) ?? '';
    const rows = await t.database.db.selectFrom('web_sessions').selectAll().execute();
    expect(rows.some((row) => row.token_hash === token)).toBe(false);
    expect(rows.some((row) => row.token_hash === createHash('sha256').update(token).digest('hex'))).toBe(
      true,
    );
  });

  it('refuses a mutating request without the CSRF token, with a wrong one, or cross-origin', async () => {
    const client = await signedIn();
    const missing = await client.post('/web/v1/ping', {}, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.json).toMatchObject({ status: 'error', message: expect.stringMatching(/CSRF/) });
    const wrong = await client.post(
      '/web/v1/ping',
      {},
      { csrf: false, headers: { 'x-csrf-token': 'x'.repeat(43) } },
    );
    expect(wrong.status).toBe(403);
    const other = await signedIn();
    const someoneElses = await client.post(
      '/web/logout',
      {},
      { csrf: false, headers: { 'x-csrf-token': other.csrfToken ?? '' } },
    );
    expect(someoneElses.status).toBe(403);
    const crossOrigin = await client.post('/web/v1/ping', {}, { headers: { origin: 'http://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    const crossSite = await client.post('/web/v1/ping', {}, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    // Still signed in: none of those did anything.
    expect((await client.get('/web/session')).json).toMatchObject({ data: { authenticated: true } });
    const sameOrigin = await client.post('/web/v1/ping', {}, { headers: { origin: t.baseUrl } });
    expect(sameOrigin.status).toBe(200);
  });

  it('serves /api/v1 routes at /web/v1 behind the session, with the body minus apikey', async () => {
    const anonymous = new WebClient(t.baseUrl);
    const refused = await anonymous.post('/web/v1/ping', {});
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ status: 'error', message: 'Sign in first: no valid session.' });

    const client = await signedIn();
    const pong = await client.post('/web/v1/ping', {});
    expect(pong.status).toBe(200);
    expect(pong.json).toEqual({ status: 'success', data: { message: 'pong', broker: 'simulator' } });
    const withKey = await client.post('/web/v1/ping', { apikey: t.apiKey });
    expect(withKey.status).toBe(400);
    expect(withKey.json).toEqual({ status: 'error', message: { apikey: ['Unknown field.'] } });
    // The key door is unchanged and does not accept the cookie instead of a key.
    const cookieAtKeyDoor = await client.post('/api/v1/ping', {});
    expect(cookieAtKeyDoor.status).toBe(400);
  });

  it('makes session fixation impossible: login always issues a new session and ends the old one', async () => {
    // A token the attacker made up is never adopted.
    const victim = new WebClient(t.baseUrl);
    const planted = 'A'.repeat(43);
    await victim.setSessionToken(planted);
    expect((await victim.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    await victim.login('admin', TEST_ADMIN_PASSWORD);
    const issued = await victim.sessionToken();
    expect(issued).toBeDefined();
    expect(issued).not.toBe(planted);

    // A real session the attacker obtained and planted in the victim's browser dies at login.
    const attacker = await signedIn();
    const attackerToken = (await attacker.sessionToken()) ?? '';
    const browser = new WebClient(t.baseUrl);
    await browser.setSessionToken(attackerToken);
    await browser.login('admin', TEST_ADMIN_PASSWORD);
    expect(await browser.sessionToken()).not.toBe(attackerToken);
    expect((await attacker.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    expect((await browser.get('/web/session')).json).toMatchObject({ data: { authenticated: true } });
  });

  it('logs out this session, and everywhere', async () => {
    const first = await signedIn();
    const second = await signedIn();
    // Logout takes no input: anything but an empty body is refused and ends nothing.
    expect((await first.post('/web/logout', { everywhere: true })).status).toBe(400);
    expect((await first.post('/web/v1/ping', {})).status).toBe(200);
    const logout = await first.post('/web/logout');
    expect(logout.json).toEqual({ status: 'success', data: { sessions_ended: 1 } });
    expect(logout.setCookies[0]).toMatch(/^oa_session=;/);
    expect((await first.post('/web/v1/ping', {})).status).toBe(401);
    expect((await second.post('/web/v1/ping', {})).status).toBe(200);

    const third = await signedIn();
    const everywhere = await third.post('/web/logout/all');
    expect(everywhere.status).toBe(200);
    expect(
      (everywhere.json as { data: { sessions_ended: number } }).data.sessions_ended,
    ).toBeGreaterThanOrEqual(2);
    expect((await second.post('/web/v1/ping', {})).status).toBe(401);
    expect((await third.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
  });

  it('lists active sessions and ends one by id', async () => {
    const mine = await signedIn();
    const other = await signedIn();
    const list = await mine.get('/web/sessions');
    const sessions = (list.json as { data: Array<{ session_id: string; current: boolean }> }).data;
    const current = sessions.filter((session) => session.current);
    expect(current).toHaveLength(1);
    const otherId = ((await other.get('/web/session')).json as { data: { session_id: string } }).data
      .session_id;
    expect(sessions.some((session) => session.session_id === otherId)).toBe(true);
    expect((await mine.delete(`/web/sessions/${otherId}`)).status).toBe(200);
    expect((await other.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    expect((await mine.delete(`/web/sessions/${otherId}`)).status).toBe(404);
  });

  it('refuses an idle session', async () => {
    clock = START;
    const client = await signedIn();
    clock = START + 29 * MINUTE;
    expect((await client.post('/web/v1/ping', {})).status).toBe(200); // activity: idle timer restarts
    clock = START + 58 * MINUTE;
    expect((await client.post('/web/v1/ping', {})).status).toBe(200);
    clock = START + 89 * MINUTE;
    const idle = await client.post('/web/v1/ping', {});
    expect(idle.status).toBe(401);
    expect((await client.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    clock = START;
  });

  it('forces every session out at the daily expiry time (03:00 IST)', async () => {
    clock = Date.UTC(2030, 0, 7, 21, 0); // 02:30 IST
    const client = await signedIn();
    const info = (await client.get('/web/session')).json as { data: { expires_at: number } };
    expect(info.data.expires_at).toBe(Date.UTC(2030, 0, 7, 21, 30));
    clock = Date.UTC(2030, 0, 7, 21, 29, 59);
    expect((await client.post('/web/v1/ping', {})).status).toBe(200);
    clock = Date.UTC(2030, 0, 7, 21, 30);
    expect((await client.post('/web/v1/ping', {})).status).toBe(401);
    // A login after the boundary lasts until the next day's 03:00.
    const fresh = await signedIn();
    expect(((await fresh.get('/web/session')).json as { data: { expires_at: number } }).data.expires_at).toBe(
      Date.UTC(2030, 0, 8, 21, 30),
    );
    clock = START;
  });

  it('rotates the API key after re-checking the password; the old key stops at once', async () => {
    const client = await signedIn();
    const info = await client.get('/web/apikey');
    expect(info.json).toMatchObject({ data: { key_prefix: t.apiKey.slice(0, 8), order_mode: 'auto' } });
    const refused = await client.post('/web/apikey/rotate', { password: 'wrong password' });
    expect(refused.status).toBe(403);
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(200);
    const rotated = await client.post('/web/apikey/rotate', { password: TEST_ADMIN_PASSWORD });
    expect(rotated.status).toBe(200);
    const { apikey } = (rotated.json as { data: { apikey: string } }).data;
    expect(apikey).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(403);
    expect((await t.post('/api/v1/ping', { apikey })).status).toBe(200);
    t.apiKey = apikey;
    // Only the prefix is shown afterwards.
    expect((await client.get('/web/apikey')).json).toMatchObject({
      data: { key_prefix: apikey.slice(0, 8) },
    });
    expect((await client.get('/web/apikey')).text).not.toContain(apikey);
  });

  it('changes the password: every other session ends, this browser gets a new one', async () => {
    const other = await signedIn();
    const client = await signedIn();
    const before = await client.sessionToken();
    const wrong = await client.post('/web/password', {
      current_password: 'nope',
      new_password: 'a new password',
    });
    expect(wrong.status).toBe(403);
    const weak = await client.post('/web/password', {
      current_password: TEST_ADMIN_PASSWORD,
      new_password: 'short',
    });
    expect(weak.status).toBe(400);
    const changed = await client.post('/web/password', {
      current_password: TEST_ADMIN_PASSWORD,
      new_password: 'a much better password',
    });
    expect(changed.status).toBe(200);
    expect(await client.sessionToken()).not.toBe(before);
    expect((await client.post('/web/v1/ping', {})).status).toBe(200);
    expect((await other.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    expect((await new WebClient(t.baseUrl).login('admin', TEST_ADMIN_PASSWORD)).status).toBe(401);
    // Put it back for the other tests.
    const back = await client.post('/web/password', {
      current_password: 'a much better password',
      new_password: TEST_ADMIN_PASSWORD,
    });
    expect(back.status).toBe(200);
  });

  it('switches the order mode and the analyzer mode, each switch audited', async () => {
    const client = await signedIn();
    const semi = await client.post('/web/apikey/mode', { mode: 'semi_auto' });
    expect(semi.json).toEqual({ status: 'success', data: { order_mode: 'semi_auto' } });
    expect((await client.get('/web/apikey')).json).toMatchObject({ data: { order_mode: 'semi_auto' } });
    // The session door sees the new mode at once (semi-auto may not toggle the analyzer).
    expect((await client.post('/web/v1/analyzer/toggle', { mode: true })).status).toBe(403);
    expect((await client.post('/web/apikey/mode', { mode: 'auto' })).status).toBe(200);
    const toggled = await client.post('/web/v1/analyzer/toggle', { mode: true });
    expect(toggled.status).toBe(200);
    expect((await client.post('/web/v1/analyzer/toggle', { mode: false })).status).toBe(200);
    expect((await client.post('/web/apikey/mode', { mode: 'manual' })).status).toBe(400);
    await t.app.services.audit.flush();
    const switches = await t.app.services.audit.list({ event: 'mode.switched' });
    expect(switches.map((row) => row.detail)).toEqual([
      { analyze_mode: false, door: 'session' },
      { analyze_mode: true, door: 'session' },
      { order_mode: 'auto', previous: 'semi_auto' },
      { order_mode: 'semi_auto', previous: 'auto' },
    ]);
  });

  it('audits sign-ins, failures, logouts, key rotation and password changes', async () => {
    await t.app.services.audit.flush();
    const client = await signedIn();
    const audit = await client.get('/web/audit?limit=500');
    expect(audit.status).toBe(200);
    const events = new Set((audit.json as { data: Array<{ event: string }> }).data.map((row) => row.event));
    for (const event of [
      'login.succeeded',
      'login.failed',
      'logout',
      'logout.everywhere',
      'apikey.rotated',
      'password.changed',
      'session.revoked',
    ]) {
      expect(events).toContain(event);
    }
    const onlyFailures = await client.get('/web/audit?event=login.failed');
    const rows = (onlyFailures.json as { data: Array<{ event: string; ip: string; detail: object }> }).data;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.event === 'login.failed' && row.ip === '127.0.0.1')).toBe(true);
    expect((await new WebClient(t.baseUrl).get('/web/audit')).status).toBe(401);
  });
});

describe.each(testBackends())('web session lifetime on %s', (backend) => {
  let t: TestApp;
  let clock = START;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      now: () => clock,
      env: { SESSION_MAX_AGE_HOURS: '1', SESSION_IDLE_MINUTES: '45' },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a session past its absolute lifetime, however active it was', async () => {
    const client = new WebClient(t.baseUrl);
    expect((await client.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    const info = (await client.get('/web/session')).json as { data: { expires_at: number } };
    expect(info.data.expires_at).toBe(START + 60 * MINUTE);
    for (const at of [20, 40, 59]) {
      clock = START + at * MINUTE;
      expect((await client.post('/web/v1/ping', {})).status).toBe(200);
    }
    clock = START + 60 * MINUTE;
    const expired = await client.post('/web/v1/ping', {});
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ status: 'error', message: 'Sign in first: no valid session.' });
    expect((await client.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    // The expired cookie is worth nothing even to the session door's read-only routes.
    expect((await client.get('/web/sessions')).status).toBe(401);
  });
});
