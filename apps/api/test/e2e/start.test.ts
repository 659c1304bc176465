import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { ping, type RunningServer, runCli, startServer } from './process.js';

const backends = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(backends)('one-command start on %s', (backend) => {
  const dataDir = mkdtempSync(join(tmpdir(), `openalgo-e2e-${backend}-`));
  const schema = `e2e_${Date.now().toString(36)}`;
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  let server: RunningServer | undefined;
  let admin: ReturnType<typeof postgres> | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (admin) {
      // The api keeps its analyzer tables in a schema of their own, named after this one.
      await admin.unsafe(`drop schema if exists ${schema}_sandbox cascade`);
      await admin.unsafe(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });

  it('first start prints the credentials once, and the printed key pings', async () => {
    if (backend === 'postgres') {
      const url = process.env.DATABASE_URL ?? '';
      admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create schema ${schema}`);
      const withSchema = new URL(url);
      withSchema.searchParams.set('options', `-c search_path=${schema},public`);
      env.DATABASE_URL = withSchema.toString();
    }
    server = await startServer(env);
    const output = server.output();
    const key = /API key\s+([0-9a-f]{64})/.exec(output)?.[1];
    expect(key, output).toBeDefined();
    expect(output).toMatch(/Password\s+\S{16}/);
    expect(output).toContain('Web app');
    expect(output).toContain('ws://');
    // The hub's bound endpoints, where a ws-proxy is pointed (the defaults here).
    expect(output).toMatch(
      /Market hub\s+tcp:\/\/127\.0\.0\.1:5555 \(ticks\), tcp:\/\/127\.0\.0\.1:5556 \(control\)/,
    );
    env.KEY = key ?? '';
    const ok = await ping(server.baseUrl, env.KEY);
    expect(ok).toEqual({
      status: 200,
      body: { status: 'success', data: { message: 'pong', broker: 'simulator' } },
    });
    const wrong = await ping(server.baseUrl, '0'.repeat(64));
    expect(wrong).toEqual({ status: 403, body: { status: 'error', message: 'Invalid openalgo apikey' } });
    const malformed = await fetch(`${server.baseUrl}/api/v1/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      status: 'error',
      message: 'Request body must be a JSON object',
    });
  });

  it('a restart keeps the user and the key, and prints no new credentials', async () => {
    expect(await server?.stop()).toBe(0);
    server = await startServer(env);
    expect(server.output()).not.toMatch(/API key\s+[0-9a-f]{64}/);
    const started = performance.now();
    let result = await ping(server.baseUrl, env.KEY ?? '');
    while (result.status !== 200 && performance.now() - started < 5_000) {
      result = await ping(server.baseUrl, env.KEY ?? '');
    }
    expect(result.status).toBe(200);
    process.stdout.write(`[${backend}] restart → listening in ${Math.round(server.readyMs)} ms\n`);
  });

  it('`openalgo apikey rotate` invalidates the old key immediately', async () => {
    const rotated = await runCli(['apikey', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKey = /([0-9a-f]{64})/.exec(rotated.stdout)?.[1] ?? '';
    expect(newKey).not.toBe(env.KEY);
    expect((await ping(server?.baseUrl ?? '', env.KEY ?? '')).status).toBe(403);
    expect((await ping(server?.baseUrl ?? '', newKey)).status).toBe(200);
  });

  it('a bad variable stops start-up with a list of what is wrong', async () => {
    const failed = await runCli(['migrate'], { ...env, PORT: 'many', LOG_LEVEL: 'loud' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('PORT');
    expect(failed.stderr).toContain('LOG_LEVEL');
  });
});

describe('first start with FIRST_RUN=web', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-e2e-web-setup-'));
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates no account and points at the web app’s setup page', async () => {
    server = await startServer({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', FIRST_RUN: 'web' });
    const output = server.output();
    expect(output).toContain(`open ${server.baseUrl}/setup to create the admin account`);
    expect(output).not.toMatch(/API key\s+[0-9a-f]{64}/);
    expect(output).not.toMatch(/Password\s+\S+/);
  });
});
