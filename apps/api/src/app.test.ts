import { listTrafficLogs } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testing/test-app.js';

describe.each(testBackends())('api shell on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers ping with the spec success body', async () => {
    const response = await t.post('/api/v1/ping', { apikey: t.apiKey });
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/application\/json/);
    expect(response.json).toEqual({ status: 'success', data: { message: 'pong', broker: 'simulator' } });
  });

  it('accepts a trailing slash', async () => {
    const response = await t.post('/api/v1/ping/', { apikey: t.apiKey });
    expect(response.status).toBe(200);
  });

  it('refuses a wrong key with 403 and the spec body', async () => {
    const response = await t.post('/api/v1/ping', { apikey: '0'.repeat(64) });
    expect(response.status).toBe(403);
    expect(response.json).toEqual({ status: 'error', message: 'Invalid openalgo apikey' });
  });

  it('validates before authenticating (E2 envelope)', async () => {
    expect((await t.post('/api/v1/ping', {})).json).toEqual({
      status: 'error',
      message: { apikey: ['Missing data for required field.'] },
    });
    const unknownField = await t.post('/api/v1/ping', { apikey: t.apiKey, extra: 1 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json).toEqual({ status: 'error', message: { extra: ['Unknown field.'] } });
    const wrongType = await t.post('/api/v1/ping', { apikey: 12 });
    expect(wrongType.json).toEqual({ status: 'error', message: { apikey: ['Not a valid string.'] } });
    const tooLong = await t.post('/api/v1/ping', { apikey: 'k'.repeat(257) });
    expect(tooLong.json).toEqual({
      status: 'error',
      message: { apikey: ['Length must be between 1 and 256.'] },
    });
    const nullBody = await t.post('/api/v1/ping', 'null');
    expect(nullBody.status).toBe(400);
    expect(nullBody.json).toEqual({ status: 'error', message: { _schema: ['Invalid input type.'] } });
    const arrayBody = await t.post('/api/v1/ping', '[]');
    expect(arrayBody.json).toEqual({ status: 'error', message: { _schema: ['Invalid input type.'] } });
  });

  it('answers malformed, empty and non-JSON bodies with 400 JSON, never 5xx', async () => {
    const invalidBody = { status: 'error', message: 'Request body must be a JSON object' };
    const malformed = await t.post('/api/v1/ping', '{"apikey": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual(invalidBody);
    const empty = await t.post('/api/v1/ping', '');
    expect(empty.status).toBe(400);
    expect(empty.json).toEqual(invalidBody);
    const form = await t.request('/api/v1/ping', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'apikey=x',
    });
    expect(form.status).toBe(400);
    expect(form.json).toEqual(invalidBody);
    const poisoned = await t.post('/api/v1/ping', '{"apikey":"x","__proto__":{"admin":true}}');
    expect(poisoned.status).toBe(400);
    expect(poisoned.json).toMatchObject({ status: 'error' });
  });

  it('answers unknown routes with 404 JSON and wrong methods with 405', async () => {
    const missing = await t.post('/api/v1/nope', {});
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ status: 'error', message: 'Not found', path: '/api/v1/nope' });
    const wrongMethod = await t.request('/api/v1/ping', { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json).toEqual({
      status: 'error',
      message: 'The method is not allowed for the requested URL.',
    });
  });

  it('rotating the key invalidates the old one immediately', async () => {
    const oldKey = t.apiKey;
    expect((await t.post('/api/v1/ping', { apikey: oldKey })).status).toBe(200);
    const user = await t.app.services.accounts.findAdmin();
    const newKey = await t.app.services.accounts.rotateApiKey(user.id);
    expect(newKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.post('/api/v1/ping', { apikey: oldKey })).status).toBe(403);
    expect((await t.post('/api/v1/ping', { apikey: newKey })).status).toBe(200);
    t.apiKey = newKey;
  });

  it('rotates through the loopback admin route only with the admin token', async () => {
    const refused = await t.post('/internal/admin/apikey/rotate', {}, { authorization: 'Bearer nope' });
    expect(refused.status).toBe(403);
    const rotated = await t.post(
      '/internal/admin/apikey/rotate',
      {},
      { authorization: `Bearer ${t.config.ADMIN_TOKEN}` },
    );
    expect(rotated.status).toBe(200);
    const { apikey } = rotated.json as { apikey: string };
    expect((await t.post('/api/v1/ping', { apikey: t.apiKey })).status).toBe(403);
    expect((await t.post('/api/v1/ping', { apikey })).status).toBe(200);
    t.apiKey = apikey;
  });

  it('stores only a peppered hash of the key', async () => {
    const rows = await t.database.db.selectFrom('api_keys').selectAll().execute();
    for (const row of rows) {
      expect(row.key_hash).not.toContain(t.apiKey);
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(rows.some((row) => row.key_hash === t.app.services.apiKeys.hash(t.apiKey))).toBe(true);
  });

  it('encrypts the broker session token at rest', async () => {
    const rows = await t.database.db.selectFrom('broker_sessions').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.access_token_enc).toMatch(/^v1\.k1\./);
      expect(t.app.services.secretBox.decrypt(row.access_token_enc)).toMatch(/^sim-/);
    }
  });

  it('writes the traffic log asynchronously', async () => {
    await t.post('/api/v1/ping', { apikey: t.apiKey });
    await t.app.services.trafficLog.flush();
    const rows = await listTrafficLogs(t.database.db, { pathPrefix: '/api/v1/ping' });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.status === 200 && row.api_key_id !== null)).toBe(true);
    expect(rows.some((row) => row.status === 403)).toBe(true);
  });

  it('reports health', async () => {
    const response = await t.request('/health', { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: 'ok', database: 'ok', databaseKind: backend });
  });
});
