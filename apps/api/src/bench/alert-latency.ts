import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FloorReady, FloorWork } from './floor-process.js';
import { forkBenchProcess } from './fork-bench-process.js';
import { percentile } from './order-overhead.js';

/**
 * Alert → order accepted: a strategy made through the web app's routes (signed in with the
 * first-run admin), its webhook posted at a fixed rate, each alert timed from send to the
 * webhook's answer — which comes once the alert is stored, planned and its order accepted by
 * the order path (analyzer mode, so the order is real but virtual). CNC mappings: the sandbox
 * refuses MIS outside market hours, and the bench runs at any hour.
 */

export interface AlertBenchServer {
  baseUrl: string;
  apiKey: string;
  password: string;
}

export interface AlertRow {
  rate: number;
  sent: number;
  accepted: number;
  refused: number;
  /** No answer at all (connection error). */
  failed: number;
  p50: number;
  p99: number;
  max: number;
  achieved: number;
}

const SYMBOLS = ['SBIN', 'INFY', 'TCS', 'RELIANCE', 'HDFCBANK'];

async function json(response: Response): Promise<{ status?: string; data?: unknown; message?: unknown }> {
  const text = await response.text();
  try {
    return JSON.parse(text) as { status?: string; data?: unknown };
  } catch {
    throw new Error(`not JSON (${response.status}): ${text.slice(0, 200)}`);
  }
}

/**
 * The floor beside the figure: the same client and pacing against a bare node:http server in
 * its own process (floor-process.ts) doing only the database round trips of the alert path.
 */
export async function measureAlertFloor(
  work: FloorWork,
  rate: number,
  seconds: number,
  databaseUrl?: string,
): Promise<AlertRow> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-bench-floor-'));
  const child = forkBenchProcess('floor-process', {
    ...process.env,
    FLOOR_WORK: work,
    FLOOR_DATA_DIR: join(dataDir, 'db'),
    FLOOR_DATABASE_URL: databaseUrl ?? '',
  });
  try {
    const ready = await new Promise<FloorReady>((resolve, reject) => {
      child.once('message', (message: FloorReady) => resolve(message));
      child.once('exit', (code) => reject(new Error(`the floor process exited (${code})`)));
    });
    const server = { baseUrl: ready.url };
    // As for the webhook: a short warm-up at half the pace, untimed.
    await measureAlertRate(server, '/', 50, 2);
    return await measureAlertRate(server, '/', rate, seconds);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Signs in, creates a TradingView strategy with a few symbols, returns its webhook path. */
export async function prepareAlertStrategy(server: AlertBenchServer): Promise<string> {
  const login = await fetch(`${server.baseUrl}/web/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: server.password }),
  });
  const session = (await json(login)).data as { csrf_token?: string } | undefined;
  const cookie = login.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  if (!login.ok || !session?.csrf_token) {
    throw new Error(`sign-in failed: ${login.status}`);
  }
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrf_token };
  const created = await fetch(`${server.baseUrl}/web/strategies`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'alert bench', platform: 'tradingview', is_intraday: false }),
  });
  const strategy = (await json(created)).data as { id: number; webhook_id: string } | undefined;
  if (!created.ok || !strategy) {
    throw new Error(`strategy not created: ${created.status}`);
  }
  const mapped = await fetch(`${server.baseUrl}/web/strategies/${strategy.id}/symbols`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      symbols: SYMBOLS.map((symbol) => ({ symbol, exchange: 'NSE', quantity: 1, product: 'CNC' })),
    }),
  });
  if (!mapped.ok) {
    throw new Error(`symbols not mapped: ${mapped.status} ${await mapped.text()}`);
  }
  const toggled = await fetch(`${server.baseUrl}/api/v1/analyzer/toggle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apikey: server.apiKey, mode: true }),
  });
  if (!toggled.ok) {
    throw new Error(`analyzer mode not set: ${toggled.status}`);
  }
  return `/strategy/webhook/${strategy.webhook_id}`;
}

/** One POST on a kept-alive connection: the answer's status and body. */
function post(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Posts alerts evenly paced at `rate` per second for `seconds`; times each one. The sender is
 * node:http on kept-alive connections (not fetch, whose per-request cost on these 2-core
 * machines took a third of a core at 100/s, beside the server being measured).
 */
export async function measureAlertRate(
  server: Pick<AlertBenchServer, 'baseUrl'>,
  webhookPath: string,
  rate: number,
  seconds: number,
): Promise<AlertRow> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  let failed = 0;
  const reasons = new Map<string, number>();
  const inFlight: Array<Promise<void>> = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(`${server.baseUrl}${webhookPath}`);
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const symbol = SYMBOLS[index % SYMBOLS.length];
    const sentAt = performance.now();
    inFlight.push(
      // Entries only: a LONG strategy's SELL exits a position, which a refused or pending
      // entry may not have yet; every BUY is one order of the mapped quantity.
      post(agent, url, JSON.stringify({ symbol, action: 'BUY' })).then(
        ({ status, text }) => {
          latencies.push(performance.now() - sentAt);
          let body: { status?: string; message?: unknown; results?: Array<{ message?: unknown }> } = {};
          try {
            body = JSON.parse(text) as typeof body;
          } catch {
            body = { message: `not JSON (${status}): ${text.slice(0, 200)}` };
          }
          if (status >= 200 && status < 300 && body.status === 'success') {
            accepted += 1;
          } else {
            refused += 1;
            // The order path's own reason when the alert was stored but its order refused.
            // Counted by kind: the figures in a message (an expected wait) would make each one unique.
            const reason = String(
              body.results?.find((result) => result.message)?.message ?? body.message,
            ).replace(/\d+/g, 'N');
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          }
        },
        (error: unknown) => {
          failed += 1;
          const reason = error instanceof Error ? String(error.cause ?? error.message) : String(error);
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  if (reasons.size > 0) {
    console.error(`alerts at ${rate}/s not accepted:`, Object.fromEntries(reasons));
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    rate,
    sent: total,
    accepted,
    refused,
    failed,
    p50: round(percentile(latencies, 0.5)),
    p99: round(percentile(latencies, 0.99)),
    max: round(latencies.at(-1) ?? 0),
    achieved: Math.round(total / elapsed),
  };
}
