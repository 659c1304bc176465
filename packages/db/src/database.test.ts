import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDownAll, migrateToLatest } from './migrate.js';
import { findActiveApiKeyByHash, insertApiKey, revokeApiKeysOfUser } from './queries/api-keys.js';
import {
  findActiveBrokerSession,
  replaceBrokerSession,
  revokeBrokerSessions,
} from './queries/broker-sessions.js';
import { insertLatencyLogs, insertTrafficLogs, listLatencyLogs, listTrafficLogs } from './queries/logs.js';
import {
  completeOrder,
  findOrderLog,
  listUnfinishedOrders,
  markOrderSent,
  type RecordOrderInput,
  recordOrder,
} from './queries/order-log.js';
import { getSetting, putSetting } from './queries/settings.js';
import {
  countSymbols,
  findSymbol,
  findSymbolByToken,
  listSymbols,
  replaceSymbols,
  searchSymbols,
} from './queries/symbols.js';
import { countUsers, findUserByUsername, insertUser } from './queries/users.js';
import type { NewSymbolRow } from './tables/symbols.js';
import { createTestDatabase, type TestDatabase, testBackends } from './testing.js';

function symbolRow(overrides: Partial<NewSymbolRow>): NewSymbolRow {
  return {
    broker: 'simulator',
    symbol: 'SBIN',
    brsymbol: 'SBIN-EQ',
    name: 'STATE BANK OF INDIA',
    exchange: 'NSE',
    brexchange: 'NSE',
    token: '3045',
    expiry: '',
    expiry_date: null,
    strike: '0',
    lotsize: 1,
    instrumenttype: 'EQ',
    tick_size: '0.05',
    contract_value: null,
    ...overrides,
  };
}

describe.each(testBackends())('database on %s', (backend) => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('runs on the backend it claims', async () => {
    const result = await sql<{ version: string }>`select version() as version`.execute(handle.db);
    expect(result.rows[0]?.version).toMatch(/PostgreSQL/);
    expect(handle.kind).toBe(backend);
  });

  it('migrations are idempotent', async () => {
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });

  it('pins the runtime types of numeric, int8, timestamptz and jsonb', async () => {
    const result = await sql<{ n: unknown; b: unknown; t: unknown; j: unknown }>`
      select 1234.50::numeric as n, 9007199254740991::int8 as b, now() as t, '{"a":[1,"x"]}'::jsonb as j`.execute(
      handle.db,
    );
    const row = result.rows[0];
    expect(row?.n).toBe('1234.50');
    expect(row?.b).toBe(9_007_199_254_740_991);
    expect(row?.t).toBeInstanceOf(Date);
    expect(row?.j).toEqual({ a: [1, 'x'] });
  });

  it('stores money as numeric and reads it back as an exact string', async () => {
    await replaceSymbols(handle.db, 'simulator', [
      [symbolRow({ symbol: 'TICKY', token: '1', tick_size: '0.0025', strike: '83.25' })],
    ]);
    const row = await findSymbol(handle.db, 'TICKY', 'NSE');
    expect(row?.tick_size).toBe('0.0025');
    expect(row?.strike).toBe('83.25');
  });

  it('creates users and finds API keys by hash only', async () => {
    const user = await insertUser(handle.db, {
      username: `admin-${backend}`,
      password_hash: 'x',
      is_admin: true,
    });
    expect(await countUsers(handle.db)).toBeGreaterThanOrEqual(1);
    expect((await findUserByUsername(handle.db, user.username))?.id).toBe(user.id);
    const key = await insertApiKey(handle.db, {
      user_id: user.id,
      key_hash: `hash-${backend}`,
      key_prefix: 'abcd',
    });
    expect(key.order_mode).toBe('auto');
    expect((await findActiveApiKeyByHash(handle.db, `hash-${backend}`))?.id).toBe(key.id);
    const revoked = await revokeApiKeysOfUser(handle.db, user.id, new Date());
    expect(revoked.map((row) => row.id)).toEqual([key.id]);
    expect(await findActiveApiKeyByHash(handle.db, `hash-${backend}`)).toBeUndefined();
    await expect(
      insertApiKey(handle.db, { user_id: user.id, key_hash: `hash-${backend}`, key_prefix: 'abcd' }),
    ).rejects.toThrow();
  });

  it('keeps one live broker session per user and honours expiry', async () => {
    const user = await insertUser(handle.db, { username: `trader-${backend}`, password_hash: 'x' });
    const now = new Date('2026-11-24T04:00:00Z');
    const first = await replaceBrokerSession(handle.db, {
      user_id: user.id,
      broker: 'simulator',
      access_token_enc: 'enc1',
      metadata: { login: 1 },
      expires_at: new Date('2026-11-24T21:30:00Z'),
    });
    const second = await replaceBrokerSession(handle.db, {
      user_id: user.id,
      broker: 'simulator',
      access_token_enc: 'enc2',
      metadata: { login: 2, note: 'a "quoted" text' },
      expires_at: new Date('2026-11-24T21:30:00Z'),
    });
    expect(second.id).not.toBe(first.id);
    const active = await findActiveBrokerSession(handle.db, user.id, now);
    expect(active?.access_token_enc).toBe('enc2');
    expect(active?.metadata).toEqual({ login: 2, note: 'a "quoted" text' });
    expect(
      await findActiveBrokerSession(handle.db, user.id, new Date('2026-11-25T00:00:00Z')),
    ).toBeUndefined();
    expect(await revokeBrokerSessions(handle.db, user.id, now)).toBe(1);
    expect(await findActiveBrokerSession(handle.db, user.id, now)).toBeUndefined();
  });

  it('round-trips settings as JSON values', async () => {
    await putSetting(handle.db, 'analyzer_mode', true);
    await putSetting(handle.db, 'prefs', { theme: 'dark', list: [1, 2] });
    await putSetting(handle.db, 'label', 'quote " and \\ backslash');
    expect(await getSetting(handle.db, 'analyzer_mode')).toBe(true);
    expect(await getSetting(handle.db, 'prefs')).toEqual({ theme: 'dark', list: [1, 2] });
    expect(await getSetting(handle.db, 'label')).toBe('quote " and \\ backslash');
    await putSetting(handle.db, 'analyzer_mode', false);
    expect(await getSetting(handle.db, 'analyzer_mode')).toBe(false);
    expect(await getSetting(handle.db, 'missing')).toBeUndefined();
  });

  it('replaces the master contract atomically and searches it', async () => {
    async function* batches() {
      yield [
        symbolRow({}),
        symbolRow({ symbol: 'SBICARD', brsymbol: 'SBICARD', token: '17971', name: 'SBI CARDS' }),
        symbolRow({ symbol: 'INFY', brsymbol: 'INFY', token: '1594', name: 'INFOSYS' }),
      ];
      yield [
        symbolRow({
          symbol: 'NIFTY28NOV2424000CE',
          brsymbol: 'NIFTY24N2824000CE',
          name: 'NIFTY',
          exchange: 'NFO',
          brexchange: 'NFO',
          token: '9001',
          expiry: '28-NOV-24',
          expiry_date: '2024-11-28',
          strike: '24000',
          lotsize: 75,
          instrumenttype: 'CE',
        }),
      ];
    }
    const progress: number[] = [];
    const inserted = await replaceSymbols(handle.db, 'simulator', batches(), (count) => progress.push(count));
    expect(inserted).toBe(4);
    expect(progress.at(-1)).toBe(4);
    expect(await countSymbols(handle.db)).toBe(4);
    expect((await findSymbolByToken(handle.db, '9001', 'NFO'))?.symbol).toBe('NIFTY28NOV2424000CE');
    const found = await searchSymbols(handle.db, { query: 'sbi', exchange: 'NSE' });
    expect(found.map((row) => row.symbol)).toEqual(['SBIN', 'SBICARD']);
    expect((await searchSymbols(handle.db, { query: 'infosys' })).map((row) => row.symbol)).toEqual(['INFY']);
    expect(await searchSymbols(handle.db, { query: "%' or 1=1 --" })).toEqual([]);
    expect(await searchSymbols(handle.db, { query: '%' })).toEqual([]);
    // A failing load leaves the previous contract in place.
    await expect(
      replaceSymbols(handle.db, 'simulator', [[symbolRow({ symbol: 'DUP' }), symbolRow({ symbol: 'DUP' })]]),
    ).rejects.toThrow();
    expect(await countSymbols(handle.db)).toBe(4);
  });

  it('reloads a full master contract by difference: vanished rows go, changed rows change, the rest stay', async () => {
    await replaceSymbols(handle.db, 'zerodha', [
      [
        symbolRow({ symbol: 'KEEP', token: '1' }),
        symbolRow({ symbol: 'CHANGE', token: '2' }),
        symbolRow({ symbol: 'DROP', token: '3' }),
      ],
    ]);
    const before = await findSymbol(handle.db, 'KEEP', 'NSE');
    const loaded = await replaceSymbols(handle.db, 'zerodha', [
      [symbolRow({ symbol: 'KEEP', token: '1' }), symbolRow({ symbol: 'CHANGE', token: '22', lotsize: 5 })],
      [symbolRow({ symbol: 'NEW', token: '4', exchange: 'BSE' })],
    ]);
    expect(loaded).toBe(3);
    const rows = await listSymbols(handle.db);
    expect(rows.map((row) => [row.broker, row.symbol, row.exchange, row.token, row.lotsize]).sort()).toEqual([
      ['zerodha', 'CHANGE', 'NSE', '22', 5],
      ['zerodha', 'KEEP', 'NSE', '1', 1],
      ['zerodha', 'NEW', 'BSE', '4', 1],
    ]);
    // Identical rows are not rewritten.
    expect((await findSymbol(handle.db, 'KEEP', 'NSE'))?.id).toBe(before?.id);
    // A failing reload keeps the contract.
    await expect(
      replaceSymbols(handle.db, 'zerodha', [[symbolRow({ symbol: 'X' }), symbolRow({ symbol: 'X' })]]),
    ).rejects.toThrow();
    expect(await countSymbols(handle.db)).toBe(3);
    // Switching broker replaces every row, identical text or not.
    await replaceSymbols(handle.db, 'simulator', [[symbolRow({ symbol: 'KEEP', token: '1' })]]);
    expect((await listSymbols(handle.db)).map((row) => [row.broker, row.symbol])).toEqual([
      ['simulator', 'KEEP'],
    ]);
    expect((await findSymbol(handle.db, 'KEEP', 'NSE'))?.id).not.toBe(before?.id);
  });

  it('keeps every symbols index through a first load (built once at the end) and a reload', async () => {
    const indexes = async () =>
      (
        await sql<{ indexdef: string }>`
          select indexdef from pg_indexes
          where schemaname = current_schema() and tablename = 'symbols' order by indexname`.execute(handle.db)
      ).rows.map((row) => row.indexdef);
    const before = await indexes();
    expect(before.length).toBeGreaterThanOrEqual(8);
    await sql`delete from symbols`.execute(handle.db);
    await replaceSymbols(handle.db, 'zerodha', [[symbolRow({ symbol: 'FIRST', name: 'FIRST LOAD' })]]);
    expect(await indexes()).toEqual(before);
    await replaceSymbols(handle.db, 'zerodha', [[symbolRow({ symbol: 'SECOND', name: 'SECOND LOAD' })]]);
    expect(await indexes()).toEqual(before);
    expect((await searchSymbols(handle.db, { query: 'secnd' })).map((row) => row.symbol)).toEqual(['SECOND']);
  });

  it('stores master-contract text exactly, whatever characters it holds', async () => {
    const awkward = ['A, B AND C', 'QUOTE " INSIDE', 'BACK\\SLASH', '{BRACES}', 'NULL', 'M&M', 'ÜNİCODE'];
    await replaceSymbols(handle.db, 'simulator', [
      awkward.map((name, index) =>
        symbolRow({ symbol: `AWK${index}`, brsymbol: name, name, token: String(index), strike: '292.5' }),
      ),
    ]);
    for (const [index, name] of awkward.entries()) {
      const row = await findSymbol(handle.db, `AWK${index}`, 'NSE');
      expect(row).toMatchObject({
        brsymbol: name,
        name,
        token: String(index),
        strike: '292.5',
        expiry_date: null,
      });
    }
  });

  it('records an order before the broker call and completes it after', async () => {
    const base: RecordOrderInput = {
      id: `ord_${backend}_1`,
      userId: 1,
      apiKeyId: 1,
      requestId: 'req_1',
      idempotencyKey: 'retry-me',
      mode: 'live',
      broker: 'simulator',
      operation: 'placeorder',
      strategy: 'test',
      exchange: 'NSE',
      symbol: 'SBIN',
      request: { symbol: 'SBIN', quantity: 1, price: '500.05' },
      createdAt: new Date(),
    };
    const recorded = await recordOrder(handle.db, base);
    expect(recorded?.status).toBe('pending');
    expect(recorded?.request).toEqual({ symbol: 'SBIN', quantity: 1, price: '500.05' });
    expect(await recordOrder(handle.db, { ...base, id: `ord_${backend}_2` })).toBeNull();
    expect((await listUnfinishedOrders(handle.db)).map((row) => row.id)).toContain(base.id);
    await markOrderSent(handle.db, base.id, new Date());
    await completeOrder(handle.db, {
      id: base.id,
      status: 'accepted',
      brokerOrderId: '250408000989443',
      response: { status: 'success', orderid: '250408000989443' },
      error: null,
      completedAt: new Date(),
    });
    const done = await findOrderLog(handle.db, base.id);
    expect(done?.status).toBe('accepted');
    expect(done?.response).toEqual({ status: 'success', orderid: '250408000989443' });
    expect((await listUnfinishedOrders(handle.db)).map((row) => row.id)).not.toContain(base.id);
  });

  it('writes and filters traffic and latency logs', async () => {
    const at = new Date();
    await insertTrafficLogs(handle.db, [
      {
        at,
        method: 'POST',
        path: '/api/v1/ping',
        status: 200,
        duration_ms: 0.42,
        client_ip: '127.0.0.1',
        api_key_id: 1,
        request_id: 'r1',
        error: null,
      },
      {
        at,
        method: 'POST',
        path: '/api/v1/placeorder',
        status: 400,
        duration_ms: 1.5,
        client_ip: '127.0.0.1',
        api_key_id: null,
        request_id: 'r2',
        error: 'bad',
      },
    ]);
    const errors = await listTrafficLogs(handle.db, { minimumStatus: 400 });
    expect(errors.map((row) => row.path)).toEqual(['/api/v1/placeorder']);
    expect(
      (await listTrafficLogs(handle.db, { pathPrefix: '/api/v1/pi' })).map((row) => row.duration_ms),
    ).toEqual([0.42]);
    await insertLatencyLogs(handle.db, [
      {
        at,
        order_id: 'ord_1',
        operation: 'placeorder',
        broker: 'simulator',
        mode: 'live',
        platform_ms: 0.3,
        broker_ms: 12.5,
        total_ms: 12.8,
        status: 'accepted',
      },
    ]);
    expect((await listLatencyLogs(handle.db, { operation: 'placeorder' }))[0]?.broker_ms).toBe(12.5);
  });

  it('delivers notifications to listeners', async () => {
    const received: string[] = [];
    const unlisten = await handle.listen('openalgo_test', (payload) => received.push(payload));
    await handle.notify('openalgo_test', 'hello');
    for (let attempt = 0; attempt < 50 && received.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received).toEqual(['hello']);
    await unlisten();
    await expect(handle.notify('bad channel; drop table users')).rejects.toThrow(
      /invalid notification channel/,
    );
  });

  it('rolls every migration down and up again', async () => {
    const down = await migrateDownAll(handle.db);
    expect(down.length).toBeGreaterThan(0);
    const tables = await sql<{ count: string | number }>`
      select count(*) as count from information_schema.tables
      where table_schema = current_schema() and table_name = 'users'`.execute(handle.db);
    expect(Number(tables.rows[0]?.count)).toBe(0);
    expect(await migrateToLatest(handle.db)).toEqual(down.reverse());
    // Every migration twice, on a shared machine: far more than the default 5 s at times.
  }, 120_000);
});
