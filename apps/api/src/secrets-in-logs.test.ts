import { Writable } from 'node:stream';
import { generateSync } from 'otplib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED_PATHS } from './logger.js';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './testing/test-app.js';
import { WebClient } from './testing/web-client.js';

/**
 * Nothing secret ever reaches the log: a full flow (sign-in, two-factor enrolment and login,
 * recovery code, key rotation, API calls with good and bad keys, malformed bodies carrying
 * secrets, password change, logout) runs with a real pino logger at `trace`, and the captured
 * output is searched for every secret value the flow handled.
 */
describe('secrets never logged', () => {
  let output = '';
  let t: TestApp;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    t = await startTestApp('pglite', { logger, env: { LOG_LEVEL: 'trace' } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('runs a full flow and finds none of its secrets in the log', async () => {
    secrets.password = TEST_ADMIN_PASSWORD;
    secrets.firstApiKey = t.apiKey;
    const client = new WebClient(t.baseUrl);
    expect((await client.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    secrets.sessionToken = (await client.sessionToken()) ?? '';
    secrets.csrfToken = client.csrfToken ?? '';
    await client.login('admin', 'a wrong password guess');
    secrets.wrongPassword = 'a wrong password guess';

    const enrol = await client.post('/web/totp/enrol', { password: TEST_ADMIN_PASSWORD });
    const totpSecret = (enrol.json as { data: { secret: string } }).data.secret;
    secrets.totpSecret = totpSecret;
    const activate = await client.post('/web/totp/activate', { code: generateSync({ secret: totpSecret }) });
    const codes = (activate.json as { data: { recovery_codes: string[] } }).data.recovery_codes;
    secrets.recoveryCode = codes[0] ?? '';
    secrets.unusedRecoveryCode = codes[5] ?? '';

    const second = new WebClient(t.baseUrl);
    const step1 = await second.login('admin', TEST_ADMIN_PASSWORD);
    const loginToken = (step1.json as { data: { login_token: string } }).data.login_token;
    secrets.loginToken = loginToken;
    expect(
      (await second.post('/web/login/totp', { login_token: loginToken, code: secrets.recoveryCode })).status,
    ).toBe(200);
    secrets.secondSessionToken = (await second.sessionToken()) ?? '';

    const rotated = await second.post('/web/apikey/rotate', { password: TEST_ADMIN_PASSWORD });
    secrets.rotatedApiKey = (rotated.json as { data: { apikey: string } }).data.apikey;
    expect((await t.post('/api/v1/ping', { apikey: secrets.rotatedApiKey })).status).toBe(200);
    expect((await t.post('/api/v1/ping', { apikey: secrets.firstApiKey })).status).toBe(403);
    // Malformed and invalid bodies that carry secrets.
    await t.post('/api/v1/ping', `{"apikey":"${secrets.rotatedApiKey}", broken`);
    await t.post('/api/v1/ping', { apikey: secrets.rotatedApiKey, unexpected: secrets.totpSecret });
    await second.post('/web/login', `{"username":"admin","password":"${TEST_ADMIN_PASSWORD}"`);
    await second.post('/web/password', { current_password: TEST_ADMIN_PASSWORD, new_password: 'x' });

    const broker = await t.database.db.selectFrom('broker_sessions').selectAll().executeTakeFirstOrThrow();
    secrets.brokerToken = t.app.services.secretBox.decrypt(broker.access_token_enc);

    const changed = await second.post('/web/password', {
      current_password: TEST_ADMIN_PASSWORD,
      new_password: 'the next password',
    });
    expect(changed.status).toBe(200);
    secrets.newPassword = 'the next password';
    secrets.thirdSessionToken = (await second.sessionToken()) ?? '';
    await second.post('/web/logout');

    await t.app.services.audit.flush();
    await t.app.services.trafficLog.flush();
    // The flow did log (so the search below means something).
    expect(output).toContain('signed in with a second factor');
    expect(output).toContain('api key rotated from the web app');
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThanOrEqual(8);
      expect(output.includes(value), `${name} appears in the log`).toBe(false);
    }
    // The audit trail in the database holds no secret either.
    const audit = JSON.stringify(await t.app.services.audit.list({ limit: 1_000 }));
    for (const [name, value] of Object.entries(secrets)) {
      expect(audit.includes(value), `${name} appears in the audit log`).toBe(false);
    }
  });
});
