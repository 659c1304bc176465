import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/**
 * `pnpm bench` in apps/api: starts the built server as its own process (as deployed) and
 * loads it over loopback with wrk exactly as benchmarks.md measured the original
 * (`wrk -t1 -c{1,16,64} --latency -s post.lua`), or with autocannon when wrk is not installed.
 * Prints req/s and p50/p99 per route and concurrency, then cold-start times.
 *
 * BENCH_DURATION (s, default 10), BENCH_ROUTES (comma list), DATABASE_URL (adds PostgreSQL).
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
}

/** Limits raised for the matrix: the limiter still runs on every request, it just never refuses. */
const RAISED_LIMITS: Record<string, string> = Object.fromEntries(
  ['ORDER', 'SMART_ORDER', 'API'].map((name) => [`${name}_RATE_LIMIT`, '10000000 per second']),
);

async function startServer(env: Record<string, string>): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, [serverEntry], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', PORT: '0', ...RAISED_LIMITS, ...env },
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
  return { child, baseUrl, apiKey, readyMs, firstPingMs: performance.now() - started };
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
    for (const scenario of scenarios) {
      for (const connections of concurrencies) {
        rows.push(await load(server, scenario, connections, scriptPath));
      }
    }
    await stopServer(server);
    if (process.env.DATABASE_URL) {
      const pgDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-pg-'));
      const schema = `bench_${Date.now().toString(36)}`;
      const url = new URL(process.env.DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema},public`);
      const { default: postgres } = await import('postgres');
      const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create schema ${schema}`);
      try {
        const pgFirst = await startServer({ DATA_DIR: pgDir, DATABASE_URL: url.toString() });
        await stopServer(pgFirst);
        const pgServer = await startServer({
          DATA_DIR: pgDir,
          DATABASE_URL: url.toString(),
          BENCH_KEY: pgFirst.apiKey,
        });
        coldRows.push(['PostgreSQL, first run', Math.round(pgFirst.firstPingMs)]);
        coldRows.push(['PostgreSQL, restart', Math.round(pgServer.firstPingMs)]);
        await stopServer(pgServer);
      } finally {
        await admin.unsafe(`drop schema if exists ${schema} cascade`);
        await admin.end();
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
    printTable('Cold start: process spawn → first successful ping', ['case', 'ms'], coldRows);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
