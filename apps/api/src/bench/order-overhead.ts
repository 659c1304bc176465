import type { ChildProcess } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listLatencyLogs } from '@openalgo/db';
import pino from 'pino';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../runtime.js';
import { zerodhaEnv } from '../testing/zerodha-env.js';
import { forkBenchProcess } from './fork-bench-process.js';
import type { KiteProcessCommand, KiteProcessReply } from './kite-process.js';

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

const round3 = (value: number) => Math.round(value * 1_000) / 1_000;
/** Epoch ms with sub-millisecond resolution, one clock for the api and the fake broker. */
const preciseNow = () => performance.timeOrigin + performance.now();

/** A forked process answering one command at a time over the IPC channel. */
class KiteProcess {
  readonly #child: ChildProcess;
  readonly #waiting: Array<(reply: KiteProcessReply) => void> = [];

  constructor() {
    this.#child = forkBenchProcess('kite-process');
    this.#child.on('message', (reply: KiteProcessReply) => this.#waiting.shift()?.(reply));
  }

  /** The next reply (the child sends `ready` unasked once the fake Kite listens). */
  next<Type extends KiteProcessReply['type']>(
    type: Type,
    command?: KiteProcessCommand,
  ): Promise<Extract<KiteProcessReply, { type: Type }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the Kite process exited (${code})`));
      this.#child.once('exit', onExit);
      this.#waiting.push((reply) => {
        this.#child.off('exit', onExit);
        if (reply.type === type) {
          resolve(reply as Extract<KiteProcessReply, { type: Type }>);
        } else {
          reject(new Error(`the Kite process answered ${JSON.stringify(reply)}`));
        }
      });
      if (command) {
        this.#child.send(command);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.disconnect();
      await exited;
    }
  }
}

/**
 * Platform overhead of a live order against a broker over HTTP. The api runs in this process
 * with BROKER=zerodha; the fake Kite server (Kite's real REST API) and the client placing the
 * orders run in another (kite-process.ts), as they would in a deployment, so their work never
 * lands on the api's event loop. For each order it takes the moment the api received the
 * request and the moment the api wrote the order request to the broker's socket (undici's own
 * probe), and the moment the request reached the fake Kite (the same epoch clock in both
 * processes), and reads the platform time the api logged (received → adapter called); on the way,
 * when its body was parsed, when it was validated and its key checked, and when the adapter's
 * HTTP request was created, so the table shows where the overhead goes. Orders
 * are paced under Kite's 10 orders/s so the adapter's rate-limit queue never holds one.
 * Control rows time a ping (no order work) from received to answered, paced like the orders
 * and back to back, and the same for a bare node:http handler in this process (the machine's
 * floor): the paced and back-to-back figures apart are what the pacing itself costs here.
 */
export async function measureKiteOverhead(
  orders: number,
  databaseUrl?: string,
): Promise<{ orders: number; rows: Array<Array<string | number>> }> {
  const kite = new KiteProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-kite-'));
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let bare: Server | undefined;
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  const toSocket: number[] = [];
  // Where the time of a timed order goes: its body parsed (preValidation), validated and its
  // key checked (preHandler), the adapter's HTTP request created (undici), written.
  const phases = { parsed: [] as number[], checked: [] as number[], created: [] as number[] };
  let marks: { parsed?: number; checked?: number; created?: number } = {};
  const received = new Map<string, number>();
  // The control: a ping (no order work) timed from received to answered, paced like the
  // orders and then back to back, so the table shows what pacing alone costs on this machine.
  const pingReceived = new Map<string, number>();
  let controlTimes: number[] | null = null;
  // The first orders run code the JIT has not optimised yet; a trader's api has been up for
  // hours. They are placed but not timed.
  const warmUp = Math.min(50, Math.floor(orders / 5));
  let seen = 0;
  let timedFrom = Number.POSITIVE_INFINITY;
  let pendingReceipt: number | null = null;
  // Orders go one at a time, so each placement's first order write follows its own receipt.
  const isOrderWrite = (message: unknown) => {
    const { request } = message as { request: { method: string; path: string } };
    return request.method === 'POST' && request.path.startsWith('/orders/regular');
  };
  const onCreate = (message: unknown) => {
    if (pendingReceipt !== null && isOrderWrite(message)) {
      marks.created = preciseNow();
    }
  };
  const onHeaders = (message: unknown) => {
    if (pendingReceipt !== null && isOrderWrite(message)) {
      toSocket.push(preciseNow() - pendingReceipt);
      for (const phase of ['parsed', 'checked', 'created'] as const) {
        const at = marks[phase];
        if (at !== undefined) {
          phases[phase].push(at - pendingReceipt);
        }
      }
      pendingReceipt = null;
    }
  };
  diagnostics.subscribe('undici:request:create', onCreate);
  diagnostics.subscribe('undici:client:sendHeaders', onHeaders);
  try {
    const fake = await kite.next('ready');
    const config = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      API_KEY_PEPPER: 'p'.repeat(64),
      ENCRYPTION_KEYS: `k1:${'a'.repeat(64)}`,
      ADMIN_TOKEN: 't'.repeat(64),
      LOG_LEVEL: 'silent',
      ...zerodhaEnv(fake),
      ORDER_RATE_LIMIT: '1000 per second',
      // The control pings go back to back.
      API_RATE_LIMIT: '100000 per second',
      HUB_PUBLISH_URL: 'tcp://127.0.0.1:*',
      HUB_CONTROL_URL: 'tcp://127.0.0.1:*',
    });
    database = await openDatabase(config);
    app = await buildApp(config, { database, logger: pino({ level: 'silent' }) });
    app.addHook('onRequest', (request, _reply, done) => {
      const at = preciseNow();
      seen += 1;
      if (request.url === '/api/v1/ping' && controlTimes) {
        pingReceived.set(request.id, at);
      }
      if (request.url === '/api/v1/placeorder' && seen > warmUp) {
        timedFrom = Math.min(timedFrom, at);
        received.set(request.id, at);
        pendingReceipt = at;
        marks = {};
      }
      done();
    });
    app.addHook('onResponse', (request, _reply, done) => {
      const at = pingReceived.get(request.id);
      if (at !== undefined) {
        pingReceived.delete(request.id);
        controlTimes?.push(preciseNow() - at);
      }
      done();
    });
    // Added after the app's own hooks, so these run after them.
    app.addHook('preValidation', (request, _reply, done) => {
      if (pendingReceipt !== null && received.has(request.id)) {
        marks.parsed = preciseNow();
      }
      done();
    });
    app.addHook('preHandler', (request, _reply, done) => {
      if (pendingReceipt !== null && received.has(request.id)) {
        marks.checked = preciseNow();
      }
      done();
    });
    const { user, apiKey } = await app.services.accounts.setupAdmin({
      username: 'bench',
      password: 'bench bench bench',
    });
    const session = await app.services.brokerSessions.store(user.id, {
      broker: 'zerodha',
      brokerUserId: fake.userId,
      accessToken: (await kite.next('session', { type: 'session' })).accessToken,
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
    // Under Kite's 10 orders/s (and the adapter's 90 % pacing of it).
    await kite.next('placed', {
      type: 'place',
      url: `${baseUrl}/api/v1/placeorder`,
      body,
      count: warmUp + orders,
      intervalMs: 125,
    });
    const pingBody = JSON.stringify({ apikey: apiKey });
    const timeControl = async (url: string, count: number, intervalMs: number): Promise<number[]> => {
      const times: number[] = [];
      controlTimes = times;
      await kite.next('placed', { type: 'place', url, body: pingBody, count, intervalMs });
      controlTimes = null;
      return times.slice(Math.floor(count / 5)).sort((a, b) => a - b);
    };
    const pingUrl = `${baseUrl}/api/v1/ping`;
    const pacedPings = await timeControl(pingUrl, Math.min(orders, 150), 125);
    const backToBackPings = await timeControl(pingUrl, 2_000, 0);
    // The floor: a bare node:http handler in this process (read the body, parse it, answer).
    const bareServer = createServer((request, response) => {
      const at = preciseNow();
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        text += chunk;
      });
      request.on('end', () => {
        const { apikey } = JSON.parse(text) as { apikey: string };
        response.once('finish', () => controlTimes?.push(preciseNow() - at));
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'success', data: { message: 'pong', length: apikey.length } }));
      });
    });
    bare = bareServer;
    const bareUrl = await new Promise<string>((resolve) =>
      bareServer.listen(0, '127.0.0.1', () => {
        const address = bareServer.address();
        resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
      }),
    );
    const pacedBare = await timeControl(bareUrl, Math.min(orders, 150), 125);
    const backToBackBare = await timeControl(bareUrl, 2_000, 0);
    await app.services.orderJournal.flush();
    await app.services.latencyLog.flush();
    const rows = await database.db
      .selectFrom('order_log')
      .select(['id', 'request_id'])
      .where('operation', '=', 'placeorder')
      .execute();
    const requestOf = new Map(rows.map((row) => [row.id, row.request_id]));
    const toKite: number[] = [];
    for (const order of (await kite.next('requests', { type: 'requests' })).orders) {
      const requestId = order.tag ? requestOf.get(`ord_${order.tag}`) : undefined;
      const at = requestId ? received.get(requestId) : undefined;
      if (at !== undefined) {
        toKite.push(order.at - at);
      }
    }
    const latency = (await listLatencyLogs(database.db, { operation: 'placeorder', limit: 5_000 })).filter(
      (entry) => new Date(entry.at).getTime() >= Math.floor(timedFrom),
    );
    const platform = latency.map((row) => row.platform_ms).sort((a, b) => a - b);
    const broker = latency.map((row) => row.broker_ms).sort((a, b) => a - b);
    toKite.sort((a, b) => a - b);
    toSocket.sort((a, b) => a - b);
    for (const values of Object.values(phases)) {
      values.sort((a, b) => a - b);
    }
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
        row('↳ received → body parsed', phases.parsed),
        row('↳ received → validated, key checked', phases.checked),
        row('↳ received → adapter called (latency log platform_ms)', platform),
        row('↳ received → adapter request created (undici)', phases.created),
        row('received → order request at Kite (api + adapter + loopback)', toKite),
        row('broker round trip (latency log broker_ms)', broker),
        row('control: a ping, received → answered, paced like the orders', pacedPings),
        row('control: a ping, received → answered, back to back', backToBackPings),
        row('floor: a bare node:http handler, received → answered, paced like the orders', pacedBare),
        row('floor: a bare node:http handler, received → answered, back to back', backToBackBare),
      ],
    };
  } finally {
    diagnostics.unsubscribe('undici:client:sendHeaders', onHeaders);
    diagnostics.unsubscribe('undici:request:create', onCreate);
    bare?.closeAllConnections();
    bare?.close();
    await app?.close();
    await database?.close();
    await kite.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
