/**
 * Fill-engine benchmark: ticks processed per second with 10,000 working orders across 500
 * symbols, loaded from the tables at start the way a restart loads them. Each tick touches
 * only its own symbol's book; the database is reached only when something fills.
 *
 *   pnpm --filter @openalgo/sandbox bench            (PGlite)
 *   DATABASE_URL=postgres://… pnpm … bench           (PostgreSQL, fills phase)
 *
 * BENCH_TICKS (default 2,000,000) and BENCH_FILLS (default 2,000) size the two phases.
 */
// check-boundaries: allow toFixed (timings and memory in the printed table, not money)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  createDatabase,
  insertSandboxFunds,
  insertSandboxLedger,
  type JsonValue,
  jsonb,
  migrateToLatest,
  sandboxStore,
  sql,
} from '@openalgo/db';
import type { ResolvedInstrument, Tick } from '@openalgo/shared-types';
import { Dec } from '@openalgo/shared-types/decimal';
import pino from 'pino';
import { createSandbox } from '../src/index.js';
import { ScriptedTickSource, testInstrument } from '../src/testing/index.js';

const SYMBOLS = 500;
const ORDERS = 10_000;
const USERS = 50;
const TICKS = Number(process.env.BENCH_TICKS ?? 2_000_000);
const FILLS = Number(process.env.BENCH_FILLS ?? 2_000);

function priceText(ticks: number): string {
  return new Dec(ticks).mul('0.05').toString();
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  // PostgreSQL: a schema of its own (and its sandbox schema), dropped at the end.
  const schema = url ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  if (url && schema) {
    const admin = await createDatabase({ url, maxConnections: 1 });
    await sql.raw(`create schema ${schema}`).execute(admin.db);
    await admin.close();
  }
  const database = await createDatabase(url ? { url, schema } : {});
  await migrateToLatest(database.db);
  const store = sandboxStore(database.db, database.sandboxSchema);
  let clock = Date.UTC(2026, 10, 24, 4, 30);
  const now = () => clock;
  const ticks = new ScriptedTickSource(now);
  const logger = pino({ level: 'silent' });

  const instruments: ResolvedInstrument[] = Array.from({ length: SYMBOLS }, (_, index) =>
    testInstrument(`SYM${String(index).padStart(3, '0')}`, 'NSE'),
  );
  // Base prices in ticks of 0.05 (₹100 … ₹2,595).
  const base = instruments.map((_, index) => 2_000 + index * 100);

  // Seed the tables directly (as a previous run would have left them), then start.
  const at = new Date(clock);
  const reservedByUser = new Map<number, Dec>();
  const rows = [];
  for (let index = 0; index < ORDERS; index += 1) {
    const symbol = index % SYMBOLS;
    const instrument = instruments[symbol] as ResolvedInstrument;
    const userId = 1 + (index % USERS);
    const level = Math.floor(index / SYMBOLS); // 0 … 19 per symbol
    const isBuy = level % 2 === 0;
    const isStop = level >= 16;
    // Resting 3 % … 6 % away from the base price: the quiet tick stream never reaches them.
    const distance = Math.round((base[symbol] as number) * (0.03 + 0.0015 * level));
    const limit = isBuy ? (base[symbol] as number) - distance : (base[symbol] as number) + distance;
    const trigger = isBuy ? (base[symbol] as number) + distance : (base[symbol] as number) - distance;
    const margin = new Dec(priceText(isStop ? trigger : limit)).mul(10).div(5).toDecimalPlaces(2);
    reservedByUser.set(userId, (reservedByUser.get(userId) ?? new Dec(0)).add(margin));
    rows.push({
      orderid: `261124${String(index + 1).padStart(8, '0')}`,
      user_id: userId,
      strategy: 'bench',
      symbol: instrument.symbol,
      exchange: instrument.exchange,
      instrument: jsonb(instrument as unknown as JsonValue),
      action: isBuy ? 'BUY' : 'SELL',
      quantity: 10,
      price: isStop ? '0' : priceText(limit),
      trigger_price: isStop ? priceText(trigger) : '0',
      price_type: isStop ? 'SL-M' : 'LIMIT',
      product: 'MIS',
      status: isStop ? 'trigger pending' : 'open',
      pending_quantity: 10,
      margin_blocked: margin.toString(),
      reservation: margin.toString(),
      margin_quantity: 10,
      placed_at: at,
      updated_at: at,
    });
  }
  for (let start = 0; start < rows.length; start += 1_000) {
    await store.db
      .insertInto('orders')
      .values(
        rows.slice(start, start + 1_000).map((row) => ({
          ...row,
          action: row.action as 'BUY' | 'SELL',
          price_type: row.price_type as 'LIMIT' | 'SL-M',
          product: 'MIS' as const,
          status: row.status as 'open' | 'trigger pending',
        })),
      )
      .execute();
  }
  for (const [userId, reserved] of reservedByUser) {
    const capital = '10000000';
    const journal = { user_id: userId, at, owner_kind: null, owner_id: null, holdings: '0', realized: '0' };
    await insertSandboxLedger(store.db, [
      { ...journal, kind: 'open', cash: capital, margin: '0', capital, note: 'starting capital' },
      {
        ...journal,
        kind: 'reserve',
        cash: reserved.neg().toString(),
        margin: reserved.toString(),
        capital: '0',
        note: 'bench',
      },
    ]);
    await insertSandboxFunds(store.db, {
      user_id: userId,
      capital,
      cash: new Dec(capital).sub(reserved).toString(),
      used_margin: reserved.toString(),
      holdings_cost: '0',
      realized_pnl: '0',
      today_realized_pnl: '0',
      today_session: at,
      unrealized_pnl: '0',
      last_reset_at: at,
      created_at: at,
      updated_at: at,
    });
  }

  const sandbox = createSandbox({
    database,
    ticks,
    logger,
    now,
    isScheduled: false,
    quoteRetryDelaysMs: [],
  });
  const loadStart = performance.now();
  await sandbox.start();
  const loadMs = performance.now() - loadStart;
  if (sandbox.bookSize !== ORDERS) {
    throw new Error(`expected ${ORDERS} orders in the book, found ${sandbox.bookSize}`);
  }

  // Phase 1: a quiet market (±1 %): nothing crosses; pure matching cost.
  const POOL = 100_000;
  const pool: Tick[] = Array.from({ length: POOL }, (_, index) => {
    const symbol = index % SYMBOLS;
    const wiggle = Math.round((base[symbol] as number) * 0.01 * Math.sin(index * 0.7));
    return {
      symbol: (instruments[symbol] as ResolvedInstrument).symbol,
      exchange: 'NSE',
      mode: 'ltp',
      ltp: Number(priceText((base[symbol] as number) + wiggle)),
      timestamp: clock,
    };
  });
  let touched = 0;
  for (let index = 0; index < POOL; index += 1) {
    touched += sandbox.processTick(pool[index] as Tick);
  }
  const quietStart = performance.now();
  for (let index = 0; index < TICKS; index += 1) {
    touched += sandbox.processTick(pool[index % POOL] as Tick);
  }
  const quietMs = performance.now() - quietStart;
  if (touched !== 0) {
    throw new Error(`the quiet market filled ${touched} orders`);
  }

  // Phase 2: each tick crosses the best resting buy of its symbol; every fill is one
  // database transaction (order, trade, position, ledger).
  const fillTicks: Tick[] = [];
  for (let index = 0; index < FILLS; index += 1) {
    const symbol = index % SYMBOLS;
    const level = Math.floor(index / SYMBOLS) * 2; // buy levels 0, 2, 4, …
    const distance = Math.round((base[symbol] as number) * (0.03 + 0.0015 * level));
    fillTicks.push({
      symbol: (instruments[symbol] as ResolvedInstrument).symbol,
      exchange: 'NSE',
      mode: 'ltp',
      ltp: Number(priceText((base[symbol] as number) - distance)),
      timestamp: clock,
    });
  }
  const fillStart = performance.now();
  let fills = 0;
  for (const tick of fillTicks) {
    fills += sandbox.processTick(tick);
  }
  const matchedMs = performance.now() - fillStart;
  await sandbox.idle();
  const fillMs = performance.now() - fillStart;
  clock += 1;

  const filledRows = await store.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('status', '=', 'complete')
    .executeTakeFirstOrThrow();
  const reconcile = await sandbox.reconcile(1);
  await sandbox.stop();
  await database.close();
  if (url && schema) {
    const admin = await createDatabase({ url, maxConnections: 1 });
    await sql.raw(`drop schema if exists ${schema}_sandbox cascade`).execute(admin.db);
    await sql.raw(`drop schema if exists ${schema} cascade`).execute(admin.db);
    await admin.close();
  }

  const rss = process.memoryUsage().rss / (1024 * 1024);
  const rowsOut = [
    ['database', url ? 'PostgreSQL' : 'PGlite (worker)'],
    ['working orders / symbols', `${ORDERS.toLocaleString('en-US')} / ${SYMBOLS}`],
    ['load from tables at start', `${loadMs.toFixed(0)} ms`],
    ['quiet ticks processed', TICKS.toLocaleString('en-US')],
    ['quiet ticks / s', Math.round(TICKS / (quietMs / 1000)).toLocaleString('en-US')],
    ['per tick', `${((quietMs * 1000) / TICKS).toFixed(3)} µs`],
    ['crossing ticks matched / s', Math.round(FILLS / (matchedMs / 1000)).toLocaleString('en-US')],
    ['fills booked (one transaction each)', `${fills} → ${Number(filledRows.count)} complete`],
    ['fills / s, end to end', Math.round(fills / (fillMs / 1000)).toLocaleString('en-US')],
    ['account 1 reconciles', reconcile.problems.length === 0 ? 'yes' : reconcile.problems.join('; ')],
    ['rss', `${rss.toFixed(0)} MiB`],
  ];
  const width = Math.max(...rowsOut.map(([label]) => String(label).length));
  console.log(`\nsandbox fill engine (${new Date().toISOString()})`);
  console.log(`${'-'.repeat(width + 2)}+${'-'.repeat(30)}`);
  for (const [label, value] of rowsOut) {
    console.log(` ${String(label).padEnd(width)} | ${value}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
