import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStore } from '../sandbox-database.js';
import { createTestDatabase, type TestDatabase, testBackends } from '../testing.js';
import {
  claimSandboxJobRun,
  insertSandboxFunds,
  insertSandboxLedger,
  insertSandboxPosition,
  listSandboxLedger,
  listSandboxOrders,
  listSandboxPositions,
  listSandboxTrades,
  lockSandboxFunds,
  lockSandboxFundsAndPosition,
  lockSandboxPosition,
  nextSandboxSequence,
  nextSandboxSequenceBlock,
  type SandboxFillWrite,
  type SandboxOrderInsert,
  writeSandboxFill,
  writeSandboxPlacement,
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
    expect(await lockSandboxFundsAndPosition(store.db, store.schema, key)).toEqual({
      funds: undefined,
      position: undefined,
    });
    await insertSandboxFunds(store.db, funds(71, '1000'));
    const noPosition = await lockSandboxFundsAndPosition(store.db, store.schema, key);
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
    const both = await lockSandboxFundsAndPosition(store.db, store.schema, key);
    expect(both.funds).toEqual(await lockSandboxFunds(store.db, 71));
    expect(both.position).toEqual(await lockSandboxPosition(store.db, key));
    expect(both.position).toMatchObject({
      quantity: -3,
      average_price: '500.05',
      instrument: { lotSize: 1 },
    });
    // Another user's funds row never brings this user's position.
    await insertSandboxFunds(store.db, funds(72, '1000'));
    expect(
      (await lockSandboxFundsAndPosition(store.db, store.schema, { ...key, userId: 72 })).position,
    ).toBeUndefined();
  });

  it('writes fills of one shape with their own values (the statement is compiled once per shape)', async () => {
    const store = sandboxStore(handle.db, handle.sandboxSchema);
    const userId = 81;
    await insertSandboxFunds(store.db, funds(userId, '1000'));
    const fill = (
      serial: number,
      price: string,
      ledgerRows: number,
      positionId?: number,
    ): SandboxFillWrite => {
      const when = new Date(at.getTime() + serial * 1_000);
      const orderid = `2611240000008${serial}`;
      const instrument = { symbol: `SYM${serial}`, lotSize: serial };
      return {
        order: {
          insert: {
            orderid,
            user_id: userId,
            strategy: `s${serial}`,
            symbol: `SYM${serial}`,
            exchange: 'NSE',
            instrument,
            action: 'BUY',
            quantity: serial,
            price,
            trigger_price: '0',
            price_type: 'MARKET',
            product: 'CNC',
            status: 'complete',
            average_price: price,
            filled_quantity: serial,
            pending_quantity: 0,
            rejection_reason: null,
            margin_blocked: '0',
            reservation: '0',
            margin_quantity: 0,
            expiry_date: null,
            gtt_leg_id: null,
            client_order_id: `c${serial}`,
            placed_at: when,
            updated_at: when,
          },
        },
        trade: {
          tradeid: `TRADE-${serial}`,
          orderid,
          user_id: userId,
          strategy: `s${serial}`,
          symbol: `SYM${serial}`,
          exchange: 'NSE',
          action: 'BUY',
          quantity: serial,
          price,
          product: 'CNC',
          realized_pnl: '0',
          traded_at: when,
        },
        position:
          positionId === undefined
            ? {
                insert: {
                  user_id: userId,
                  symbol: `SYM${serial}`,
                  exchange: 'NSE',
                  product: 'CNC',
                  instrument,
                  quantity: serial,
                  average_price: price,
                  reservation: '0',
                  realized_pnl: '0',
                  today_realized_pnl: '0',
                  today_session: at,
                  ltp: price,
                  expiry_date: null,
                  opened_at: when,
                  created_at: when,
                  updated_at: when,
                },
              }
            : { id: positionId, update: { quantity: 100 + serial, average_price: price, updated_at: when } },
        funds: { userId, update: { cash: `${1000 - serial}`, holdings_cost: `${serial}`, updated_at: when } },
        ledger: Array.from({ length: ledgerRows }, (_, index) => ({
          user_id: userId,
          at: when,
          kind: 'fill',
          owner_kind: 'order',
          owner_id: orderid,
          cash: `-${serial}.${index}`,
          margin: '0',
          holdings: `${serial}.${index}`,
          capital: '0',
          realized: '0',
          note: `fill ${serial} row ${index}`,
        })),
      };
    };
    const first = await writeSandboxFill(store.db, store.schema, fill(1, '10.05', 1));
    const second = await writeSandboxFill(store.db, store.schema, fill(2, '20.10', 1));
    expect(first).toMatchObject({ orderid: '26112400000081', price: '10.05', quantity: 1, strategy: 's1' });
    expect(second).toMatchObject({
      orderid: '26112400000082',
      price: '20.10',
      quantity: 2,
      strategy: 's2',
      client_order_id: 'c2',
      instrument: { symbol: 'SYM2', lotSize: 2 },
      placed_at: new Date(at.getTime() + 2_000),
    });
    const positions = await listSandboxPositions(store.db, { userId });
    expect(positions.map((row) => [row.symbol, row.quantity, row.average_price, row.instrument])).toEqual([
      ['SYM1', 1, '10.05', { symbol: 'SYM1', lotSize: 1 }],
      ['SYM2', 2, '20.10', { symbol: 'SYM2', lotSize: 2 }],
    ]);
    // Another shape: the position updated, three journal rows.
    const third = await writeSandboxFill(store.db, store.schema, fill(3, '30.15', 3, positions[0]?.id));
    expect(third).toMatchObject({ orderid: '26112400000083', price: '30.15' });
    expect((await listSandboxPositions(store.db, { userId }))[0]).toMatchObject({
      symbol: 'SYM1',
      quantity: 103,
      average_price: '30.15',
      updated_at: new Date(at.getTime() + 3_000),
    });
    expect((await lockSandboxFunds(store.db, userId))?.cash).toBe('997');
    expect((await listSandboxTrades(store.db, { userId })).map((row) => [row.tradeid, row.price])).toEqual([
      ['TRADE-3', '30.15'],
      ['TRADE-2', '20.10'],
      ['TRADE-1', '10.05'],
    ]);
    expect(
      (await listSandboxLedger(store.db, userId)).map((row) => [row.note, row.cash, row.holdings]),
    ).toEqual([
      ['fill 1 row 0', '-1.0', '1.0'],
      ['fill 2 row 0', '-2.0', '2.0'],
      ['fill 3 row 0', '-3.0', '3.0'],
      ['fill 3 row 1', '-3.1', '3.1'],
      ['fill 3 row 2', '-3.2', '3.2'],
    ]);
    // What JSON cannot carry faithfully, or journal rows of different columns, never reach the database.
    const odd = fill(4, '40.20', 2);
    await expect(
      writeSandboxFill(store.db, store.schema, { ...odd, trade: { ...odd.trade, quantity: Number.NaN } }),
    ).rejects.toThrow(RangeError);
    await expect(
      writeSandboxFill(store.db, store.schema, {
        ...odd,
        ledger: [odd.ledger[0], { ...odd.ledger[1], owner_id: undefined }] as SandboxFillWrite['ledger'],
      }),
    ).rejects.toThrow(/same columns/);
    expect(await listSandboxTrades(store.db, { userId })).toHaveLength(3);
  });

  it('writes a resting placement, its reservation and journal in one statement', async () => {
    const store = sandboxStore(handle.db, handle.sandboxSchema);
    const userId = 82;
    await insertSandboxFunds(store.db, funds(userId, '1000'));
    const order = (serial: number, reservation: string): SandboxOrderInsert => ({
      orderid: `2611240000009${serial}`,
      user_id: userId,
      strategy: `rest${serial}`,
      symbol: 'SBIN',
      exchange: 'NSE',
      instrument: { symbol: 'SBIN', lotSize: 1 },
      action: 'BUY',
      quantity: serial,
      price: '800.05',
      trigger_price: '0',
      price_type: 'LIMIT',
      product: 'CNC',
      status: 'open',
      pending_quantity: serial,
      rejection_reason: null,
      margin_blocked: reservation,
      reservation,
      margin_quantity: serial,
      expiry_date: null,
      gtt_leg_id: null,
      client_order_id: `r${serial}`,
      placed_at: at,
      updated_at: at,
    });
    const first = await store.db.transaction().execute((trx) =>
      writeSandboxPlacement(trx, store.schema, {
        order: order(1, '800.05'),
        funds: { userId, update: { cash: '199.95', used_margin: '800.05', updated_at: at } },
        ledger: [
          {
            user_id: userId,
            at,
            kind: 'reserve',
            owner_kind: 'order',
            owner_id: '26112400000091',
            cash: '-800.05',
            margin: '800.05',
            holdings: '0',
            capital: '0',
            realized: '0',
            note: 'BUY 1 SBIN LIMIT',
          },
        ],
      }),
    );
    expect(first).toMatchObject({
      orderid: '26112400000091',
      status: 'open',
      price: '800.05',
      reservation: '800.05',
      instrument: { symbol: 'SBIN', lotSize: 1 },
    });
    // Nothing reserved: the order alone.
    await writeSandboxPlacement(store.db, store.schema, { order: order(2, '0'), funds: null, ledger: [] });
    const funded = await lockSandboxFunds(store.db, userId);
    expect([funded?.cash, funded?.used_margin]).toEqual(['199.95', '800.05']);
    expect(
      (await listSandboxLedger(store.db, userId)).map((row) => [row.kind, row.cash, row.margin]),
    ).toEqual([['reserve', '-800.05', '800.05']]);
    expect(
      (await listSandboxOrders(store.db, { userId })).map((row) => [row.orderid, row.reservation]).sort(),
    ).toEqual([
      ['26112400000091', '800.05'],
      ['26112400000092', '0'],
    ]);
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
        await lockSandboxFundsAndPosition(
          sandboxStore(counted.db, counted.sandboxSchema).db,
          counted.sandboxSchema,
          key,
        );
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
      await lockSandboxFundsAndPosition(trx, store.schema, key);
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
