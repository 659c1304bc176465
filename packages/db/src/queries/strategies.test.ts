import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dedupeMigration from '../migrations/202612020300_strategy_alert_dedupe.js';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import {
  claimAlert,
  deleteStrategy,
  findAlert,
  findStrategyByWebhookId,
  finishAlert,
  finishAlerts,
  heartbeatApiInstance,
  insertAlert,
  insertStrategy,
  listAlerts,
  listLiveApiInstances,
  listStrategySymbols,
  listUnfinishedAlerts,
  markStrategySquaredOff,
  releaseAlert,
  removeApiInstance,
  upsertStrategySymbols,
} from './strategies.js';
import { insertUser } from './users.js';

describe.each(testBackends())('strategies and alerts on %s', (backend) => {
  let handle: TestDatabase;
  let userId: number;
  const statements: string[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase(backend, { onStatement: (text) => statements.push(text) });
    userId = (await insertUser(handle.db, { username: 'trader', password_hash: 'x' })).id;
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('stores a strategy with its mappings and finds it by webhook id', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'tradingview_breakout',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-1',
      start_time: '09:20',
      end_time: '15:00',
      squareoff_time: '15:15',
    });
    expect(strategy.trading_mode).toBe('LONG');
    expect(strategy.is_active).toBe(true);
    await upsertStrategySymbols(handle.db, [
      { strategy_id: strategy.id, symbol: 'SBIN', exchange: 'NSE', quantity: 10, product: 'MIS' },
      { strategy_id: strategy.id, symbol: 'INFY', exchange: 'NSE', quantity: 5, product: 'MIS' },
    ]);
    // Upsert on (symbol, exchange) updates instead of duplicating.
    await upsertStrategySymbols(handle.db, [
      { strategy_id: strategy.id, symbol: 'SBIN', exchange: 'NSE', quantity: 20, product: 'CNC' },
    ]);
    const mappings = await listStrategySymbols(handle.db, strategy.id);
    expect(mappings.map((row) => [row.symbol, row.quantity, row.product])).toEqual([
      ['INFY', 5, 'MIS'],
      ['SBIN', 20, 'CNC'],
    ]);
    expect((await findStrategyByWebhookId(handle.db, 'wh-1'))?.id).toBe(strategy.id);
    await expect(
      upsertStrategySymbols(handle.db, [
        { strategy_id: strategy.id, symbol: 'X', exchange: 'NSE', quantity: 0, product: 'MIS' },
      ]),
    ).rejects.toThrow();
  });

  it('stores concurrent identical alerts once as received and the rest as duplicates', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'dupes',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-dupes',
    });
    const receivedAt = new Date('2026-11-24T04:00:00Z');
    const alerts = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        insertAlert(
          handle.db,
          {
            id: `alr_${backend}_${index}`,
            strategyId: strategy.id,
            receivedAt,
            payload: { symbol: 'SBIN', action: 'BUY' },
            dedupeKey: 'SBIN|BUY',
          },
          5_000,
        ),
      ),
    );
    expect(alerts.filter((alert) => alert.status === 'received')).toHaveLength(1);
    expect(alerts.filter((alert) => alert.status === 'duplicate')).toHaveLength(4);
    // Outside the window the same alert is new again.
    const later = await insertAlert(
      handle.db,
      {
        id: `alr_${backend}_later`,
        strategyId: strategy.id,
        receivedAt: new Date(receivedAt.getTime() + 6_000),
        payload: {},
        dedupeKey: 'SBIN|BUY',
      },
      5_000,
    );
    expect(later.status).toBe('received');
  });

  it('stores an alert in one statement; the window runs from the last alert that was not a duplicate', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'window',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-window',
    });
    const base = Date.parse('2026-11-24T05:00:00Z');
    const store = (id: string, offsetMs: number, dedupeKey = 'INFY|BUY') =>
      insertAlert(
        handle.db,
        {
          id: `alr_${backend}_w${id}`,
          strategyId: strategy.id,
          receivedAt: new Date(base + offsetMs),
          payload: { n: id },
          dedupeKey,
        },
        5_000,
        { claim: true },
      );
    statements.length = 0;
    const first = await store('1', 0);
    expect(statements).toHaveLength(1);
    expect(first.status).toBe('processing');
    const again = await store('2', 4_000);
    expect(again).toMatchObject({ status: 'duplicate', outcome: { duplicateOf: first.id } });
    expect(again.processed_at?.getTime()).toBe(base + 4_000);
    // A duplicate does not extend the window: 5.5 s after the first it is new again.
    const second = await store('3', 5_500);
    expect(second.status).toBe('processing');
    expect((await store('4', 9_000)).outcome).toEqual({ duplicateOf: second.id });
    // Other keys of the same strategy are independent, however long the key.
    expect((await store('5', 9_000, 'TCS|BUY')).status).toBe('processing');
    const longKey = JSON.stringify({ symbol: 'X'.repeat(60_000) });
    expect((await store('6', 9_000, longKey)).status).toBe('processing');
    expect((await store('7', 9_500, longKey)).status).toBe('duplicate');
    expect(statements).toHaveLength(7);
  });

  it('stores an alert whatever the size of its dedupe key (an unparsable payload is its own key)', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'big keys',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-big-keys',
    });
    const dedupeKey = JSON.stringify({ junk: randomBytes(12_000).toString('base64') });
    const input = { strategyId: strategy.id, receivedAt: new Date(), payload: {}, dedupeKey };
    const first = await insertAlert(handle.db, { ...input, id: `alr_${backend}_big1` }, 5_000);
    const again = await insertAlert(handle.db, { ...input, id: `alr_${backend}_big2` }, 5_000);
    expect([first.status, again.status]).toEqual(['received', 'duplicate']);
  });

  it('the migration anchors alerts stored before it, so they still count within their window', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'before migration',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-migration',
    });
    const receivedAt = new Date('2026-11-24T06:00:00Z');
    const older = await insertAlert(
      handle.db,
      { id: `alr_${backend}_m0`, strategyId: strategy.id, receivedAt, payload: {}, dedupeKey: 'm' },
      0,
    );
    const latest = await insertAlert(
      handle.db,
      {
        id: `alr_${backend}_m1`,
        strategyId: strategy.id,
        receivedAt: new Date(receivedAt.getTime() + 10_000),
        payload: {},
        dedupeKey: 'm',
      },
      5_000,
    );
    expect([older.status, latest.status]).toEqual(['received', 'received']);
    // As if both had been stored by the previous version: no anchor rows, then the migration.
    await handle.db.schema.dropTable('strategy_alert_dedupe').execute();
    await dedupeMigration.up(handle.db);
    const duplicate = await insertAlert(
      handle.db,
      {
        id: `alr_${backend}_m2`,
        strategyId: strategy.id,
        receivedAt: new Date(receivedAt.getTime() + 12_000),
        payload: {},
        dedupeKey: 'm',
      },
      5_000,
    );
    expect(duplicate).toMatchObject({ status: 'duplicate', outcome: { duplicateOf: latest.id } });
  });

  it('leaves out alerts that a live api process is executing, and releases an abandoned claim once', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'owners',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-owners',
    });
    const alert = (id: string, owner: string) =>
      insertAlert(
        handle.db,
        { id, strategyId: strategy.id, receivedAt: new Date(), payload: { action: 'BUY' }, dedupeKey: id },
        0,
        { claim: true, owner },
      );
    const live = await alert(`alr_${backend}_live`, 'api-live');
    const gone = await alert(`alr_${backend}_gone`, 'api-gone');
    expect([live.claimed_by, gone.claimed_by]).toEqual(['api-live', 'api-gone']);
    const now = Date.now();
    await heartbeatApiInstance(handle.db, 'api-live', new Date(now));
    await heartbeatApiInstance(handle.db, 'api-gone', new Date(now - 60_000));
    await heartbeatApiInstance(handle.db, 'api-gone', new Date(now - 30_000));
    const liveOwners = await listLiveApiInstances(handle.db, new Date(now - 15_000));
    expect(liveOwners).toEqual(['api-live']);
    const unfinished = (await listUnfinishedAlerts(handle.db, { liveOwners })).map((row) => row.id);
    expect(unfinished).toContain(gone.id);
    expect(unfinished).not.toContain(live.id);
    // Two processes recovering the abandoned alert: released once, then claimed once.
    await releaseAlert(handle.db, gone.id, 'api-gone');
    await releaseAlert(handle.db, gone.id, 'api-gone');
    expect(await claimAlert(handle.db, gone.id, 'api-live')).toBe(true);
    expect(await claimAlert(handle.db, gone.id, 'api-other')).toBe(false);
    // A release naming a previous owner leaves the new owner's claim alone.
    await releaseAlert(handle.db, gone.id, 'api-gone');
    expect(await findAlert(handle.db, gone.id)).toMatchObject({
      status: 'processing',
      claimed_by: 'api-live',
    });
    await removeApiInstance(handle.db, 'api-live');
    expect(await listLiveApiInstances(handle.db, new Date(now - 15_000))).toEqual([]);
  });

  it('claims an alert once, and recovers unfinished ones', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'claims',
      platform: 'chartink',
      kind: 'chartink',
      webhook_id: 'wh-claims',
    });
    const alert = await insertAlert(
      handle.db,
      {
        id: `alr_${backend}_claim`,
        strategyId: strategy.id,
        receivedAt: new Date(),
        payload: { stocks: 'SBIN' },
        dedupeKey: 'k',
      },
      0,
    );
    const claims = await Promise.all([claimAlert(handle.db, alert.id), claimAlert(handle.db, alert.id)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await listUnfinishedAlerts(handle.db)).map((row) => row.id)).toContain(alert.id);
    await releaseAlert(handle.db, alert.id);
    expect(await claimAlert(handle.db, alert.id)).toBe(true);
    await finishAlert(handle.db, {
      id: alert.id,
      status: 'executed',
      outcome: { orders: [{ symbol: 'SBIN', orderid: '1' }] },
      error: null,
      processedAt: new Date(),
    });
    expect((await listUnfinishedAlerts(handle.db)).map((row) => row.id)).not.toContain(alert.id);
    const history = await listAlerts(handle.db, strategy.id);
    expect(history[0]?.outcome).toEqual({ orders: [{ symbol: 'SBIN', orderid: '1' }] });
  });

  it('stores an alert already claimed when asked, and a duplicate of it as a duplicate', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'claimed',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-claimed',
    });
    const input = {
      strategyId: strategy.id,
      receivedAt: new Date(),
      payload: { symbol: 'SBIN', action: 'BUY' },
      dedupeKey: 'same',
    };
    const first = await insertAlert(handle.db, { ...input, id: `alr_${backend}_c1` }, 60_000, {
      claim: true,
    });
    expect(first.status).toBe('processing');
    expect(first.received_at).toBeInstanceOf(Date);
    expect(first.payload).toEqual({ symbol: 'SBIN', action: 'BUY' });
    expect(await claimAlert(handle.db, first.id)).toBe(false);
    const again = await insertAlert(handle.db, { ...input, id: `alr_${backend}_c2` }, 60_000, {
      claim: true,
    });
    expect(again.status).toBe('duplicate');
    expect(again.outcome).toEqual({ duplicateOf: first.id });
    expect(again.processed_at).toBeInstanceOf(Date);
    expect((await listUnfinishedAlerts(handle.db)).map((row) => row.id)).toContain(first.id);
  });

  it('writes several outcomes in one statement', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'outcomes',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-outcomes',
    });
    const ids = ['o1', 'o2', 'o3'].map((suffix) => `alr_${backend}_${suffix}`);
    for (const [index, id] of ids.entries()) {
      await insertAlert(
        handle.db,
        { id, strategyId: strategy.id, receivedAt: new Date(), payload: {}, dedupeKey: `k${index}` },
        0,
        { claim: true },
      );
    }
    const processedAt = new Date('2026-11-24T05:00:00.123Z');
    statements.length = 0;
    await finishAlerts(handle.db, [
      {
        id: ids[0] ?? '',
        status: 'executed',
        outcome: { results: [{ orderid: '7' }] },
        error: null,
        processedAt,
      },
      { id: ids[1] ?? '', status: 'rejected', outcome: null, error: 'outside hours', processedAt },
      {
        id: ids[2] ?? '',
        status: 'partial',
        outcome: { text: 'it\'s "quoted"' },
        error: '1 of 2',
        processedAt,
      },
    ]);
    expect(statements).toHaveLength(1);
    const rows = Object.fromEntries((await listAlerts(handle.db, strategy.id)).map((row) => [row.id, row]));
    expect(rows[ids[0] ?? '']).toMatchObject({
      status: 'executed',
      outcome: { results: [{ orderid: '7' }] },
      error: null,
      processed_at: processedAt,
    });
    expect(rows[ids[1] ?? '']).toMatchObject({ status: 'rejected', outcome: null, error: 'outside hours' });
    expect(rows[ids[2] ?? '']).toMatchObject({ status: 'partial', outcome: { text: 'it\'s "quoted"' } });
    expect((await listUnfinishedAlerts(handle.db)).map((row) => row.id)).not.toContain(ids[0]);
  });

  it('marks the daily square-off once per IST date', async () => {
    const strategy = await insertStrategy(handle.db, {
      user_id: userId,
      name: 'squareoff',
      platform: 'tradingview',
      kind: 'webhook',
      webhook_id: 'wh-sq',
      squareoff_time: '15:15',
    });
    const results = await Promise.all([
      markStrategySquaredOff(handle.db, strategy.id, '2026-11-24'),
      markStrategySquaredOff(handle.db, strategy.id, '2026-11-24'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await markStrategySquaredOff(handle.db, strategy.id, '2026-11-25')).toBe(true);
    expect(await deleteStrategy(handle.db, strategy.id, userId)).toBe(true);
  });
});
