import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

describe('serving the built web app', () => {
  let t: TestApp;

  beforeAll(async () => {
    const webDir = mkdtempSync(join(tmpdir(), 'openalgo-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>OpenAlgo TS</title>');
    writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
    t = await startTestApp('pglite', { env: { WEB_DIR: webDir } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('serves index.html at / and for client-side routes', async () => {
    for (const path of ['/', '/orders', '/settings/api-key']) {
      const response = await t.request(path, { method: 'GET' });
      expect(response.status, path).toBe(200);
      expect(response.contentType).toMatch(/text\/html/);
      expect(response.text).toContain('<title>OpenAlgo TS</title>');
    }
    const asset = await t.request('/app.js', { method: 'GET' });
    expect(asset.status).toBe(200);
    expect(asset.contentType).toMatch(/javascript/);
  });

  it('keeps JSON 404s for the API and missing assets', async () => {
    const api = await t.request('/api/v1/missing', { method: 'GET' });
    expect(api.status).toBe(404);
    expect(api.json).toEqual({ status: 'error', message: 'Not found', path: '/api/v1/missing' });
    // The web app's own door is an API too: a missing route is a JSON 404, never the page.
    const web = await t.request('/web/v1/missing', { method: 'GET' });
    expect(web.status).toBe(404);
    expect(web.contentType).toMatch(/application\/json/);
    expect((await t.request('/missing.js', { method: 'GET' })).status).toBe(404);
  });
});
