import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, listLatencyLogs } from '@openalgo/db';
import autocannon from 'autocannon';
import { type AlertRow, measureAlertFloor, measureAlertRate, prepareAlertStrategy } from './alert-latency.js';
import type { FloorWork } from './floor-process.js';
import { measureKiteOverhead, percentile } from './order-overhead.js';

/**
 * `pnpm bench` in apps/api: starts the built server as its own process (as deployed) and
 * loads it over loopback with wrk exactly as benchmarks.md measured the original
 * (`wrk -t1 -c{1,16,64} --latency -s post.lua`), or with autocannon when wrk is not installed.
 * Prints req/s and p50/p99 per route and concurrency, then cold-start times.
 *
 * BENCH_DURATION (s, default 10), BENCH_ROUTES (comma list), DATABASE_URL (adds PostgreSQL),
 * BENCH_ALERTS=0 / BENCH_KITE=0 (skip those sections), BENCH_ALERT_RATES (default 100,500),
 * BENCH_ALERT_SECONDS (default 20), BENCH_ALERT_FLOOR=0 (skip the alert floor), BENCH_ALERT_FLOOR_RATE
 * (default 100), BENCH_SERVER_ENV ("NAME=value …", server settings on top of the
 * bench's), BENCH_NODE_FLAGS (node flags for the server process).
 */

const here = dirname(fileURLToPath(import.meta.url));
const serverEntry = join(here, 'server.js');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const concurrencies = (process.env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);

interface Server {
  child: ChildProcess;
  baseUrl: string;
  apiKey: string;
  readyMs: number;
  firstPingMs: number;
  /** The first-run admin password (empty on a restart). */
  password: string;
}

/** Limits raised for the matrix: the limiter still runs on every request, it just never refuses. */
const RAISED_LIMITS: Record<string, string> = {
  ...Object.fromEntries(
    ['ORDER', 'SMART_ORDER', 'API'].map((name) => [`${name}_RATE_LIMIT`, '10000000 per second']),
  ),
  // Hundreds of thousands of resting bench orders must not run out of margin.
  SIMULATOR_STARTING_CASH: '1000000000000',
  ANALYZER_STARTING_CAPITAL: '1000000000000',
};

/** Words of a `K=V K=V` list (BENCH_SERVER_ENV) or a flag list (BENCH_NODE_FLAGS). */
const words = (text: string | undefined): string[] => text?.split(/\s+/).filter(Boolean) ?? [];

/** Server settings the operator asked for on top of the bench's (BENCH_SERVER_ENV="K=V …"). */
const serverEnv: Record<string, string> = Object.fromEntries(
  words(process.env.BENCH_SERVER_ENV).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new Error(`BENCH_SERVER_ENV: "${pair}" is not NAME=value`);
    }
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

async function startServer(env: Record<string, string>): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, [...words(process.env.BENCH_NODE_FLAGS), serverEntry], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      PORT: '0',
      // The market-data hub on ephemeral loopback ports: a bench never takes (or fails on) the
      // default ones another api, or a test suite, may hold.
      HUB_PUBLISH_URL: 'tcp://127.0.0.1:*',
      HUB_CONTROL_URL: 'tcp://127.0.0.1:*',
      ...RAISED_LIMITS,
      ...serverEnv,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout?.on('data', () => {
      const match = /REST API\s+(http:\/\/\S+)\/api\/v1/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
  const readyMs = performance.now() - started;
  const apiKey = env.BENCH_KEY ?? /API key\s+([0-9a-f]{64})/.exec(output)?.[1] ?? '';
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: apiKey }),
    });
    if (response.ok) {
      break;
    }
    if (performance.now() - started > 30_000) {
      throw new Error(`ping never succeeded: ${response.status} ${await response.text()}`);
    }
  }
  const password = /Password\s+(\S+)/.exec(output)?.[1] ?? '';
  return { child, baseUrl, apiKey, readyMs, firstPingMs: performance.now() - started, password };
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

interface Scenario {
  name: string;
  path: string;
  body: (apiKey: string) => unknown;
  expectStatus: number;
  /** The analyzer switch for this scenario (flipped through the API before its cells). */
  analyzer?: boolean;
  /** Runs once before the scenario's cells. */
  prepare?: (server: Server) => Promise<void>;
  /** Latency-log operation whose platform time is reported per cell. */
  timedOperation?: string;
}

async function post(server: Server, path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apikey: server.apiKey, ...body }),
  });
}

/** benchmarks.md's LIMIT placeorder body. */
const limitOrder = (apikey: string, price: string) => ({
  apikey,
  strategy: 'bench',
  symbol: 'SBIN',
  exchange: 'NSE',
  action: 'BUY',
  quantity: '1',
  pricetype: 'LIMIT',
  product: 'CNC',
  price,
});

/**
 * An order book of 20 rows (10 filled, 10 resting), as a day's book reads; measured before the
 * placement scenarios fill the simulator with resting orders.
 */
async function seedOrderBook(server: Server): Promise<void> {
  for (let index = 0; index < 10; index += 1) {
    await post(server, '/api/v1/placeorder', {
      strategy: 'bench',
      symbol: 'INFY',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 1,
    });
    const resting = await post(server, '/api/v1/placeorder', limitOrder(server.apiKey, '800'));
    if (!resting.ok) {
      throw new Error(`order book not seeded: ${resting.status} ${await resting.text()}`);
    }
  }
}

/** The NIFTY option expiry the options scenario trades (the second listed: the first may be today). */
let optionsExpiry = '';

async function pickOptionsExpiry(server: Server): Promise<void> {
  const response = await post(server, '/api/v1/expiry', {
    symbol: 'NIFTY',
    exchange: 'NFO',
    instrumenttype: 'options',
  });
  const { data } = (await response.json()) as { data?: string[] };
  optionsExpiry = (data?.[1] ?? '').replaceAll('-', '');
  if (!optionsExpiry) {
    throw new Error(`no NIFTY option expiry: ${response.status}`);
  }
}

export const SCENARIOS: Scenario[] = [
  { name: 'ping', path: '/api/v1/ping', body: (apikey) => ({ apikey }), expectStatus: 200 },
  { name: 'invalid key', path: '/api/v1/ping', body: () => ({ apikey: '0'.repeat(64) }), expectStatus: 403 },
  {
    name: 'quotes',
    path: '/api/v1/quotes',
    body: (apikey) => ({ apikey, symbol: 'SBIN', exchange: 'NSE' }),
    expectStatus: 200,
  },
  {
    name: 'orderbook (20 rows)',
    path: '/api/v1/orderbook',
    body: (apikey) => ({ apikey }),
    expectStatus: 200,
    analyzer: false,
    prepare: seedOrderBook,
  },
  {
    name: 'analyzer status',
    path: '/api/v1/analyzer',
    body: (apikey) => ({ apikey }),
    expectStatus: 200,
  },
  {
    // The simulator's SBIN trades near 820: a LIMIT BUY at 800 rests and is accepted.
    name: 'placeorder LIMIT @800 (live simulator)',
    path: '/api/v1/placeorder',
    body: (apikey) => limitOrder(apikey, '800'),
    expectStatus: 200,
    analyzer: false,
    timedOperation: 'placeorder',
  },
  {
    name: 'placeorder LIMIT @800 (analyzer)',
    path: '/api/v1/placeorder',
    body: (apikey) => limitOrder(apikey, '800'),
    expectStatus: 200,
    analyzer: true,
    timedOperation: 'placeorder',
  },
  {
    // Strike resolution (underlying quote + listed strikes) on top of the order path; options
    // have no price band, so a LIMIT BUY at one tick rests and blocks almost no margin.
    name: 'optionsorder OTM2 CE LIMIT @0.05 (live simulator)',
    path: '/api/v1/optionsorder',
    body: (apikey) => ({
      apikey,
      strategy: 'bench',
      underlying: 'NIFTY',
      exchange: 'NSE_INDEX',
      expiry_date: optionsExpiry,
      offset: 'OTM2',
      option_type: 'CE',
      action: 'BUY',
      quantity: 75,
      pricetype: 'LIMIT',
      product: 'NRML',
      price: '0.05',
    }),
    expectStatus: 200,
    analyzer: false,
    prepare: pickOptionsExpiry,
    timedOperation: 'optionsorder',
  },
  {
    // benchmarks.md's exact body: price 500 is outside the simulator's price band, so the broker
    // refuses it (recorded, sent, refused: 400), as the original refused it at symbol lookup.
    name: 'placeorder LIMIT @500 (live, refused by the band)',
    path: '/api/v1/placeorder',
    body: (apikey) => limitOrder(apikey, '500'),
    expectStatus: 400,
    analyzer: false,
  },
];

interface Row {
  route: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  unexpected: number;
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

function parseWrkDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) {
    return Number.NaN;
  }
  const value = Number(match[1]);
  const unit = match[2];
  return unit === 'us'
    ? value / 1_000
    : unit === 'ms'
      ? value
      : unit === 's'
        ? value * 1_000
        : value * 60_000;
}

const WRK_SCRIPT = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BODY")
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  for status, count in pairs(statuses) do
    io.write(string.format("STATUS %d %d\\n", status, count))
  end
end
`;

async function loadWithWrk(
  server: Server,
  scenario: Scenario,
  connections: number,
  scriptPath: string,
): Promise<Row> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      'wrk',
      [
        '-t1',
        `-c${connections}`,
        `-d${duration}s`,
        '--timeout',
        '10s',
        '--latency',
        '-s',
        scriptPath,
        `${server.baseUrl}${scenario.path}`,
      ],
      { env: { ...process.env, BODY: JSON.stringify(scenario.body(server.apiKey)) } },
    );
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', () => resolve(text));
  });
  const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN);
  const p50 = parseWrkDuration(/\s50%\s+(\S+)/.exec(output)?.[1] ?? '');
  const p99 = parseWrkDuration(/\s99%\s+(\S+)/.exec(output)?.[1] ?? '');
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0;
  let unexpected = 0;
  for (const match of output.matchAll(/STATUS (\d+) (\d+)/g)) {
    if (Number(match[1]) !== scenario.expectStatus) {
      unexpected += Number(match[2]);
    }
  }
  return {
    route: scenario.name,
    connections,
    requestsPerSecond: Math.round(requestsPerSecond),
    p50,
    p99,
    errors,
    unexpected,
  };
}

async function loadWithAutocannon(server: Server, scenario: Scenario, connections: number): Promise<Row> {
  const result = await autocannon({
    url: `${server.baseUrl}${scenario.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(scenario.body(server.apiKey)),
    connections,
    duration,
    pipelining: 1,
  });
  const statusCount = result.statusCodeStats ?? {};
  const total = Object.values(statusCount).reduce((sum, entry) => sum + entry.count, 0);
  const expected = statusCount[String(scenario.expectStatus)]?.count ?? 0;
  return {
    route: scenario.name,
    connections,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    unexpected: total - expected,
  };
}

async function load(
  server: Server,
  scenario: Scenario,
  connections: number,
  scriptPath: string,
): Promise<Row> {
  return hasWrk
    ? loadWithWrk(server, scenario, connections, scriptPath)
    : loadWithAutocannon(server, scenario, connections);
}

interface TimedCell {
  scenario: string;
  connections: number;
  from: number;
  to: number;
  operation: string;
}

/** Opens the stopped server's embedded database and reads the platform time of each timed cell. */
async function readPlatformTimes(
  dataDir: string,
  cells: readonly TimedCell[],
): Promise<Array<Array<string | number>>> {
  if (cells.length === 0) {
    return [];
  }
  const handle = await createDatabase({ dataDir: join(dataDir, 'pglite') });
  try {
    const rows: Array<Array<string | number>> = [];
    for (const cell of cells) {
      const samples = await listLatencyLogs(handle.db, {
        operation: cell.operation,
        since: new Date(cell.from),
        until: new Date(cell.to),
        limit: 5_000,
      });
      const platform = samples.map((sample) => sample.platform_ms).sort((a, b) => a - b);
      const broker = samples.map((sample) => sample.broker_ms).sort((a, b) => a - b);
      rows.push([
        cell.scenario,
        cell.connections,
        samples.length,
        round3(percentile(platform, 0.5)),
        round3(percentile(platform, 0.99)),
        round3(platform.at(-1) ?? Number.NaN),
        round3(percentile(broker, 0.5)),
      ]);
    }
    return rows;
  } finally {
    await handle.close();
  }
}

const round3 = (value: number) => Math.round(value * 1_000) / 1_000;

function printTable(title: string, headers: string[], rows: Array<Array<string | number>>): void {
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...rows.map((row) => String(row[index]).length)),
  );
  const line = (cells: Array<string | number>) =>
    `| ${cells.map((cell, index) => String(cell).padStart(widths[index] ?? 0)).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) {
    console.log(line(row));
  }
}

/**
 * Runs `body` with a PostgreSQL URL whose search path is a fresh schema (dropped after, with
 * the sandbox schema the api derives from it).
 */
async function withPostgresSchema<T>(databaseUrl: string, body: (url: string) => Promise<T>): Promise<T> {
  const schema = `bench_${Date.now().toString(36)}`;
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  const { default: postgres } = await import('postgres');
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  try {
    return await body(url.toString());
  } finally {
    await admin.unsafe(`drop schema if exists ${schema} cascade`);
    await admin.unsafe(`drop schema if exists ${schema}_sandbox cascade`);
    await admin.end();
  }
}

/**
 * Alert latency on a server of its own: webhook limit raised, duplicates not folded; on the
 * embedded database, or on PostgreSQL when `databaseUrl` is given.
 */
async function benchAlerts(databaseUrl?: string): Promise<AlertRow[]> {
  const alertDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-alerts-'));
  const server = await startServer({
    DATA_DIR: alertDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    WEBHOOK_RATE_LIMIT: '10000000 per second',
    // Every alert of the run is a distinct order: the bench repeats symbols within seconds.
    STRATEGY_DEDUPE_WINDOW_MS: '0',
  });
  try {
    const webhookPath = await prepareAlertStrategy(server);
    const seconds = Number(process.env.BENCH_ALERT_SECONDS ?? 20);
    const rates = (process.env.BENCH_ALERT_RATES ?? '100,500').split(',').map(Number);
    await measureAlertRate(server, webhookPath, 50, 2);
    const rows: AlertRow[] = [];
    for (const rate of rates) {
      rows.push(await measureAlertRate(server, webhookPath, rate, seconds));
    }
    return rows;
  } finally {
    await stopServer(server);
    rmSync(alertDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const selected = process.env.BENCH_ROUTES?.split(',');
  const scenarios = SCENARIOS.filter((scenario) => !selected || selected.includes(scenario.name));
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-'));
  const scriptPath = join(dataDir, 'post.lua');
  writeFileSync(scriptPath, WRK_SCRIPT);
  try {
    // Cold start: first ever (initdb + setup), then a restart on the same folder.
    const first = await startServer({ DATA_DIR: dataDir });
    await stopServer(first);
    const server = await startServer({ DATA_DIR: dataDir, BENCH_KEY: first.apiKey });
    const coldRows: Array<Array<string | number>> = [
      ['PGlite, first run (build template + admin setup)', Math.round(first.firstPingMs)],
      ['PGlite, restart', Math.round(server.firstPingMs)],
    ];
    const rows: Row[] = [];
    const timedCells: TimedCell[] = [];
    for (const scenario of scenarios) {
      if (scenario.analyzer !== undefined) {
        const toggled = await post(server, '/api/v1/analyzer/toggle', { mode: scenario.analyzer });
        if (!toggled.ok) {
          throw new Error(`analyzer switch not set: ${toggled.status} ${await toggled.text()}`);
        }
      }
      await scenario.prepare?.(server);
      for (const connections of concurrencies) {
        const from = Date.now();
        rows.push(await load(server, scenario, connections, scriptPath));
        if (scenario.timedOperation) {
          timedCells.push({
            scenario: scenario.name,
            connections,
            from,
            to: Date.now(),
            operation: scenario.timedOperation,
          });
        }
      }
    }
    await stopServer(server);
    const platformRows = await readPlatformTimes(dataDir, timedCells);
    if (process.env.DATABASE_URL) {
      const pgDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-pg-'));
      try {
        await withPostgresSchema(process.env.DATABASE_URL, async (url) => {
          const pgFirst = await startServer({ DATA_DIR: pgDir, DATABASE_URL: url });
          await stopServer(pgFirst);
          const pgServer = await startServer({
            DATA_DIR: pgDir,
            DATABASE_URL: url,
            BENCH_KEY: pgFirst.apiKey,
          });
          coldRows.push(['PostgreSQL, first run', Math.round(pgFirst.firstPingMs)]);
          coldRows.push(['PostgreSQL, restart', Math.round(pgServer.firstPingMs)]);
          await stopServer(pgServer);
        });
      } finally {
        rmSync(pgDir, { recursive: true, force: true });
      }
    }
    printTable(
      `REST load (${hasWrk ? 'wrk -t1' : 'autocannon'}, ${duration}s per cell, server in its own process, PGlite)`,
      ['route', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'unexpected status'],
      rows.map((row) => [
        row.route,
        row.connections,
        row.requestsPerSecond,
        row.p50,
        row.p99,
        row.errors,
        row.unexpected,
      ]),
    );
    printTable(
      'Platform time per order, from the latency log (request received → broker adapter called; includes the order-log insert)',
      ['route', 'connections', 'orders', 'p50 ms', 'p99 ms', 'max ms', 'broker p50 ms'],
      platformRows,
    );
    printTable('Cold start: process spawn → first successful ping', ['case', 'ms'], coldRows);
    if (process.env.BENCH_ALERTS !== '0') {
      const databaseUrl = process.env.DATABASE_URL;
      const alertRows = [
        ...(await benchAlerts()).map((row) => ({ database: 'PGlite', ...row })),
        ...(databaseUrl
          ? (await withPostgresSchema(databaseUrl, (url) => benchAlerts(url))).map((row) => ({
              database: 'PostgreSQL',
              ...row,
            }))
          : []),
      ];
      printTable(
        'Strategy alert → order accepted (TradingView webhook, analyzer mode, evenly paced; latency = send → webhook answer, after the order path accepted the order)',
        [
          'database',
          'alerts/s',
          'sent',
          'accepted',
          'refused',
          'no answer',
          'achieved/s',
          'p50 ms',
          'p99 ms',
          'max ms',
        ],
        alertRows.map((row) => [
          row.database,
          row.rate,
          row.sent,
          row.accepted,
          row.refused,
          row.failed,
          row.achieved,
          row.p50,
          row.p99,
          row.max,
        ]),
      );
    }
    if (process.env.BENCH_ALERTS !== '0' && process.env.BENCH_ALERT_FLOOR !== '0') {
      const databaseUrl = process.env.DATABASE_URL;
      const rate = Number(process.env.BENCH_ALERT_FLOOR_RATE ?? 100);
      const seconds = Number(process.env.BENCH_ALERT_SECONDS ?? 20);
      const cases: Array<{ work: FloorWork; label: string }> = [
        { work: 'answer', label: 'answer at once' },
        { work: 'alert', label: 'insert the alert, answer' },
        { work: 'alert-order', label: 'insert the alert, then lock + write + commit an order, answer' },
      ];
      const databases: Array<{ database: string; url?: string }> = [
        { database: 'PGlite' },
        ...(databaseUrl ? [{ database: 'PostgreSQL', url: databaseUrl }] : []),
      ];
      // Answering at once touches no database: one row.
      const noDatabase: typeof databases = [{ database: '—' }];
      const floorRows: Array<Array<string | number>> = [];
      for (const { work, label } of cases) {
        for (const { database, url } of work === 'answer' ? noDatabase : databases) {
          const row = url
            ? await withPostgresSchema(url, (schemaUrl) => measureAlertFloor(work, rate, seconds, schemaUrl))
            : await measureAlertFloor(work, rate, seconds);
          floorRows.push([label, database, row.sent, row.accepted, row.p50, row.p99, row.max]);
        }
      }
      printTable(
        `The alert path's floor on this machine: the same client and pacing (${rate}/s) against a bare node:http server in its own process doing only the alert path's database round trips, with none of the api's code`,
        ['work per alert', 'database', 'sent', 'answered', 'p50 ms', 'p99 ms', 'max ms'],
        floorRows,
      );
    }
    if (process.env.BENCH_KITE !== '0') {
      const kiteOrders = Number(process.env.BENCH_KITE_ORDERS ?? 300);
      const databaseUrl = process.env.DATABASE_URL;
      const kite = [
        { database: 'PGlite', ...(await measureKiteOverhead(kiteOrders)) },
        ...(databaseUrl
          ? [
              {
                database: 'PostgreSQL',
                ...(await withPostgresSchema(databaseUrl, (url) => measureKiteOverhead(kiteOrders, url))),
              },
            ]
          : []),
      ];
      printTable(
        `Platform overhead per live order against the fake Kite (${kiteOrders} orders timed after 50 untimed, paced under Kite's 10/s; the api in the measuring process, the fake Kite and the client in another)`,
        ['database', 'measure', 'p50 ms', 'p99 ms', 'max ms'],
        kite.flatMap((run) => run.rows.map((row) => [run.database, ...row])),
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
