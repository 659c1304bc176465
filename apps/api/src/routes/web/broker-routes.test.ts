import { testBackends } from '@openalgo/db/testing';
import { brokerStatusResponseSchema } from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

/** The broker routes with the simulator, which needs no login (the OAuth path: test/e2e/zerodha). */
describe.each(testBackends())('broker routes of the web app with the simulator on %s', (backend) => {
  let t: TestApp;
  let admin: WebClient;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = new WebClient(t.baseUrl);
    expect((await admin.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers the signed-in user’s connection: connected, nothing to log in to, the symbol master', async () => {
    for (const query of ['', '?validate=1']) {
      const response = await admin.get(`/web/broker/status${query}`);
      expect(response.status).toBe(200);
      const { data } = brokerStatusResponseSchema.parse(response.json);
      expect(data).toMatchObject({
        broker: 'simulator',
        connected: true,
        reason: null,
        auth_style: 'none',
        credential_fields: [],
        master_contract: { broker: 'simulator', error: null },
      });
      expect(['done', 'skipped']).toContain(data.master_contract.state);
    }
    expect((await admin.get('/web/broker/status?validate=maybe')).status).toBe(400);
  });

  it('refuses a login the broker does not have with 409, and bad credentials bodies with 400', async () => {
    const login = await admin.get('/web/broker/login?format=json');
    expect(login.status).toBe(409);
    expect(login.json).toEqual({ status: 'error', message: 'Simulator needs no login.' });
    const credentials = await admin.post('/web/broker/credentials', { client_id: 'AB1234' });
    expect(credentials.status).toBe(409);
    expect(credentials.json).toEqual({ status: 'error', message: 'Simulator needs no login.' });
    for (const body of ['[]', '"x"', '{"Client Id":"x"}', '{"pin":42}', '{"pin":']) {
      const response = await admin.post('/web/broker/credentials', body);
      expect(response.status, body).toBe(400);
      expect(response.json).toMatchObject({ status: 'error' });
    }
    expect((await admin.get('/web/broker/login?format=xml')).status).toBe(400);
  });

  it('keeps the broker routes behind the session door with CSRF', async () => {
    const anonymous = new WebClient(t.baseUrl);
    expect((await anonymous.get('/web/broker/status')).status).toBe(401);
    expect((await anonymous.get('/web/broker/login')).status).toBe(401);
    expect((await anonymous.post('/web/broker/credentials', {})).status).toBe(401);
    expect((await admin.post('/web/broker/credentials', {}, { csrf: false })).status).toBe(403);
  });
});
