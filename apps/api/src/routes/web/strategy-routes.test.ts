import { insertUser } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { strategyListResponseSchema, strategyResponseSchema } from '@openalgo/shared-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../services/passwords.js';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

const PUBLIC_URL = 'https://algo.example.in';

describe.each(testBackends())('strategy routes of the web app on %s', (backend) => {
  let t: TestApp;
  let admin: WebClient;

  beforeAll(async () => {
    t = await startTestApp(backend, { env: { HOST_SERVER: PUBLIC_URL } });
    admin = new WebClient(t.baseUrl);
    expect((await admin.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const intraday = { is_intraday: true, start_time: '09:20', end_time: '15:00', squareoff_time: '15:15' };

  it('creates a strategy whose webhook URL is built from HOST_SERVER, lists and reads it', async () => {
    const created = await admin.post('/web/strategies', {
      name: 'tv breakout',
      platform: 'tradingview',
      ...intraday,
    });
    expect(created.status).toBe(200);
    const strategy = strategyResponseSchema.parse(created.json).data;
    expect(strategy).toMatchObject({
      name: 'tv breakout',
      platform: 'tradingview',
      kind: 'webhook',
      is_active: true,
      is_intraday: true,
      trading_mode: 'LONG',
      start_time: '09:20',
      symbols: [],
    });
    expect(strategy.webhook_url).toBe(`${PUBLIC_URL}/strategy/webhook/${strategy.webhook_id}`);

    const chartink = await admin.post('/web/strategies', {
      name: 'scanner',
      platform: 'chartink',
      is_intraday: false,
    });
    expect(chartink.status).toBe(200);
    const scanner = strategyResponseSchema.parse(chartink.json).data;
    expect(scanner.kind).toBe('chartink');
    expect(scanner.webhook_url).toBe(`${PUBLIC_URL}/chartink/webhook/${scanner.webhook_id}`);

    const list = strategyListResponseSchema.parse((await admin.get('/web/strategies')).json).data;
    expect(list.map((entry) => entry.name)).toEqual(expect.arrayContaining(['tv breakout', 'scanner']));
    const read = await admin.get(`/web/strategies/${strategy.id}`);
    expect(strategyResponseSchema.parse(read.json).data).toEqual(strategy);
  });

  it('refuses bad strategies with 4xx OpenAlgo errors', async () => {
    const noWindow = await admin.post('/web/strategies', {
      name: 'no window',
      platform: 'python',
      is_intraday: true,
    });
    expect(noWindow.status).toBe(400);
    expect(noWindow.json).toMatchObject({ status: 'error' });
    const unknownField = await admin.post('/web/strategies', {
      name: 'extra',
      platform: 'python',
      is_intraday: false,
      apikey: 'x',
    });
    expect(unknownField.status).toBe(400);
    expect((await admin.post('/web/strategies', { name: 'bad/name', platform: 'python' })).status).toBe(400);
    expect((await admin.post('/web/strategies', { name: 'x', platform: 'nowhere' })).status).toBe(400);
    expect((await admin.post('/web/strategies', '{"name":')).status).toBe(400);
    await admin.post('/web/strategies', { name: 'twice', platform: 'excel', is_intraday: false });
    const duplicate = await admin.post('/web/strategies', {
      name: 'twice',
      platform: 'excel',
      is_intraday: false,
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toEqual({ status: 'error', message: 'A strategy named twice already exists' });
    expect((await admin.get('/web/strategies/abc')).status).toBe(400);
    expect((await admin.get('/web/strategies/99999999999')).status).toBe(400);
    expect((await admin.get('/web/strategies/424242')).json).toEqual({
      status: 'error',
      message: 'Strategy not found',
    });
  });

  it('updates, maps symbols one by one and from CSV, removes a mapping, deletes', async () => {
    const created = strategyResponseSchema.parse(
      (await admin.post('/web/strategies', { name: 'mapper', platform: 'amibroker', is_intraday: false }))
        .json,
    ).data;
    const base = `/web/strategies/${created.id}`;

    const updated = await admin.request('PATCH', base, {
      body: { trading_mode: 'BOTH', is_active: false, ...intraday },
    });
    expect(updated.status).toBe(200);
    expect(strategyResponseSchema.parse(updated.json).data).toMatchObject({
      trading_mode: 'BOTH',
      is_active: false,
      is_intraday: true,
      squareoff_time: '15:15',
    });
    const badWindow = await admin.request('PATCH', base, { body: { end_time: '09:00' } });
    expect(badWindow.status).toBe(400);

    const one = await admin.post(`${base}/symbols`, {
      symbols: [{ symbol: 'SBIN', exchange: 'NSE', quantity: 10, product: 'MIS' }],
    });
    expect(one.status).toBe(200);
    const csv = await admin.post(`${base}/symbols`, {
      csv: 'SYMBOL,EXCHANGE,QTY,PRODUCT\nINFY,NSE,5,CNC\nreliance,nse,2,mis\n',
    });
    expect(csv.status).toBe(200);
    const mapped = strategyResponseSchema.parse(csv.json).data.symbols;
    expect(mapped.map((row) => [row.symbol, row.exchange, row.quantity, row.product]).sort()).toEqual([
      ['INFY', 'NSE', 5, 'CNC'],
      ['RELIANCE', 'NSE', 2, 'MIS'],
      ['SBIN', 'NSE', 10, 'MIS'],
    ]);

    const unknown = await admin.post(`${base}/symbols`, {
      symbols: [{ symbol: 'NOSUCHCO', exchange: 'NSE', quantity: 1, product: 'MIS' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ status: 'error', message: 'Unknown symbols: NOSUCHCO@NSE' });
    const badCsv = await admin.post(`${base}/symbols`, { csv: 'SBIN,NSE,-1,MIS' });
    expect(badCsv.status).toBe(400);
    expect((badCsv.json as { message: string }).message).toMatch(/quantity must be a positive whole number/);
    expect((await admin.post(`${base}/symbols`, {})).status).toBe(400);

    const sbin = mapped.find((row) => row.symbol === 'SBIN');
    const removed = await admin.delete(`${base}/symbols/${sbin?.id}`);
    expect(removed.json).toEqual({ status: 'success', message: 'Symbol mapping removed.' });
    expect((await admin.delete(`${base}/symbols/${sbin?.id}`)).status).toBe(404);
    const after = strategyResponseSchema.parse((await admin.get(base)).json).data;
    expect(after.symbols.map((row) => row.symbol).sort()).toEqual(['INFY', 'RELIANCE']);

    expect((await admin.delete(base)).json).toEqual({ status: 'success', message: 'Strategy deleted.' });
    expect((await admin.get(base)).status).toBe(404);
    expect((await admin.delete(base)).status).toBe(404);
  });

  it('lists the alerts a webhook received, newest first', async () => {
    const strategy = strategyResponseSchema.parse(
      (await admin.post('/web/strategies', { name: 'alerts', platform: 'tradingview', is_intraday: false }))
        .json,
    ).data;
    await admin.post(`/web/strategies/${strategy.id}/symbols`, {
      symbols: [{ symbol: 'SBIN', exchange: 'NSE', quantity: 1, product: 'MIS' }],
    });
    const webhook = `/strategy/webhook/${strategy.webhook_id}`;
    expect((await t.post(webhook, { symbol: 'SBIN', action: 'HOLD' })).status).toBe(400);
    expect((await t.post(webhook, { symbol: 'TCS', action: 'BUY' })).status).toBe(400);
    const alerts = await admin.get(`/web/strategies/${strategy.id}/alerts`);
    expect(alerts.status).toBe(200);
    const rows = (alerts.json as { data: Array<{ status: string; payload: unknown; error: string | null }> })
      .data;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ status: 'rejected', payload: { symbol: 'TCS', action: 'BUY' } });
    expect(rows[1]).toMatchObject({ status: 'rejected', error: 'invalid payload' });
    const limited = await admin.get(`/web/strategies/${strategy.id}/alerts?limit=1`);
    expect((limited.json as { data: unknown[] }).data).toHaveLength(1);
    expect((await admin.get(`/web/strategies/${strategy.id}/alerts?limit=0`)).status).toBe(400);
  });

  it('keeps strategies to their owner and behind the session door with CSRF', async () => {
    const mine = strategyResponseSchema.parse(
      (await admin.post('/web/strategies', { name: 'private', platform: 'python', is_intraday: false })).json,
    ).data;
    await insertUser(t.database.db, {
      username: 'other',
      password_hash: await hashPassword('other-password-1'),
      is_admin: false,
    });
    const other = new WebClient(t.baseUrl);
    expect((await other.login('other', 'other-password-1')).status).toBe(200);
    await other.get('/web/session');
    expect(strategyListResponseSchema.parse((await other.get('/web/strategies')).json).data).toEqual([]);
    expect((await other.get(`/web/strategies/${mine.id}`)).status).toBe(404);
    expect((await other.delete(`/web/strategies/${mine.id}`)).status).toBe(404);
    expect((await other.get(`/web/strategies/${mine.id}/alerts`)).status).toBe(404);

    const anonymous = new WebClient(t.baseUrl);
    expect((await anonymous.get('/web/strategies')).status).toBe(401);
    expect(
      (await admin.post('/web/strategies', { name: 'nocsrf', platform: 'python' }, { csrf: false })).status,
    ).toBe(403);
    expect((await admin.delete(`/web/strategies/${mine.id}`, { csrf: false })).status).toBe(403);
    expect((await admin.get(`/web/strategies/${mine.id}`)).status).toBe(200);
  });
});
