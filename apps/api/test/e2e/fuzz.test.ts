import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramServer } from '../../src/testing/fake-telegram.js';
import { bodyCases, REQUEST_DEADLINE_MS, WriteWatch } from '../../src/testing/fuzz-inputs.js';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';
import { listV1Routes, type V1Route } from '../../src/testing/v1-routes.js';

/**
 * Property: no `/api/v1` route ever answers 5xx to bad input, hangs, or writes anything when
 * it refuses the input (issue "done when"), over real HTTP. Inputs: random JSON values, the
 * route's own fields with wrong types, missing and unknown fields, huge strings, deep nesting,
 * prototype-pollution keys, SQL metacharacters in symbol, search and other text fields of
 * otherwise plausible bodies, and non-JSON bodies; a valid key in part of the cases so
 * validation passes and the handlers run too. The rows of every table a request could write
 * (order log, users, keys, sessions, bans, audit, queues, the analyzer's books) are counted
 * around each request.
 */

const RUNS_PER_ROUTE = 120;
const SEED = 20261201;

/** The body fields a route declares (from its OpenAPI schema), to aim wrong values at. */
type FieldMap = Map<string, string[]>;

/** Values that pass validation, so the metacharacters in the text fields reach the handler. */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  exchange: fc.constantFrom('NSE', 'BSE', 'NFO', 'MCX', 'NSE_INDEX'),
  action: fc.constantFrom('BUY', 'SELL'),
  quantity: fc.constantFrom(1, '1', 10),
  pricetype: fc.constantFrom('MARKET', 'LIMIT'),
  product: fc.constantFrom('MIS', 'CNC', 'NRML'),
  price: fc.constantFrom('0', '100.5'),
  trigger_price: fc.constant('0'),
  disclosed_quantity: fc.constant(0),
  position_size: fc.constant(0),
  interval: fc.constantFrom('D', '1m', '5m'),
  start_date: fc.constant('2026-11-02'),
  end_date: fc.constant('2026-11-06'),
  strike_int: fc.constant(50),
  offset: fc.constantFrom('ATM', 'ITM1', 'OTM2'),
  option_type: fc.constantFrom('CE', 'PE'),
};

const TEXT_FIELDS = [
  'symbol',
  'query',
  'strategy',
  'orderid',
  'exchange',
  'underlying',
  'underlying_symbol',
  'expiry_date',
  'instrumenttype',
  'trigger_id',
  'message',
  'username',
];

describe('no route answers 5xx, hangs or writes for bad input (property-based, over HTTP)', () => {
  let fake: FakeTelegramServer;
  let t: TestApp;
  let routes: V1Route[];
  let watch: WriteWatch;
  const fields: FieldMap = new Map();
  let cases = 0;

  beforeAll(async () => {
    // Telegram calls stay on loopback: the bot talks to a fake Bot API.
    fake = new FakeTelegramServer('123:fuzz-token');
    await fake.start();
    t = await startTestApp('pglite', { env: { TELEGRAM_API_URL: fake.baseUrl } });
    routes = await listV1Routes(t);
    watch = new WriteWatch(t);
    const document = (await t.request('/api/docs/json', { method: 'GET' })).json as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }>
      >;
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const properties = operation.requestBody?.content?.['application/json']?.schema?.properties ?? {};
        fields.set(`${method.toUpperCase()} ${path}`, Object.keys(properties));
      }
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    process.stdout.write(
      `fuzz /api/v1: ${cases} requests over ${routes?.length ?? 0} routes, none answered 5xx or hung, ` +
        `no refused one wrote a row (${watch?.summary() ?? ''})\n`,
    );
  });

  it('holds for every registered route', async () => {
    expect(routes.length).toBeGreaterThan(0);
    await watch.reset();
    for (const route of routes) {
      const arbitrary = bodyCases({
        fields: fields.get(`${route.method} ${route.template}`) ?? [],
        plausible: PLAUSIBLE,
        textFields: TEXT_FIELDS,
        withApikey: true,
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ contentType, body, useValidKey }) => {
          const key = useValidKey ? t.apiKey : '0'.repeat(64);
          const withKey = useValidKey ? body.replace('"apikey":"k"', `"apikey":"${key}"`) : body;
          const headers: Record<string, string> = { 'x-api-key': key };
          if (contentType) {
            headers['content-type'] = contentType;
          }
          const signal = AbortSignal.timeout(REQUEST_DEADLINE_MS);
          const response =
            route.method === 'GET'
              ? await t.request(
                  `${route.path}?apikey=${key}&q=${encodeURIComponent(body.slice(0, 2_000))}` +
                    `&symbol=${encodeURIComponent(body.slice(0, 200))}&exchange=NSE`,
                  { method: 'GET', headers, signal },
                )
              : await t.request(route.path, { method: 'POST', headers, body: withKey, signal });
          cases += 1;
          await watch.check(`${route.method} ${route.path}`, response);
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
      );
    }
  }, 1_800_000);
});
