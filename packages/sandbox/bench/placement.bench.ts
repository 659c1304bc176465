/**
 * Placement benchmark: the hot path of strategy alerts — MARKET orders that fill at once, one
 * transaction each (funds and position locked, order stored complete with its trade, position,
 * funds and journal, commit), placed one after another through the broker surface. Prints the
 * latency percentiles and what the JavaScript side allocates per placement (sampled by the
 * inspector's heap profiler, objects a GC already collected included).
 *
 *   pnpm --filter @openalgo/sandbox bench:placement          (PGlite)
 *   DATABASE_URL=postgres://… pnpm … bench:placement         (PostgreSQL)
 *
 * BENCH_PLACEMENTS (default 1,500) sizes the measured run; BENCH_PROFILE=<file> also writes the
 * sampled allocation profile (a .heapprofile, for DevTools).
 */
// check-boundaries: allow toFixed (timings and memory in the printed table, not money)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import type { BrokerContext } from '@openalgo/broker-sdk';
import { createDatabase, migrateToLatest, sql } from '@openalgo/db';
import type { OrderRequest, ResolvedInstrument } from '@openalgo/shared-types';
import pino from 'pino';
import { createSandbox, sandboxSession } from '../src/index.js';
import { istInstant } from '../src/ist.js';
import { ScriptedTickSource, testInstrument } from '../src/testing/index.js';

const PLACEMENTS = Number(process.env.BENCH_PLACEMENTS ?? 1_500);
const WARMUP = 300;
const SYMBOLS = ['SBIN', 'INFY', 'TCS', 'RELIANCE', 'HDFCBANK'];

interface ProfileNode {
  selfSize: number;
  callFrame: { functionName: string; url: string };
  children: ProfileNode[];
}

/** Bytes under each frame whose function name is in `names` (inclusive, counted once per path). */
function allocationByFunction(
  head: ProfileNode,
  names: readonly string[],
): { total: number; by: Map<string, number> } {
  const by = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, inside: ReadonlySet<string>) => {
    total += node.selfSize;
    for (const name of inside) {
      by.set(name, (by.get(name) ?? 0) + node.selfSize);
    }
    const name = node.callFrame.functionName;
    const next = names.includes(name) && !inside.has(name) ? new Set([...inside, name]) : inside;
    for (const child of node.children) {
      walk(child, next);
    }
  };
  walk(head, new Set());
  return { total, by };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  if (url && schema) {
    const admin = await createDatabase({ url, maxConnections: 1 });
    await sql.raw(`create schema ${schema}`).execute(admin.db);
    await admin.close();
  }
  const database = await createDatabase(url ? { url, schema } : {});
  await migrateToLatest(database.db);
  const clock = { at: istInstant('2026-11-24', '10:00') };
  const now = () => clock.at;
  const ticks = new ScriptedTickSource(now);
  const logger = pino({ level: 'silent' });
  const sandbox = createSandbox({ database, ticks, logger, now, isScheduled: false, quoteRetryDelaysMs: [] });
  await sandbox.start();
  const instruments: ResolvedInstrument[] = SYMBOLS.map((symbol) => testInstrument(symbol, 'NSE'));
  for (const [index, symbol] of SYMBOLS.entries()) {
    const ltp = 100 + index * 50;
    ticks.tick('NSE', symbol, { ltp, bid: ltp - 0.05, ask: ltp + 0.05 });
  }
  const userId = 1;
  const context: BrokerContext = {
    session: sandboxSession(userId, now()),
    logger,
    now,
    resolveBrokerInstrument: () => undefined,
  };
  const request = (index: number): OrderRequest => ({
    instrument: instruments[index % instruments.length] as ResolvedInstrument,
    action: 'BUY',
    quantity: 1,
    product: 'CNC',
    priceType: 'MARKET',
    price: '0',
    triggerPrice: '0',
    disclosedQuantity: 0,
    validity: 'DAY',
    clientOrderId: `bench-${index}`,
  });

  for (let index = 0; index < WARMUP; index += 1) {
    clock.at += 7;
    await sandbox.orders.placeOrder(request(index), context);
  }

  const inspector = new Session();
  inspector.connect();
  await inspector.post('HeapProfiler.enable');
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const latencies: number[] = [];
  const started = performance.now();
  for (let index = 0; index < PLACEMENTS; index += 1) {
    clock.at += 7;
    const at = performance.now();
    await sandbox.orders.placeOrder(request(WARMUP + index), context);
    latencies.push(performance.now() - at);
  }
  const elapsedMs = performance.now() - started;
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  inspector.disconnect();
  if (process.env.BENCH_PROFILE) {
    writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
  }

  const report = await sandbox.reconcile(userId);
  await sandbox.stop();
  await database.close();
  if (url && schema) {
    const admin = await createDatabase({ url, maxConnections: 1 });
    await sql.raw(`drop schema if exists ${schema}_sandbox cascade`).execute(admin.db);
    await sql.raw(`drop schema if exists ${schema} cascade`).execute(admin.db);
    await admin.close();
  }

  const watched = [
    'place',
    'lockSandboxFundsAndPosition',
    'sessionStart',
    'nextOrderId',
    'tradeIdOf',
    'orderBookRow',
    'checkOrder',
    'fillWithin', // the fill's netting and its one statement (writeSandboxFill)
  ];
  const { total, by } = allocationByFunction(profile.head as unknown as ProfileNode, watched);
  latencies.sort((left, right) => left - right);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
  const kb = (bytes: number) => `${(bytes / PLACEMENTS / 1024).toFixed(1)} KB`;
  const rowsOut: [string, string][] = [
    ['database', url ? 'PostgreSQL' : 'PGlite (worker)'],
    ['placements (MARKET, filled at once)', PLACEMENTS.toLocaleString('en-US')],
    [
      'placements / s, one after another',
      Math.round(PLACEMENTS / (elapsedMs / 1000)).toLocaleString('en-US'),
    ],
    ['latency p50 / p90 / p99', `${at(0.5).toFixed(2)} / ${at(0.9).toFixed(2)} / ${at(0.99).toFixed(2)} ms`],
    ['allocated per placement (all)', kb(total)],
    ...watched.map((name): [string, string] => [`  in ${name}`, kb(by.get(name) ?? 0)]),
    ['account reconciles', report.problems.length === 0 ? 'yes' : report.problems.join('; ')],
  ];
  const width = Math.max(...rowsOut.map(([label]) => label.length));
  console.log(`\nsandbox placements (${new Date().toISOString()})`);
  console.log(`${'-'.repeat(width + 2)}+${'-'.repeat(30)}`);
  for (const [label, value] of rowsOut) {
    console.log(` ${label.padEnd(width)} | ${value}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
