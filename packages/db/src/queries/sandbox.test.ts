import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStore } from '../sandbox-database.js';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import {
  claimSandboxJobRun,
  insertSandboxFunds,
  insertSandboxLedger,
  insertSandboxPosition,
  lockSandboxFunds,
  lockSandboxFundsAndPosition,
  lockSandboxPosition,
  nextSandboxSequence,
  nextSandboxSequenceBlock,
} from './sandbox.js';

describe.each(testBackends())('sandbox schema on %s', (backend) => {
  let handle: TestDatabase;
  const at = new Date('2026-11-24T05:00:00Z');

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  function funds(userId: number, cash: string) {
    return {
      user_id: userId,
      capital: '1000',
      cash,
      used_margin: '0',
      holdings_cost: '0',
      realized_pnl: '0',
      today_realized_pnl: '0',
      today_session: at,
      unrealized_pnl: '0',
      last_reset_at: at,
      created_at: at,
      updated_at: at,
    };
  }

  it('keeps its tables in a schema of its own beside the main one', async () => {
    const current = await sql<{ name: string }>`select current_schema() as name`.execute(handle.db);
    const main = current.rows[0]?.name;
    expect(handle.sandboxSchema).toBe(main === 'public' ? 'sandbox' : `${main}_sandbox`);
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables
      where table_schema = ${handle.sandboxSchema} order by table_name`.execute(handle.db);
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      'config',
      'daily_pnl',
      'funds',
      'gtt_legs',
      'gtts',
      'holdings',
      'job_runs',
      'ledger',
      'orders',
      'positions',
      'trades',
    ]);
  });

  it('refuses a funds row or a journal entry that does not balance', async () => {
    const store = sandboxStore(handle.db, handle.sandboxSchema);
    await expect(insertSandboxFunds(store.db, funds(1, '999'))).rejects.toThrow(/funds_reconcile/);
    expect(await insertSandboxFunds(store.db, funds(1, '1000'))).toBe(true);
    expect(await insertSandboxFunds(store.db, funds(1, '1000'))).toBe(false);
    await expect(
      insertSandboxLedger(store.db, [
        {
          user_id: 1,
          at,
          kind: 'reserve',
          owner_kind: 'order',
          owner_id: 'x',
          cash: '-10',
          margin: '9',
          holdings: '0',
          capital: '0',
          realized: '0',
          note: '',
        },
      ]),
    ).rejects.toThrow(/ledger_balanced/);
  });

  it('hands out sequence values once each and claims a job run once', async () => {
    const store = sandboxStore(handle.db, handle.sandboxSchema);
    const values = await Promise.all(
      Array.from({ length: 10 }, () => nextSandboxSequence(store.db, store.schema, 'order_id_seq')),
    );
    expect(new Set(values).size).toBe(10);
    // Blocks from concurrent callers never overlap each other or single values.
    const blocks = await Promise.all(
      Array.from({ length: 4 }, () => nextSandboxSequenceBlock(store.db, store.schema, 'order_id_seq', 25)),
    );
    for (const block of blocks) {
      expect(block).toHaveLength(25);
      expect([...block].sort((left, right) => left - right)).toEqual(block);
    }
    const all = [...values, ...blocks.flat()];
    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...blocks.flat())).toBeGreaterThan(Math.max(...values));
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimSandboxJobRun(store.db, 'daily_pnl_snapshot', at, at)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('locks funds and a position in one statement, reading the same rows as the separate locks', async () => {
    const store = sandboxStore(handle.db, handle.sandboxSchema);
    const key = { userId: 71, symbol: 'SBIN', exchange: 'NSE', product: 'MIS' };
    expect(await lockSandboxFundsAndPosition(store.db, key)).toEqual({
      funds: undefined,
      position: undefined,
    });
    await insertSandboxFunds(store.db, funds(71, '1000'));
    const noPosition = await lockSandboxFundsAndPosition(store.db, key);
    expect(noPosition.position).toBeUndefined();
    expect(noPosition.funds).toEqual(await lockSandboxFunds(store.db, 71));
    await insertSandboxPosition(store.db, {
      user_id: 71,
      symbol: 'SBIN',
      exchange: 'NSE',
      product: 'MIS',
      instrument: { symbol: 'SBIN', lotSize: 1 },
      quantity: -3,
      average_price: '500.05',
      reservation: '300.03',
      realized_pnl: '-1.2',
      today_realized_pnl: '-0.4',
      today_session: at,
      ltp: '501.5',
      expiry_date: null,
      opened_at: at,
      created_at: at,
      updated_at: at,
    });
    const both = await lockSandboxFundsAndPosition(store.db, key);
    expect(both.funds).toEqual(await lockSandboxFunds(store.db, 71));
    expect(both.position).toEqual(await lockSandboxPosition(store.db, key));
    expect(both.position).toMatchObject({
      quantity: -3,
      average_price: '500.05',
      instrument: { lotSize: 1 },
    });
    // Another user's funds row never brings this user's position.
    await insertSandboxFunds(store.db, funds(72, '1000'));
    expect((await lockSandboxFundsAndPosition(store.db, { ...key, userId: 72 })).position).toBeUndefined();
  });

  it('the combined lock holds both rows until the transaction ends', async () => {
    const store = sandboxStore(handle.db, handle.sandboxSchema);
    const key = { userId: 71, symbol: 'SBIN', exchange: 'NSE', product: 'MIS' };
    if (backend === 'pglite') {
      // One session: nothing can run beside a transaction. The lock clause is checked on SQL.
      const statements: string[] = [];
      const counted = await createTestDatabase(backend, { onStatement: (text) => statements.push(text) });
      try {
        statements.length = 0;
        await lockSandboxFundsAndPosition(sandboxStore(counted.db, counted.sandboxSchema).db, key);
        expect(statements).toHaveLength(1);
        expect(statements[0]?.match(/for update/g)).toHaveLength(2);
      } finally {
        await counted.close();
      }
      return;
    }
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = store.db.transaction().execute(async (trx) => {
      await lockSandboxFundsAndPosition(trx, key);
      locked();
      await held;
    });
    await isLocked;
    const order: string[] = [];
    const waiters = [
      store.db
        .transaction()
        .execute(async (trx) => lockSandboxPosition(trx, key))
        .then(() => order.push('position')),
      store.db
        .transaction()
        .execute(async (trx) => lockSandboxFunds(trx, 71))
        .then(() => order.push('funds')),
    ];
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(order).toEqual([]);
    release();
    await holder;
    await Promise.all(waiters);
    expect(order.sort()).toEqual(['funds', 'position']);
  });
});
