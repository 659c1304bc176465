import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

describe('serving the built web app', () => {
  let t: TestApp;
  const webDir = mkdtempSync(join(tmpdir(), 'openalgo-web-'));

  beforeAll(async () => {
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>OpenAlgo TS</title>');
    writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
    t = await startTestApp('pglite', { env: { WEB_DIR: webDir } });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
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

  it('sends the security headers: the page policy on pages, a no-load policy on JSON answers', async () => {
    const page = await fetch(`${t.baseUrl}/`);
    const pagePolicy = page.headers.get('content-security-policy') ?? '';
    expect(pagePolicy).toContain("script-src 'self'");
    expect(pagePolicy).toContain("frame-ancestors 'none'");
    expect(pagePolicy).toContain("object-src 'none'");
    const api = await fetch(`${t.baseUrl}/api/v1/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: t.apiKey }),
    });
    expect(api.status).toBe(200);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    for (const response of [page, api]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('permissions-policy')).toContain('camera=()');
      expect(response.headers.get('x-powered-by')).toBeNull();
      // No https-only site configured: no HSTS.
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
    // The browsable reference is a page: it keeps the page policy.
    const docs = await fetch(`${t.baseUrl}/api/docs/`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
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
