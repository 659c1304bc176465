import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/** The 63 method/path pairs of api-v1 §0, in its order. */
const SPEC_ROUTES = [
  'POST /placeorder',
  'POST /placesmartorder',
  'POST /basketorder',
  'POST /splitorder',
  'POST /modifyorder',
  'POST /cancelorder',
  'POST /cancelallorder',
  'POST /closeposition',
  'POST /placegttorder',
  'POST /modifygttorder',
  'POST /cancelgttorder',
  'POST /gttorderbook',
  'POST /optionsorder',
  'POST /optionsmultiorder',
  'POST /funds',
  'POST /orderbook',
  'POST /tradebook',
  'POST /positionbook',
  'POST /holdings',
  'POST /orderstatus',
  'POST /openposition',
  'POST /margin',
  'POST /quotes',
  'POST /multiquotes',
  'POST /depth',
  'POST /history',
  'POST /intervals',
  'GET /ticker/{symbol}',
  'POST /symbol',
  'POST /search',
  'POST /expiry',
  'GET /instruments',
  'POST /optionsymbol',
  'POST /optionchain',
  'POST /optiongreeks',
  'POST /multioptiongreeks',
  'POST /syntheticfuture',
  'POST /analyzer',
  'POST /analyzer/toggle',
  'POST /pnl/symbols',
  'POST /ping',
  'POST /market/holidays',
  'POST /market/timings',
  'GET /chart',
  'POST /chart',
  'GET /portfolio/benchmarks',
  'POST /portfolio/backtest',
  'POST /portfolio/tearsheet',
  'POST /portfolio/holdings',
  'GET /sip/frequencies',
  'POST /sip/backtest',
  'GET /telegram/config',
  'POST /telegram/config',
  'POST /telegram/start',
  'POST /telegram/stop',
  'POST /telegram/webhook',
  'GET /telegram/users',
  'POST /telegram/broadcast',
  'POST /telegram/notify',
  'GET /telegram/stats',
  'GET /telegram/preferences',
  'POST /telegram/preferences',
  'POST /whatsapp/notify',
] as const;

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: unknown; parameters?: unknown[]; responses?: unknown }>
  >;
}

/** `GET /ticker/{anything}` is the one templated path; its parameter name is the route's choice. */
function normalise(pair: string): string {
  return pair.replace(/^(GET \/ticker\/)\{[^}]+\}.*$/, '$1{symbol}');
}

describe('OpenAPI document at /api/docs', () => {
  let t: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const response = await t.request('/api/docs/json', { method: 'GET' });
    expect(response.status).toBe(200);
    document = response.json as OpenApiDocument;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const documented = () =>
    new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) =>
          normalise(`${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`),
        ),
      ),
    );

  it('is OpenAPI 3.1 and describes only /api/v1', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const path of Object.keys(document.paths)) {
      expect(path).toMatch(/^\/api\/v1\//);
    }
  });

  it('lists every route of the summary table, with its schemas', () => {
    const pairs = documented();
    // Every one of the 63 pairs is registered.
    expect(SPEC_ROUTES.filter((pair) => !pairs.has(pair))).toEqual([]);
    expect(SPEC_ROUTES).toHaveLength(63);
    // And nothing in the document is outside the contract.
    expect([...pairs].filter((pair) => !(SPEC_ROUTES as readonly string[]).includes(pair))).toEqual([]);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (method === 'post') {
          expect(operation.requestBody, `${method} ${path} declares its body schema`).toBeDefined();
        }
        expect(operation.responses, `${method} ${path} declares its responses`).toBeDefined();
      }
    }
  });

  it('the ping body schema matches the contract (strict, apikey 1–256)', () => {
    const body = document.paths['/api/v1/ping']?.post?.requestBody as {
      content: { 'application/json': { schema: Record<string, unknown> } };
    };
    expect(body.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { apikey: { type: 'string', minLength: 1, maxLength: 256 } },
      required: ['apikey'],
      additionalProperties: false,
    });
  });

  it('serves a browsable UI', async () => {
    const page = await t.request('/api/docs', { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
  });
});
