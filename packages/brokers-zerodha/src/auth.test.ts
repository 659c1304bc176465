import { createHash } from 'node:crypto';
import {
  AuthenticationError,
  type BrokerContext,
  type LoginContext,
  TokenExpiredError,
} from '@openalgo/broker-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kiteChecksum } from './auth.js';
import { LOGIN_AGAIN_MESSAGE } from './errors.js';
import { type Harness, startHarness } from './testing/harness.js';

/** 2026-11-24 09:30 IST. */
const NOW = Date.parse('2026-11-24T04:00:00.000Z');
/** 2026-11-25 06:00 IST: when Kite tokens issued at NOW die. */
const NEXT_SIX_AM = Date.parse('2026-11-25T00:30:00.000Z');

let harness: Harness;
let loginContext: LoginContext;

beforeAll(async () => {
  harness = await startHarness({
    fake: { now: () => NOW, redirectUrl: 'http://127.0.0.1:1/zerodha/callback' },
    withoutInstruments: true,
  });
  loginContext = {
    redirectUrl: 'http://127.0.0.1:1/zerodha/callback',
    state: 'st8AbC123',
    logger: harness.logger,
    now: () => NOW,
  };
});

afterAll(async () => {
  await harness.close();
});

beforeEach(() => {
  harness.fake.control.clearRequests();
  harness.fake.control.clearFaults();
});

/** Follows the fake login page's redirect like a browser would, returning the callback query. */
async function loginAtKite(url: string): Promise<Record<string, string>> {
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:1/zerodha/callback');
  return Object.fromEntries(location.searchParams);
}

describe('Kite login', () => {
  it('declares an oauth redirect whose state survives through redirect_params', () => {
    expect(harness.broker.auth.loginFlow).toEqual({
      kind: 'oauth-redirect',
      callbackParams: ['request_token', 'status', 'action', 'state'],
      stateRequired: true,
    });
  });

  it('sends the browser to Kite with v=3, the API key and our state', async () => {
    const step = await harness.broker.auth.startLogin(loginContext);
    expect(step.kind).toBe('redirect');
    const url = new URL(step.kind === 'redirect' ? step.url : '');
    expect(`${url.origin}${url.pathname}`).toBe(harness.fake.loginUrl);
    expect([...url.searchParams]).toEqual([
      ['v', '3'],
      ['api_key', harness.fake.apiKey],
      ['redirect_params', 'state=st8AbC123'],
    ]);
  });

  it('exchanges the request token with the documented checksum and returns the session', async () => {
    const step = await harness.broker.auth.startLogin(loginContext);
    const callback = await loginAtKite(step.kind === 'redirect' ? step.url : '');
    expect(callback).toMatchObject({ action: 'login', status: 'success', state: 'st8AbC123' });
    const session = await harness.broker.auth.completeLogin(callback, loginContext);
    const request = harness.fake.requests.find((entry) => entry.path === '/session/token');
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-kite-version']).toBe('3');
    expect(request?.headers.authorization).toBeUndefined();
    const checksum = createHash('sha256')
      .update(`${harness.fake.apiKey}${callback.request_token}${harness.fake.apiSecret}`)
      .digest('hex');
    expect(kiteChecksum(harness.fake.apiKey, callback.request_token as string, harness.fake.apiSecret)).toBe(
      checksum,
    );
    expect(request?.form).toEqual([
      ['api_key', harness.fake.apiKey],
      ['request_token', callback.request_token],
      ['checksum', checksum],
    ]);
    expect(session).toEqual({
      brokerId: 'zerodha',
      accessToken: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      feedToken: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      userId: harness.fake.userId,
      issuedAt: NOW,
      expiresAt: NEXT_SIX_AM,
      data: { userName: 'Fake Kite User', loginTime: '2026-11-24 09:30:00' },
    });
    // The new token works.
    await harness.broker.auth.validateSession?.({ ...harness.context, session });
  });

  it('refuses a callback that failed, lacks a token, or belongs to another login', async () => {
    const inputs: Array<Record<string, string>> = [
      { status: 'cancelled', request_token: 'abc', state: 'st8AbC123' },
      { status: 'success', state: 'st8AbC123' },
      { status: 'success', request_token: 'abc', state: 'someone-else' },
      { status: 'success', request_token: 'a b', state: 'st8AbC123' },
    ];
    for (const input of inputs) {
      await expect(harness.broker.auth.completeLogin(input, loginContext)).rejects.toSatisfy(
        AuthenticationError.isInstance,
      );
    }
    expect(harness.fake.requests).toEqual([]);
  });

  it('turns a replayed request token or a wrong secret into an AuthenticationError', async () => {
    const step = await harness.broker.auth.startLogin(loginContext);
    const callback = await loginAtKite(step.kind === 'redirect' ? step.url : '');
    await harness.broker.auth.completeLogin(callback, loginContext);
    const replay = await harness.broker.auth
      .completeLogin(callback, loginContext)
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(replay)).toBe(true);
    expect((replay as Error).message).toBe('Zerodha refused the login: Token is invalid or has expired.');

    const { createZerodhaBroker } = await import('./zerodha-broker.js');
    const wrongSecret = createZerodhaBroker({
      apiKey: harness.fake.apiKey,
      apiSecret: 'not-the-secret',
      baseUrl: harness.fake.baseUrl,
      loginUrl: harness.fake.loginUrl,
    });
    const fresh = await loginAtKite(
      ((await wrongSecret.auth.startLogin(loginContext)) as { url: string }).url,
    );
    const refused = await wrongSecret.auth
      .completeLogin(fresh, loginContext)
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toBe('Zerodha refused the login: Invalid `checksum`.');
  });
});

describe('daily token expiry', () => {
  it('answers every duty with a clear "log in again" TokenExpiredError, never a crash', async () => {
    const session = { ...harness.session, accessToken: harness.fake.control.createSession() };
    const context: BrokerContext = { ...harness.context, session };
    await harness.broker.auth.validateSession?.(context);
    harness.fake.control.expireSessions();
    const calls: Array<() => Promise<unknown>> = [
      () => harness.broker.auth.validateSession?.(context) ?? Promise.resolve(),
      () => harness.broker.orders.fetchOrders(context),
      () => harness.broker.orders.fetchTrades(context),
      () => harness.broker.portfolio.fetchPositions(context),
      () => harness.broker.portfolio.fetchHoldings(context),
      () => harness.broker.portfolio.fetchFunds(context),
      () => harness.broker.gtt.fetchGtts(context),
    ];
    for (const call of calls) {
      const error = await call().catch((caught: unknown) => caught);
      expect(TokenExpiredError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `${LOGIN_AGAIN_MESSAGE} (Incorrect \`api_key\` or \`access_token\`.)`,
      );
      expect((error as TokenExpiredError).retryable).toBe(false);
    }
    // Not retried: one request per call.
    expect(harness.fake.requests.filter((request) => request.path === '/orders')).toHaveLength(1);
  });

  it('logs out by invalidating the token at Kite', async () => {
    const session = { ...harness.session, accessToken: harness.fake.control.createSession() };
    const context: BrokerContext = { ...harness.context, session };
    await harness.broker.auth.logout?.(context);
    const request = harness.fake.requests.find((entry) => entry.method === 'DELETE');
    expect(request?.path).toBe('/session/token');
    expect(request?.query).toEqual([
      ['api_key', harness.fake.apiKey],
      ['access_token', session.accessToken],
    ]);
    await expect(harness.broker.auth.validateSession?.(context)).rejects.toSatisfy(
      TokenExpiredError.isInstance,
    );
  });
});
