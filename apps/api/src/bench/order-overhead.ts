import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKiteServer } from '@openalgo/brokers-zerodha/fake-server';
import { listLatencyLogs } from '@openalgo/db';
import pino from 'pino';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../runtime.js';

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

const round3 = (value: number) => Math.round(value * 1_000) / 1_000;
/** Epoch ms with sub-millisecond resolution, one clock for the api and the fake broker. */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * Platform overhead of a live order against a broker over HTTP: the api (in this process, with
 * BROKER=zerodha) and the fake Kite server (Kite's real REST API). For each order it compares the
 * moment the api received the request with the moment the order request reached the fake Kite,
 * on one clock, and reads the platform time the api logged (received → adapter called). Orders
 * are paced under Kite's 10 orders/s so the adapter's rate-limit queue never holds one.
 */
export async function measureKiteOverhead(
  orders: number,
  databaseUrl?: string,
): Promise<{ orders: number; rows: Array<Array<string | number>> }> {
  const fake = await startFakeKiteServer({ instrumentCount: 2_000, heartbeatMs: 0, now: preciseNow });
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-kite-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    API_KEY_PEPPER: 'p'.repeat(64),
    ENCRYPTION_KEYS: `k1:${'a'.repeat(64)}`,
    ADMIN_TOKEN: 't'.repeat(64),
    LOG_LEVEL: 'silent',
    BROKER: 'zerodha',
    KITE_API_KEY: fake.apiKey,
    KITE_API_SECRET: fake.apiSecret,
    KITE_BASE_URL: fake.baseUrl,
    KITE_LOGIN_URL: fake.loginUrl,
    KITE_TICKER_URL: fake.tickerUrl,
    ORDER_RATE_LIMIT: '1000 per second',
    HUB_PUBLISH_URL: 'tcp://127.0.0.1:*',
    HUB_CONTROL_URL: 'tcp://127.0.0.1:*',
  });
  const database = await openDatabase(config);
  const app = await buildApp(config, { database, logger: pino({ level: 'silent' }) });
  const received = new Map<string, number>();
  let lastReceived = 0;
  app.addHook('onRequest', (request, _reply, done) => {
    lastReceived = preciseNow();
    received.set(request.id, lastReceived);
    done();
  });
  // The moment the order's request is written to the broker's socket (undici's own probe):
  // orders go one at a time, so each placement's first order write follows its own receipt.
  const written: number[] = [];
  const onHeaders = (message: unknown) => {
    const { request } = message as { request: { method: string; path: string } };
    if (request.method === 'POST' && request.path.startsWith('/orders/regular')) {
      written.push(preciseNow());
    }
  };
  diagnostics.subscribe('undici:client:sendHeaders', onHeaders);
  try {
    const { user, apiKey } = await app.services.accounts.setupAdmin({
      username: 'bench',
      password: 'bench bench bench',
    });
    const session = await app.services.brokerSessions.store(user.id, {
      broker: 'zerodha',
      brokerUserId: fake.userId,
      accessToken: fake.control.createSession(),
    });
    const status = await app.services.masterContract.load(
      app.services.brokerGateway.toAdapterSession(session),
    );
    if (status.state !== 'done') {
      throw new Error(`symbol master not loaded: ${JSON.stringify(status)}`);
    }
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const body = JSON.stringify({
      apikey: apiKey,
      strategy: 'bench',
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: '1',
      pricetype: 'MARKET',
      product: 'MIS',
    });
    const toSocket: number[] = [];
    // The first orders run code the JIT has not optimised yet; a trader's api has been up for
    // hours. They are placed but not timed.
    const warmUp = Math.min(50, Math.floor(orders / 5));
    let timedFrom = Number.POSITIVE_INFINITY;
    for (let index = 0; index < warmUp + orders; index += 1) {
      const isTimed = index >= warmUp;
      if (isTimed && timedFrom === Number.POSITIVE_INFINITY) {
        timedFrom = preciseNow();
      }
      const started = performance.now();
      written.length = 0;
      const response = await fetch(`${baseUrl}/api/v1/placeorder`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (!response.ok) {
        throw new Error(`order not placed: ${response.status} ${await response.text()}`);
      }
      await response.arrayBuffer();
      if (isTimed && written[0] !== undefined) {
        toSocket.push(written[0] - lastReceived);
      }
      // Under Kite's 10 orders/s (and the adapter's 90 % pacing of it).
      const wait = 125 - (performance.now() - started);
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    await app.services.orderJournal.flush();
    await app.services.latencyLog.flush();
    const rows = await database.db
      .selectFrom('order_log')
      .select(['id', 'request_id'])
      .where('operation', '=', 'placeorder')
      .execute();
    const requestOf = new Map(rows.map((row) => [row.id, row.request_id]));
    const toKite: number[] = [];
    for (const request of fake.requests) {
      if (request.method !== 'POST' || request.path !== '/orders/regular') {
        continue;
      }
      const tag = new Map(request.form ?? []).get('tag');
      const requestId = tag ? requestOf.get(`ord_${tag}`) : undefined;
      const at = requestId ? received.get(requestId) : undefined;
      if (at !== undefined && at >= timedFrom) {
        toKite.push(request.at - at);
      }
    }
    const latency = (await listLatencyLogs(database.db, { operation: 'placeorder', limit: 5_000 })).filter(
      (entry) => new Date(entry.at).getTime() >= Math.floor(timedFrom),
    );
    const platform = latency.map((row) => row.platform_ms).sort((a, b) => a - b);
    const broker = latency.map((row) => row.broker_ms).sort((a, b) => a - b);
    toKite.sort((a, b) => a - b);
    toSocket.sort((a, b) => a - b);
    const row = (label: string, values: number[]) => [
      label,
      round3(percentile(values, 0.5)),
      round3(percentile(values, 0.99)),
      round3(values.at(-1) ?? Number.NaN),
    ];
    return {
      orders: toKite.length,
      rows: [
        row('received → order request written to the socket (platform overhead)', toSocket),
        row('received → order request at Kite (api + adapter + loopback)', toKite),
        row('received → adapter called (latency log platform_ms)', platform),
        row('broker round trip (latency log broker_ms)', broker),
      ],
    };
  } finally {
    diagnostics.unsubscribe('undici:client:sendHeaders', onHeaders);
    await app.close();
    await database.close();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
