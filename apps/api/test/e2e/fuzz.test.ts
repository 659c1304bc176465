import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramServer } from '../../src/testing/fake-telegram.js';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';
import { listV1Routes, type V1Route } from '../../src/testing/v1-routes.js';

/**
 * Property: no `/api/v1` route ever answers 5xx to bad input (issue "done when"), over real
 * HTTP. Inputs: random JSON values, the route's own fields with wrong types, missing and
 * unknown fields, huge strings, deep nesting, prototype-pollution keys and non-JSON bodies,
 * with a valid key in part of the cases so validation passes and the handlers run too.
 */

const RUNS_PER_ROUTE = 120;
const SEED = 20261201;

interface Case {
  contentType: string | null;
  body: string;
  useValidKey: boolean;
}

/** The body fields a route declares (from its OpenAPI schema), to aim wrong values at. */
type FieldMap = Map<string, string[]>;

const hugeString = fc.integer({ min: 10_000, max: 400_000 }).map((length) => 'x'.repeat(length));

function deepNesting(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -0.5,
    '',
    ' ',
    'NaN',
    'Infinity',
    '1e999',
    '٣',
    '0x10',
    [],
    {},
  ),
  fc.string({ maxLength: 300 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  hugeString,
);

function caseFor(route: V1Route, fields: FieldMap): fc.Arbitrary<Case> {
  const names = fields.get(`${route.method} ${route.template}`) ?? [];
  const fieldNames = names.length > 0 ? fc.constantFrom(...names) : fc.constant('apikey');
  const jsonCase = (body: fc.Arbitrary<string>) =>
    fc.record({ contentType: fc.constant('application/json'), body, useValidKey: fc.boolean() });
  const objectWith = (entries: fc.Arbitrary<Array<[string, unknown]>>) =>
    entries.map((pairs) => JSON.stringify(Object.fromEntries(pairs)));
  return fc.oneof(
    // Any JSON value at all.
    jsonCase(fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null')),
    // The route's fields, some with wrong values, some missing, plus unknown ones.
    jsonCase(
      objectWith(
        fc.array(fc.tuple(fc.oneof(fieldNames, fc.string({ maxLength: 20 })), wrongValue), { maxLength: 12 }),
      ),
    ),
    // Huge strings in every field.
    jsonCase(objectWith(fc.array(fc.tuple(fieldNames, hugeString), { minLength: 1, maxLength: 2 }))),
    // Deep nesting, as a whole body and inside a field.
    jsonCase(
      fc
        .tuple(
          fc.integer({ min: 50, max: 20_000 }),
          fc.constantFrom<'array' | 'object'>('array', 'object'),
          fieldNames,
        )
        .chain(([depth, kind, name]) =>
          fc.constantFrom(
            deepNesting(depth, kind),
            `{"apikey":"k",${JSON.stringify(name)}:${deepNesting(depth, kind)}}`,
          ),
        ),
    ),
    // Prototype-pollution keys, top level and nested (written as JSON text: JSON.stringify drops them).
    jsonCase(
      fc
        .tuple(
          fc.constantFrom('__proto__', 'constructor', 'prototype'),
          fieldNames,
          fc.jsonValue({ maxDepth: 2 }),
        )
        .chain(([key, name, value]) =>
          fc.constantFrom(
            `{"${key}":{"polluted":true},"apikey":"k"}`,
            `{"${key}":{"prototype":{"polluted":true}}}`,
            `{${JSON.stringify(name)}:{"${key}":${JSON.stringify(value) ?? 'null'}}}`,
            `{"a":[{"${key}":{"isAdmin":true}}]}`,
          ),
        ),
    ),
    // Not JSON at all, or JSON under another content type, or no content type.
    fc.record({
      contentType: fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'application/json; charset=latin1',
        null,
      ),
      body: fc.oneof(
        fc.string({ maxLength: 500 }),
        fc.constantFrom('{', '{"apikey":', '}{', '\u0000', 'apikey=x&a=b'),
      ),
      useValidKey: fc.constant(false),
    }),
  );
}

describe('no route answers 5xx to bad input (property-based, over HTTP)', () => {
  let fake: FakeTelegramServer;
  let t: TestApp;
  let routes: V1Route[];
  const fields: FieldMap = new Map();
  let cases = 0;

  beforeAll(async () => {
    // Telegram calls stay on loopback: the bot talks to a fake Bot API.
    fake = new FakeTelegramServer('123:fuzz-token');
    await fake.start();
    t = await startTestApp('pglite', { env: { TELEGRAM_API_URL: fake.baseUrl } });
    routes = await listV1Routes(t);
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
    process.stdout.write(`fuzz: ${cases} requests over ${routes?.length ?? 0} routes, none answered 5xx\n`);
  });

  it('holds for every registered route', async () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(caseFor(route, fields), async ({ contentType, body, useValidKey }) => {
          const key = useValidKey ? t.apiKey : '0'.repeat(64);
          const withKey = useValidKey ? body.replace('"apikey":"k"', `"apikey":"${key}"`) : body;
          const headers: Record<string, string> = { 'x-api-key': key };
          if (contentType) {
            headers['content-type'] = contentType;
          }
          const response =
            route.method === 'GET'
              ? await t.request(`${route.path}?apikey=${key}&q=${encodeURIComponent(body.slice(0, 2_000))}`, {
                  method: 'GET',
                  headers,
                })
              : await t.request(route.path, { method: 'POST', headers, body: withKey });
          cases += 1;
          if (response.status >= 500) {
            throw new Error(
              `${route.method} ${route.path} answered ${response.status}: ${response.text.slice(0, 300)}`,
            );
          }
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
      );
    }
  }, 1_800_000);
});
