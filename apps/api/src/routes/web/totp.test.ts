import { testBackends } from '@openalgo/db/testing';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

/** 2030-01-07 10:00 IST (in the future, so the cookie jar keeps cookies that expire by this clock). */
const START = Date.UTC(2030, 0, 7, 4, 30);

describe.each(testBackends())('TOTP two-factor authentication on %s', (backend) => {
  let t: TestApp;
  let clock = START;
  let secret = '';
  let recoveryCodes: string[] = [];
  /** Codes are single-use per 30 s step: each sign-in moves the clock on by a step. */
  const codeNow = () => generateSync({ secret, epoch: Math.floor(clock / 1_000) });
  const nextStep = () => {
    clock += 30_000;
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => clock });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function signedIn(password = TEST_ADMIN_PASSWORD): Promise<WebClient> {
    const client = new WebClient(t.baseUrl);
    expect((await client.login('admin', password)).status).toBe(200);
    return client;
  }

  it('enrols with a secret, an otpauth URL and a QR code, active only once a code confirms it', async () => {
    const client = await signedIn();
    expect((await client.post('/web/totp/enrol', { password: 'wrong' })).status).toBe(403);
    const enrol = await client.post('/web/totp/enrol', { password: TEST_ADMIN_PASSWORD });
    expect(enrol.status).toBe(200);
    const data = (enrol.json as { data: { secret: string; otpauth_url: string; qr_code: string } }).data;
    expect(data.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(data.otpauth_url).toMatch(/^otpauth:\/\/totp\/OpenAlgo:admin\?/);
    expect(data.otpauth_url).toContain(`secret=${data.secret}`);
    expect(data.qr_code).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    secret = data.secret;
    // Stored encrypted, and not yet required.
    const row = await t.database.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row.totp_secret_enc).toMatch(/^v1\.k1\./);
    expect(row.totp_secret_enc).not.toContain(secret);
    expect(row.totp_enabled).toBe(false);
    expect((await client.get('/web/totp')).json).toEqual({
      status: 'success',
      data: { enabled: false, pending: true, recovery_codes_left: 0 },
    });
    expect((await new WebClient(t.baseUrl).login('admin', TEST_ADMIN_PASSWORD)).json).toMatchObject({
      data: { totp_required: false },
    });

    expect((await client.post('/web/totp/activate', { code: '000000' })).status).toBe(401);
    const activate = await client.post('/web/totp/activate', { code: codeNow() });
    expect(activate.status).toBe(200);
    recoveryCodes = (activate.json as { data: { recovery_codes: string[] } }).data.recovery_codes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) {
      expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    }
    const stored = await t.database.db.selectFrom('recovery_codes').select('code_hash').execute();
    expect(stored).toHaveLength(10);
    expect(
      stored.some((row) => recoveryCodes.some((code) => row.code_hash.includes(code.replace('-', '')))),
    ).toBe(false);
    expect((await client.get('/web/totp')).json).toMatchObject({
      data: { enabled: true, recovery_codes_left: 10 },
    });
  });

  it('requires the code when enrolled: the password alone gives no session', async () => {
    nextStep();
    const client = new WebClient(t.baseUrl);
    const step1 = await client.login('admin', TEST_ADMIN_PASSWORD);
    expect(step1.status).toBe(200);
    expect(step1.setCookies).toEqual([]);
    const { login_token: loginToken, totp_required: required } = (
      step1.json as { data: { login_token: string; totp_required: boolean } }
    ).data;
    expect(required).toBe(true);
    expect((await client.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    expect((await client.post('/web/v1/ping', {})).status).toBe(401);

    const wrong = await client.post('/web/login/totp', { login_token: loginToken, code: '123456' });
    expect(wrong.status).toBe(401);
    expect(wrong.setCookies).toEqual([]);
    const forged = await client.post('/web/login/totp', { login_token: 'x'.repeat(43), code: codeNow() });
    expect(forged.status).toBe(401);
    const step2 = await client.post('/web/login/totp', { login_token: loginToken, code: codeNow() });
    expect(step2.status).toBe(200);
    expect(step2.setCookies[0]).toMatch(/^oa_session=/);
    expect((await client.post('/web/v1/ping', {})).status).toBe(200);
    // The login token is single-use.
    nextStep();
    const again = await new WebClient(t.baseUrl).post('/web/login/totp', {
      login_token: loginToken,
      code: codeNow(),
    });
    expect(again.status).toBe(401);
  });

  it('never accepts the same code twice (replay), even for a new login', async () => {
    nextStep();
    const first = new WebClient(t.baseUrl);
    const code = codeNow();
    const token1 = (
      (await first.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    expect((await first.post('/web/login/totp', { login_token: token1, code })).status).toBe(200);
    const second = new WebClient(t.baseUrl);
    const token2 = (
      (await second.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    expect((await second.post('/web/login/totp', { login_token: token2, code })).status).toBe(401);
  });

  it('lets the TOTP step lapse after five minutes', async () => {
    nextStep();
    const client = new WebClient(t.baseUrl);
    const token = (
      (await client.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    clock += 5 * 60_000 + 1;
    const late = await client.post('/web/login/totp', { login_token: token, code: codeNow() });
    expect(late.status).toBe(401);
    expect(late.json).toEqual({
      status: 'error',
      message: 'The sign-in has expired; enter your password again.',
    });
  });

  it('limits the guesses on one login token', async () => {
    nextStep();
    const client = new WebClient(t.baseUrl);
    const token = (
      (await client.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await client.post('/web/login/totp', { login_token: token, code: '000000' })).status).toBe(401);
    }
    const correct = await client.post('/web/login/totp', { login_token: token, code: codeNow() });
    expect(correct.status).toBe(401);
    expect(correct.json).toMatchObject({ message: 'The sign-in has expired; enter your password again.' });
  });

  it('accepts each recovery code once instead of a TOTP code', async () => {
    nextStep();
    const recovery = recoveryCodes[0] ?? '';
    const first = new WebClient(t.baseUrl);
    const token1 = (
      (await first.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    const used = await first.post('/web/login/totp', { login_token: token1, code: recovery.toUpperCase() });
    expect(used.status).toBe(200);
    const second = new WebClient(t.baseUrl);
    const token2 = (
      (await second.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    expect((await second.post('/web/login/totp', { login_token: token2, code: recovery })).status).toBe(401);
    expect((await first.get('/web/totp')).json).toMatchObject({ data: { recovery_codes_left: 9 } });
  });

  it('resets a forgotten password with the username and a code; every session ends', async () => {
    nextStep();
    const client = new WebClient(t.baseUrl);
    const token = (
      (await client.login('admin', TEST_ADMIN_PASSWORD)).json as { data: { login_token: string } }
    ).data.login_token;
    expect((await client.post('/web/login/totp', { login_token: token, code: codeNow() })).status).toBe(200);
    nextStep();
    const stranger = new WebClient(t.baseUrl);
    const refused = await stranger.post('/web/password/reset', {
      username: 'admin',
      code: '111111',
      new_password: 'taken over',
    });
    expect(refused.status).toBe(401);
    const unknownUser = await stranger.post('/web/password/reset', {
      username: 'nobody',
      code: codeNow(),
      new_password: 'taken over',
    });
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.json).toEqual(refused.json);
    const reset = await stranger.post('/web/password/reset', {
      username: 'admin',
      code: codeNow(),
      new_password: 'a fresh password',
    });
    expect(reset.status).toBe(200);
    expect((await client.get('/web/session')).json).toMatchObject({ data: { authenticated: false } });
    expect((await new WebClient(t.baseUrl).login('admin', TEST_ADMIN_PASSWORD)).status).toBe(401);
    const step1 = await new WebClient(t.baseUrl).login('admin', 'a fresh password');
    expect(step1.json).toMatchObject({ data: { totp_required: true } });
  });

  it('regenerates recovery codes with a code; the old ones stop working', async () => {
    nextStep();
    const client = new WebClient(t.baseUrl);
    const token = (
      (await client.login('admin', 'a fresh password')).json as { data: { login_token: string } }
    ).data.login_token;
    expect((await client.post('/web/login/totp', { login_token: token, code: codeNow() })).status).toBe(200);
    nextStep();
    const regenerated = await client.post('/web/totp/recovery-codes', { code: codeNow() });
    expect(regenerated.status).toBe(200);
    const fresh = (regenerated.json as { data: { recovery_codes: string[] } }).data.recovery_codes;
    expect(fresh).toHaveLength(10);
    const other = new WebClient(t.baseUrl);
    const otherToken = (
      (await other.login('admin', 'a fresh password')).json as { data: { login_token: string } }
    ).data.login_token;
    expect(
      (await other.post('/web/login/totp', { login_token: otherToken, code: recoveryCodes[1] ?? '' })).status,
    ).toBe(401);
    recoveryCodes = fresh;
  });

  it('disables two-factor only with the password and a code', async () => {
    nextStep();
    const client = new WebClient(t.baseUrl);
    const token = (
      (await client.login('admin', 'a fresh password')).json as { data: { login_token: string } }
    ).data.login_token;
    expect((await client.post('/web/login/totp', { login_token: token, code: codeNow() })).status).toBe(200);
    nextStep();
    expect(
      (await client.post('/web/totp/disable', { password: 'a fresh password', code: '000000' })).status,
    ).toBe(401);
    expect((await client.post('/web/totp/disable', { password: 'wrong', code: codeNow() })).status).toBe(403);
    const disabled = await client.post('/web/totp/disable', {
      password: 'a fresh password',
      code: codeNow(),
    });
    expect(disabled.status).toBe(200);
    const row = await t.database.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ totp_enabled: false, totp_secret_enc: null });
    expect(await t.database.db.selectFrom('recovery_codes').selectAll().execute()).toEqual([]);
    expect((await new WebClient(t.baseUrl).login('admin', 'a fresh password')).json).toMatchObject({
      data: { totp_required: false },
    });
    await t.app.services.audit.flush();
    const events = (await t.app.services.audit.list({ limit: 500 })).map((event) => event.event);
    for (const event of [
      'totp.enrolled',
      'totp.recovery_code_used',
      'totp.recovery_codes_regenerated',
      'password.reset',
      'totp.disabled',
    ]) {
      expect(events).toContain(event);
    }
  });
});
