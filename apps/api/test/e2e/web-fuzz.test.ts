import {
  addBanRequestSchema,
  apiKeyRotateRequestSchema,
  auditListQuerySchema,
  changePasswordRequestSchema,
  loginRequestSchema,
  loginTotpRequestSchema,
  orderModeRequestSchema,
  passwordResetRequestSchema,
  setupRequestSchema,
  totpActivateRequestSchema,
  totpDisableRequestSchema,
  totpEnrolRequestSchema,
  totpRegenerateRequestSchema,
} from '@openalgo/shared-types';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  bodyCases,
  type FuzzCase,
  queryCases,
  REQUEST_DEADLINE_MS,
  sqlMetaString,
  WriteWatch,
} from '../../src/testing/fuzz-inputs.js';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../src/testing/test-app.js';
import { listV1Routes, type V1Route } from '../../src/testing/v1-routes.js';
import { WebClient, type WebResponse } from '../../src/testing/web-client.js';

/**
 * Property: the session door (`/web/*`: setup, login and its TOTP step, logout, sessions,
 * API key, password and its reset, TOTP, admin bans and audit, and the `/web/v1` door to every
 * `/api/v1` route) never answers 5xx, never hangs and writes nothing when it refuses the input,
 * over real HTTP with a cookie jar. Each case comes signed in with the CSRF token, signed in
 * without it, anonymous, or with a forged session cookie; the last three must be refused
 * (401/403) before validation, and write nothing.
 */

const RUNS_PER_ROUTE = 120;
const RUNS_PER_V1_ROUTE = 30;
const SEED = 20261202;

type Access = 'signed-in' | 'no-csrf' | 'anonymous' | 'forged';

interface WebRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** As registered (`:param` for path parameters). */
  template: string;
  /** Body fields (POST) or query parameters (GET). */
  fields: readonly string[];
  /** False for the routes an anonymous browser may call (setup, login, reset). */
  needsSession: boolean;
}

const keysOf = (schema: z.ZodObject) => Object.keys(schema.shape);

const WEB_ROUTES: WebRoute[] = [
  { method: 'GET', template: '/web/setup', fields: [], needsSession: false },
  { method: 'POST', template: '/web/setup', fields: keysOf(setupRequestSchema), needsSession: false },
  { method: 'POST', template: '/web/login', fields: keysOf(loginRequestSchema), needsSession: false },
  {
    method: 'POST',
    template: '/web/login/totp',
    fields: keysOf(loginTotpRequestSchema),
    needsSession: false,
  },
  {
    method: 'POST',
    template: '/web/password/reset',
    fields: keysOf(passwordResetRequestSchema),
    needsSession: false,
  },
  { method: 'GET', template: '/web/session', fields: [], needsSession: false },
  { method: 'GET', template: '/web/sessions', fields: [], needsSession: true },
  { method: 'DELETE', template: '/web/sessions/:sessionId', fields: [], needsSession: true },
  { method: 'POST', template: '/web/logout', fields: [], needsSession: true },
  { method: 'POST', template: '/web/logout/all', fields: [], needsSession: true },
  { method: 'GET', template: '/web/apikey', fields: [], needsSession: true },
  {
    method: 'POST',
    template: '/web/apikey/rotate',
    fields: keysOf(apiKeyRotateRequestSchema),
    needsSession: true,
  },
  {
    method: 'POST',
    template: '/web/apikey/mode',
    fields: keysOf(orderModeRequestSchema),
    needsSession: true,
  },
  {
    method: 'POST',
    template: '/web/password',
    fields: keysOf(changePasswordRequestSchema),
    needsSession: true,
  },
  { method: 'GET', template: '/web/totp', fields: [], needsSession: true },
  { method: 'POST', template: '/web/totp/enrol', fields: keysOf(totpEnrolRequestSchema), needsSession: true },
  {
    method: 'POST',
    template: '/web/totp/activate',
    fields: keysOf(totpActivateRequestSchema),
    needsSession: true,
  },
  {
    method: 'POST',
    template: '/web/totp/disable',
    fields: keysOf(totpDisableRequestSchema),
    needsSession: true,
  },
  {
    method: 'POST',
    template: '/web/totp/recovery-codes',
    fields: keysOf(totpRegenerateRequestSchema),
    needsSession: true,
  },
  { method: 'GET', template: '/web/admin/bans', fields: [], needsSession: true },
  { method: 'POST', template: '/web/admin/bans', fields: keysOf(addBanRequestSchema), needsSession: true },
  { method: 'DELETE', template: '/web/admin/bans/:ip', fields: [], needsSession: true },
  { method: 'GET', template: '/web/audit', fields: keysOf(auditListQuerySchema), needsSession: true },
];

/**
 * Well-formed values (never the admin's real password), so that part of the cases pass
 * validation and reach the handlers: wrong passwords and codes, unknown users and tokens.
 */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  username: fc.constantFrom('admin', 'nobody', 'admin2'),
  password: fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text !== TEST_ADMIN_PASSWORD),
  current_password: fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text !== TEST_ADMIN_PASSWORD),
  new_password: fc.string({ minLength: 8, maxLength: 40 }),
  code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.constant('abcde-fghij')),
  login_token: fc.string({ minLength: 1, maxLength: 64 }),
  mode: fc.constantFrom('auto', 'semi_auto'),
  ip: fc.constantFrom('198.51.100.7', '203.0.113.9', '2001:db8::1'),
  reason: fc.string({ minLength: 1, maxLength: 40 }),
  duration_minutes: fc.integer({ min: 0, max: 100 }),
};

const TEXT_FIELDS = ['username', 'password', 'current_password', 'login_token', 'code', 'ip', 'reason'];

/** Mostly signed in with the token, so validation and handlers run; the rest must be refused. */
const accessArbitrary: fc.Arbitrary<Access> = fc.constantFrom<Access>(
  'signed-in',
  'signed-in',
  'signed-in',
  'signed-in',
  'no-csrf',
  'anonymous',
  'forged',
);

interface WebCase {
  access: Access;
  payload: FuzzCase;
  /** A path parameter or a query string. */
  extra: string;
}

describe('the session door answers bad input with 4xx and writes nothing (property-based, over HTTP)', () => {
  let t: TestApp;
  let client: WebClient;
  let watch: WriteWatch;
  let v1Routes: V1Route[];
  const v1Fields = new Map<string, string[]>();
  let webCases = 0;
  let v1Cases = 0;
  let refusedBeforeValidation = 0;

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      // Wrong passwords are part of the input: the lockout must not end the run.
      env: { LOGIN_LOCKOUT_THRESHOLD: '1000' },
    });
    client = new WebClient(t.baseUrl);
    await signIn();
    watch = new WriteWatch(t);
    v1Routes = await listV1Routes(t);
    const document = (await t.request('/api/docs/json', { method: 'GET' })).json as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }>
      >;
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const properties = operation.requestBody?.content?.['application/json']?.schema?.properties ?? {};
        v1Fields.set(
          `${method.toUpperCase()} ${path}`,
          Object.keys(properties).filter((name) => name !== 'apikey'),
        );
      }
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    process.stdout.write(
      `fuzz /web: ${webCases} requests over ${WEB_ROUTES.length} session routes and ${v1Cases} over ` +
        `${v1Routes?.length ?? 0} /web/v1 routes (${refusedBeforeValidation} unauthenticated or ` +
        `without CSRF, all refused); none answered 5xx or hung, no refused one wrote a row ` +
        `(${watch?.summary() ?? ''})\n`,
    );
  });

  async function signIn(): Promise<void> {
    const response = await client.login('admin', TEST_ADMIN_PASSWORD);
    if (response.status !== 200) {
      throw new Error(`sign-in failed: ${response.status} ${response.text}`);
    }
  }

  /** After an accepted request (a logout, say), the fuzzing browser signs in again. */
  async function stillSignedIn(): Promise<void> {
    const session = await client.get('/web/session');
    if (!(session.json as { data?: { authenticated?: boolean } }).data?.authenticated) {
      await signIn();
    }
    await watch.reset();
  }

  async function browserFor(access: Access): Promise<WebClient> {
    if (access === 'signed-in' || access === 'no-csrf') {
      return client;
    }
    const stranger = new WebClient(t.baseUrl);
    if (access === 'forged') {
      await stranger.setSessionToken(
        Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
      );
      stranger.csrfToken = client.csrfToken;
    }
    return stranger;
  }

  async function send(
    browser: WebClient,
    method: string,
    path: string,
    access: Access,
    payload: FuzzCase | null,
  ): Promise<WebResponse> {
    const headers: Record<string, string> = {};
    if (payload) {
      // No content type given: what fetch itself sends for a string body.
      headers['content-type'] = payload.contentType ?? 'text/plain;charset=UTF-8';
    }
    return browser.request(method, path, {
      ...(payload ? { body: payload.body } : {}),
      headers,
      csrf: access !== 'no-csrf',
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    });
  }

  /** The door's own rule: no session, a forged one, or no CSRF token on a write: 401/403 first. */
  function expectRefusedBeforeValidation(
    access: Access,
    method: string,
    needsSession: boolean,
    response: WebResponse,
  ) {
    if (!needsSession || access === 'signed-in') {
      return;
    }
    if (access === 'no-csrf') {
      if (method !== 'GET') {
        expect(response.status, response.text).toBe(403);
        refusedBeforeValidation += 1;
      }
      return;
    }
    expect(response.status, response.text).toBe(401);
    expect(response.json).toEqual({ status: 'error', message: 'Sign in first: no valid session.' });
    refusedBeforeValidation += 1;
  }

  it('holds for every session route', async () => {
    for (const route of WEB_ROUTES) {
      expect(t.app.hasRoute({ method: route.method, url: route.template }), route.template).toBe(true);
    }
    await watch.reset();
    for (const route of WEB_ROUTES) {
      const arbitrary: fc.Arbitrary<WebCase> = fc.record({
        access: accessArbitrary,
        payload: bodyCases({
          fields: route.fields,
          plausible: PLAUSIBLE,
          textFields: TEXT_FIELDS,
          withApikey: false,
        }),
        extra:
          route.method === 'GET'
            ? queryCases(route.fields)
            : fc.oneof(
                sqlMetaString,
                fc.string({ maxLength: 80 }),
                fc.stringMatching(/^ses_[0-9a-z]{19}$/),
                fc.constantFrom('127.0.0.1', '198.51.100.7', '..', '%2e%2e', '__proto__'),
              ),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ access, payload, extra }) => {
          const browser = await browserFor(access);
          let response: WebResponse;
          let path = route.template;
          if (route.method === 'GET') {
            response = await send(browser, 'GET', extra ? `${path}?${extra}` : path, access, null);
          } else if (route.method === 'DELETE') {
            // A `.` or `..` segment (even percent-encoded) is resolved by the URL parser before sending.
            const segment = encodeURIComponent(extra);
            path = route.template.replace(
              /:\w+$/,
              /^(\.|%2e){0,2}$/i.test(segment) ? `${segment}x` : segment,
            );
            response = await send(browser, 'DELETE', path, access, null);
          } else {
            response = await send(browser, 'POST', path, access, payload);
          }
          webCases += 1;
          expectRefusedBeforeValidation(access, route.method, route.needsSession, response);
          await watch.check(`${route.method} ${path} (${access})`, response);
          if (response.status < 300 && route.method !== 'GET') {
            await stillSignedIn();
          }
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
      );
    }
  }, 1_800_000);

  it('holds for every /web/v1 route', async () => {
    await stillSignedIn();
    for (const route of v1Routes) {
      const webPath = route.path.replace(/^\/api\/v1/, '/web/v1');
      const arbitrary = fc.record({
        access: accessArbitrary,
        payload: bodyCases({
          fields: v1Fields.get(`${route.method} ${route.template}`) ?? [],
          textFields: ['symbol', 'query', 'strategy', 'orderid', 'exchange', 'underlying', 'expiry_date'],
          plausible: {
            exchange: fc.constantFrom('NSE', 'NFO', 'NSE_INDEX'),
            action: fc.constantFrom('BUY', 'SELL'),
            quantity: fc.constantFrom(1, '1'),
            pricetype: fc.constantFrom('MARKET', 'LIMIT'),
            product: fc.constantFrom('MIS', 'CNC'),
            price: fc.constantFrom('0', '100.5'),
          },
          withApikey: false,
        }),
        query: queryCases(['symbol', 'exchange', 'interval', 'format']),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ access, payload, query }) => {
          const browser = await browserFor(access);
          const response =
            route.method === 'GET'
              ? await send(browser, 'GET', query ? `${webPath}?${query}` : webPath, access, null)
              : await send(browser, 'POST', webPath, access, payload);
          v1Cases += 1;
          expectRefusedBeforeValidation(access, route.method, true, response);
          await watch.check(`${route.method} ${webPath} (${access})`, response);
          if (response.status < 300 && route.method !== 'GET') {
            await stillSignedIn();
          }
        }),
        { numRuns: RUNS_PER_V1_ROUTE, seed: SEED, endOnFailure: true },
      );
    }
  }, 1_800_000);
});
