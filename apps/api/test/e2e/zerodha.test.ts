import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeKiteServer, startFakeKiteServer } from '@openalgo/brokers-zerodha/fake-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './process.js';

/**
 * The built api, configured for Zerodha (BROKER=zerodha) against the fake Kite server: the
 * broker login through the browser redirects, the encrypted session, the symbol master loaded at
 * login, and /api/v1 answering for the Zerodha session.
 */

const INSTRUMENTS = 20_000;

describe('api with BROKER=zerodha against the fake Kite', () => {
  let fake: FakeKiteServer;
  let server: RunningServer;
  let apiKey: string;
  /** The admin's web session: the broker login belongs to the signed-in user. */
  let cookie = '';

  beforeAll(async () => {
    fake = await startFakeKiteServer({ instrumentCount: INSTRUMENTS });
    server = await startServer({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'openalgo-e2e-zerodha-')),
      PORT: '0',
      LOG_LEVEL: 'warn',
      BROKER: 'zerodha',
      KITE_API_KEY: fake.apiKey,
      KITE_API_SECRET: fake.apiSecret,
      KITE_BASE_URL: fake.baseUrl,
      KITE_LOGIN_URL: fake.loginUrl,
      KITE_TICKER_URL: fake.tickerUrl,
    });
    apiKey = /API key\s+([0-9a-f]{64})/.exec(server.output())?.[1] ?? '';
    expect(apiKey, server.output()).toMatch(/^[0-9a-f]{64}$/);
    const username = /Username\s+(\S+)/.exec(server.output())?.[1] ?? '';
    const password = /Password\s+(\S+)/.exec(server.output())?.[1] ?? '';
    const login = await fetch(`${server.baseUrl}/web/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^oa_session=/);
    // The Kite app's registered redirect URL is the api's callback.
    fake.control.setRedirectUrl(`${server.baseUrl}/zerodha/callback`);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  const ping = () =>
    fetch(`${server.baseUrl}/api/v1/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: apiKey }),
    });

  it('refuses /api/v1 until the broker is connected', async () => {
    const response = await ping();
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ status: 'error', message: 'Invalid openalgo apikey' });
  });

  it("logs in through Kite's redirects, stores the session and loads the symbol master", async () => {
    // 1. The web app sends the browser to the api, which redirects to Kite's login page.
    expect((await fetch(`${server.baseUrl}/web/broker/login`, { redirect: 'manual' })).status).toBe(401);
    const start = await fetch(`${server.baseUrl}/web/broker/login`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(start.status).toBe(302);
    const kiteLogin = new URL(start.headers.get('location') ?? '');
    expect(`${kiteLogin.origin}${kiteLogin.pathname}`).toBe(fake.loginUrl);
    expect(kiteLogin.searchParams.get('api_key')).toBe(fake.apiKey);
    expect(kiteLogin.searchParams.get('v')).toBe('3');
    // 2. The user logs in at Kite, which redirects back to the registered callback.
    const atKite = await fetch(kiteLogin, { redirect: 'manual' });
    expect(atKite.status).toBe(302);
    const callback = new URL(atKite.headers.get('location') ?? '');
    expect(callback.pathname).toBe('/zerodha/callback');
    expect(callback.searchParams.get('request_token')).toMatch(/^[A-Za-z0-9]{32}$/);
    // 3. The callback exchanges the token and sends the browser to the web app's broker page.
    const done = await fetch(callback, { redirect: 'manual' });
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/broker');
    const exchange = fake.requests.find((request) => request.path === '/session/token');
    expect(exchange?.form?.map(([name]) => name)).toEqual(['api_key', 'request_token', 'checksum']);
    // 4. A replayed callback is refused with a clear 4xx, not a crash.
    const replay = await fetch(callback, { headers: { accept: 'application/json' } });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { message: string }).message).toMatch(/not started here or has expired/);
    // 5. The symbol master arrives in the background; the status route reports progress.
    let status:
      | { data: { connected: boolean; master_contract: { state: string; rows: number } } }
      | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      status = (await (
        await fetch(`${server.baseUrl}/web/broker/status`, { headers: { cookie } })
      ).json()) as typeof status;
      if (status?.data.master_contract.state === 'done' || status?.data.master_contract.state === 'error') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status?.data).toMatchObject({
      broker: 'zerodha',
      connected: true,
      broker_user_id: fake.userId,
      auth_style: 'redirect',
      master_contract: { broker: 'zerodha', state: 'done', rows: INSTRUMENTS, error: null },
    });
    const dump = fake.requests.find((request) => request.path === '/instruments');
    expect(dump?.headers.authorization).toMatch(new RegExp(`^token ${fake.apiKey}:[A-Za-z0-9]{32}$`));
  });

  it('answers /api/v1 for the Zerodha session', async () => {
    const response = await ping();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'success',
      data: { message: 'pong', broker: 'zerodha' },
    });
  });

  it('revokes a session Kite has expired and says to log in again', async () => {
    fake.control.expireSessions();
    const response = await fetch(`${server.baseUrl}/web/broker/status?validate=1`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toMatchObject({
      broker: 'zerodha',
      connected: false,
      broker_user_id: null,
      reason: expect.stringMatching(/^Zerodha session expired or was invalidated: log in to Zerodha again/),
    });
    expect((await ping()).status).toBe(403);
  });
});
