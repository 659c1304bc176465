/**
 * Fan-out benchmark (shared/guides/benchmarks.md, "WebSocket fan-out"): a hub in this process
 * in front of a synthetic feed (100 symbols, ticks paced evenly, each with a sequence number
 * and a send timestamp), the built ws-proxy as its own process (with the node flags `pnpm start`
 * uses), and load clients in child processes that subscribe every symbol in LTP mode and record
 * publish→receive latency and gaps. Proxy CPU, RSS and write syscalls are sampled from /proc.
 *
 *   pnpm --filter @openalgo/ws-proxy bench
 *
 * BENCH_SECONDS (default 8) is the measuring window per scenario, BENCH_PAUSE_SECONDS (10)
 * how long the slow client of scenario D stops reading, BENCH_SCENARIOS (`ABCD`) the scenarios
 * to run. BENCH_PROXY_NODE_ARGS replaces the proxy's node flags; BENCH_CHILD_NODE_ARGS is added
 * to the proxy's and the load processes' (e.g. `--cpu-prof --cpu-prof-dir=prof`).
 */
// check-boundaries: allow toFixed (timings and memory in the printed table, not money)
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIMULATOR_CAPABILITIES } from '@openalgo/brokers-simulator';
import { MarketHub } from '@openalgo/stream-bus';
import { pino } from 'pino';
import { BenchFeed, benchInstrument } from './bench-feed.js';

const here = dirname(fileURLToPath(import.meta.url));
const SYMBOLS = Array.from({ length: 100 }, (_, index) => `BENCH${String(index).padStart(3, '0')}`);
const API_KEY = 'e'.repeat(64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PAUSE_SECONDS = Number(process.env.BENCH_PAUSE_SECONDS ?? 10);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'ABCD').toUpperCase();
/** Node flags of the proxy, as `pnpm start` runs it. */
const PROXY_NODE_ARGS = (process.env.BENCH_PROXY_NODE_ARGS ?? '--max-semi-space-size=4')
  .split(' ')
  .filter(Boolean);
const CHILD_NODE_ARGS = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
const logger = pino({ level: 'warn' });

const feed = new BenchFeed();
const hub = new MarketHub({
  publishUrl: 'tcp://127.0.0.1:*',
  controlUrl: 'tcp://127.0.0.1:*',
  broker: { id: 'bench', streams: { marketData: feed.factory() }, capabilities: SIMULATOR_CAPABILITIES },
  streamContext: async () => ({
    session: { brokerId: 'bench', accessToken: 'bench', issuedAt: Date.now(), data: {} },
    logger,
    now: Date.now,
    resolveBrokerInstrument: () => undefined,
  }),
  resolveInstrument: (symbol, exchange) =>
    exchange === 'NSE' && symbol.startsWith('BENCH') ? benchInstrument(symbol) : undefined,
  authenticate: async (key) => (key === API_KEY ? { userId: 1, username: 'bench' } : null),
  logger,
});

interface ProcSample {
  cpuTicks: number;
  rssMb: number;
  /** Write syscalls so far (socket writes, one per batch). */
  writes: number;
}

function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const writes = Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? 0);
  return { cpuTicks, rssMb: rssKb / 1_024, writes };
}

async function startProxy(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...PROXY_NODE_ARGS, ...CHILD_NODE_ARGS, join(here, '..', 'dist', 'server.js')],
    {
      env: {
        ...process.env,
        WS_HOST: '127.0.0.1',
        WS_PORT: '0',
        LOG_LEVEL: 'warn',
        HUB_PUBLISH_URL: hub.publishEndpoint,
        HUB_CONTROL_URL: hub.controlEndpoint,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`ws-proxy exited (${code})`)));
  });
  return { child, url };
}

interface Report {
  received: number;
  gaps: number;
  latencies: number[];
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
});

interface Load {
  call(kind: string, extra?: object): Promise<unknown[]>;
  stop(): Promise<void>;
}

/** Load clients spread over BENCH_LOAD_PROCESSES child processes (default 4). */
async function startLoad(url: string, clients: number): Promise<Load> {
  const processes = Math.max(1, Math.min(clients, Number(process.env.BENCH_LOAD_PROCESSES ?? 4)));
  const workers: ChildProcess[] = [];
  for (let index = 0; index < processes; index += 1) {
    const share = Math.floor(clients / processes) + (index < clients % processes ? 1 : 0);
    const worker = spawn(
      process.execPath,
      [...CHILD_NODE_ARGS, '--import', 'tsx', join(here, 'load-clients.ts')],
      {
        env: {
          ...process.env,
          BENCH_LOAD_SETUP: JSON.stringify({ url, apiKey: API_KEY, clients: share, symbols: SYMBOLS }),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    children.add(worker);
    worker.once('exit', (code) => {
      children.delete(worker);
      if (code !== 0 && code !== null) {
        process.stderr.write(`load clients exited (${code})\n`);
        process.exit(1);
      }
    });
    workers.push(worker);
  }
  const callOne = (worker: ChildProcess, kind: string, extra: object) =>
    new Promise<unknown>((resolve) => {
      const onMessage = (message: { kind: string; text?: string }) => {
        if (message.kind === 'error') {
          process.stderr.write(`client error: ${message.text}\n`);
          return;
        }
        worker.off('message', onMessage);
        resolve(message);
      };
      worker.on('message', onMessage);
      worker.send({ kind, ...extra });
    });
  const load: Load = {
    call: (kind, extra = {}) =>
      Promise.all(
        workers.map((worker, index) =>
          // Only the first process pauses its first client (scenario D).
          callOne(worker, kind, index === 0 ? extra : { ...extra, pauseFirst: false }),
        ),
      ),
    stop: async () => {
      await Promise.all(
        workers.map(async (worker) => {
          await callOne(worker, 'stop', {});
          if (worker.exitCode === null) {
            await new Promise((resolve) => worker.once('exit', resolve));
          }
        }),
      );
    },
  };
  await load.call('start');
  return load;
}

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] as number;
}

interface Row {
  scenario: string;
  clients: number;
  requested: number;
  delivered: number;
  p50: number;
  p99: number;
  gaps: number;
  cpu: number;
  rss: number;
  writes: number;
}

const progress = (text: string) => process.stderr.write(`[bench] ${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(
  scenario: string,
  pid: number,
  load: Load,
  clients: number,
  ratePerSymbol: number,
  options: { seconds?: number; pauseFirst?: boolean } = {},
): Promise<Row> {
  progress(`${scenario}: ${clients} clients`);
  feed.setRate(ratePerSymbol);
  await sleep(1_000);
  const seconds = options.seconds ?? SECONDS;
  const before = sampleProc(pid);
  let rss = before.rssMb;
  const started = performance.now();
  await load.call('measure', { pauseFirst: options.pauseFirst ?? false });
  const sampler = setInterval(() => {
    rss = Math.max(rss, sampleProc(pid).rssMb);
  }, 250);
  await sleep(seconds * 1_000);
  const reports = (await load.call('report')) as Report[];
  const report: Report = {
    received: reports.reduce((sum, entry) => sum + entry.received, 0),
    gaps: reports.reduce((sum, entry) => sum + entry.gaps, 0),
    latencies: reports.flatMap((entry) => entry.latencies),
  };
  const elapsed = (performance.now() - started) / 1_000;
  clearInterval(sampler);
  const after = sampleProc(pid);
  const sorted = report.latencies.sort((left, right) => left - right);
  const receivingClients = options.pauseFirst ? clients - 1 : clients;
  return {
    scenario,
    clients,
    requested: SYMBOLS.length * ratePerSymbol * receivingClients,
    delivered: report.received / elapsed,
    p50: percentile(sorted, 0.5) / 1_000,
    p99: percentile(sorted, 0.99) / 1_000,
    gaps: report.gaps,
    cpu: (after.cpuTicks - before.cpuTicks) / 100 / elapsed,
    rss: Math.max(rss, after.rssMb),
    writes: (after.writes - before.writes) / elapsed,
  };
}

function printRows(title: string, rows: Row[]): void {
  const lines = [
    `\n${title}`,
    '| scenario | clients | requested msgs/s | delivered msgs/s | p50 ms | p99 ms | seq gaps | proxy CPU (cores) | proxy RSS MB | proxy writes/s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.scenario} | ${row.clients} | ${Math.round(row.requested).toLocaleString('en-US')} | ${Math.round(row.delivered).toLocaleString('en-US')} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.gaps} | ${row.cpu.toFixed(2)} | ${row.rss.toFixed(0)} | ${Math.round(row.writes).toLocaleString('en-US')} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runWith(clients: number, body: (pid: number, load: Load) => Promise<void>) {
  const proxy = await startProxy();
  const pid = proxy.child.pid as number;
  progress(`ws-proxy pid ${pid} at ${proxy.url}; connecting ${clients} clients`);
  const load = await startLoad(proxy.url, clients);
  progress('clients subscribed');
  try {
    await body(pid, load);
  } finally {
    await load.stop();
    proxy.child.kill('SIGTERM');
    await new Promise((resolve) => proxy.child.once('exit', resolve));
    feed.setRate(10);
    await sleep(500);
  }
}

async function main(): Promise<void> {
  await hub.start();
  if (SCENARIOS.includes('A') || SCENARIOS.includes('B')) {
    const rows: Row[] = [];
    if (SCENARIOS.includes('A')) {
      await runWith(10, async (pid, load) => {
        rows.push(await measure('A: 100 symbols x 10 ticks/s', pid, load, 10, 10));
      });
    }
    if (SCENARIOS.includes('B')) {
      await runWith(100, async (pid, load) => {
        rows.push(await measure('B: 100 symbols x 10 ticks/s', pid, load, 100, 10));
      });
    }
    printRows('Fan-out (one ws-proxy process)', rows);
  }
  if (SCENARIOS.includes('C')) {
    await ramp();
  }
  if (SCENARIOS.includes('D')) {
    await slowClient();
  }
  feed.stop();
  await hub.close();
  process.exit(0);
}

async function ramp(): Promise<void> {
  const ramp: Row[] = [];
  for (const [clients, rates] of [
    [10, [50, 100, 200, 400, 600, 800, 1_000, 1_200, 1_500]],
    [100, [20, 30, 40, 60, 80, 100, 120, 150, 200, 250, 300]],
  ] as const) {
    await runWith(clients, async (pid, load) => {
      for (const rate of rates) {
        const row = await measure(`C: ramp, ${rate} ticks/s per symbol`, pid, load, clients, rate, {
          seconds: Math.max(3, SECONDS / 2),
        });
        ramp.push(row);
        if (row.delivered < row.requested * 0.97 || row.p99 > 100) {
          break;
        }
      }
    });
  }
  printRows('Ramp to the maximum sustained rate', ramp);
  const sustained = ramp.filter((row) => row.delivered >= row.requested * 0.97 && row.p99 <= 100);
  const best = sustained.reduce((max, row) => Math.max(row.delivered, max), 0);
  process.stdout.write(
    `\nMaximum sustained: ${Math.round(best).toLocaleString('en-US')} client messages/s\n`,
  );
}

async function slowClient(): Promise<void> {
  const slow: Row[] = [];
  await runWith(10, async (pid, load) => {
    slow.push(
      await measure(`D: one of 10 clients stops reading for ${PAUSE_SECONDS} s`, pid, load, 10, 10, {
        seconds: PAUSE_SECONDS,
        pauseFirst: true,
      }),
    );
  });
  printRows('Slow client (the other clients)', slow);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
