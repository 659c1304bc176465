import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { listV1Routes, type V1Route } from '../../../testing/v1-routes.js';

/**
 * api-v1 §2.4 and §7.10: unknown fields are refused with "Unknown field." on every
 * schema-validated body — except where the reference has no schema or drops them.
 */
const LENIENT = new Set([
  'POST /api/v1/placegttorder', // GTT place/modify drop unknown fields
  'POST /api/v1/modifygttorder',
  'POST /api/v1/chart', // extra keys are the preferences
  'POST /api/v1/pnl/symbols', // live mode answers before validating
  'POST /api/v1/telegram/config', // telegram and whatsapp have no schema
  'POST /api/v1/telegram/start',
  'POST /api/v1/telegram/stop',
  'POST /api/v1/telegram/webhook',
  'POST /api/v1/telegram/broadcast',
  'POST /api/v1/telegram/notify',
  'POST /api/v1/telegram/preferences',
  'POST /api/v1/whatsapp/notify',
]);

describe('unknown-field rejection', () => {
  let t: TestApp;
  let strict: V1Route[];

  beforeAll(async () => {
    t = await startTestApp('pglite');
    strict = (await listV1Routes(t)).filter(
      (route) => route.method === 'POST' && !LENIENT.has(`${route.method} ${route.template}`),
    );
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('every strict POST route answers 400 "Unknown field." for an extra top-level field', async () => {
    expect(strict.length).toBeGreaterThan(5);
    const lenient: string[] = [];
    for (const route of strict) {
      const response = await t.post(route.path, { apikey: t.apiKey, zz_not_a_field: 1 });
      const isRefused = response.status === 400 && JSON.stringify(response.json).includes('Unknown field.');
      if (!isRefused) {
        lenient.push(`${route.path} → ${response.status} ${response.text.slice(0, 120)}`);
      }
    }
    expect(lenient).toEqual([]);
  });

  it('names the field, also inside nested objects and list items', async () => {
    const nested = await t.post('/api/v1/portfolio/backtest', {
      apikey: t.apiKey,
      holdings: [{ symbol: 'SBIN', weight: 1, apikey: 'x' }],
      start_date: '2024-01-01',
      end_date: '2024-06-30',
    });
    expect(nested.json).toEqual({
      status: 'error',
      message: { holdings: { '0': { apikey: ['Unknown field.'] } } },
    });
  });

  it('the lenient routes keep extra fields out of harm', async () => {
    const chart = await t.post('/api/v1/chart', { apikey: t.apiKey, tv_theme: 'dark', anything: 'goes' });
    expect(chart.status).toBe(200);
    const config = await t.post('/api/v1/telegram/config', { apikey: t.apiKey, unknown: true });
    expect(config.status).toBe(200);
  });
});
