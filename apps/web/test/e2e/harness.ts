import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPO_ROOT = join(WEB_ROOT, '..', '..');
export const RESULTS_DIR = join(WEB_ROOT, 'test-results');

export interface RunningProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  stop: () => Promise<void>;
}

function run(name: string, entry: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return {
    child,
    output: () => `[${name}]\n${output}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(
  check: () => string | undefined,
  processes: RunningProcess[],
  timeoutMs: number,
): Promise<string> {
  const started = Date.now();
  for (;;) {
    const found = check();
    if (found) {
      return found;
    }
    const exited = processes.find((entry) => entry.child.exitCode !== null);
    if (exited) {
      throw new Error(`a process exited early:\n${exited.output()}`);
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `timed out waiting for start-up:\n${processes.map((entry) => entry.output()).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface EmbeddedStart {
  baseUrl: string;
  processes: RunningProcess[];
  stop: () => Promise<void>;
}

/**
 * The embedded start as `npm start` runs it, on free loopback ports and a fresh data folder
 * (PGlite): the built api serving the built web app, and the ws-proxy when it is built, each
 * waited for until it listens.
 */
export async function startEmbedded(): Promise<EmbeddedStart> {
  const apiEntry = join(REPO_ROOT, 'apps', 'api', 'dist', 'server.js');
  if (!existsSync(apiEntry) || !existsSync(join(WEB_ROOT, 'dist', 'index.html'))) {
    throw new Error('build the api and the web app first (turbo runs the builds before test:e2e)');
  }
  // The api takes its own port (PORT=0) and the hub's (`:*`) and prints them. The ws-proxy's
  // must be known to the api up front (the web app is told where the feed is), so it is picked
  // here; another process on the machine (connections of other suites use the same ephemeral
  // range) can take it before it is bound, so a start that lost it is made again on a fresh one.
  for (let attempt = 1; ; attempt += 1) {
    const processes: RunningProcess[] = [];
    try {
      return await startEmbeddedOnce(apiEntry, processes);
    } catch (error) {
      // The failed start stopped its processes and removed its data folder already.
      const lostPort = processes.some((entry) => entry.output().includes('EADDRINUSE'));
      if (!lostPort || attempt >= 3) {
        throw error;
      }
    }
  }
}

async function startEmbeddedOnce(apiEntry: string, processes: RunningProcess[]): Promise<EmbeddedStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-web-e2e-'));
  const wsPort = await freePort();
  const env = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    WEB_DIR: join(WEB_ROOT, 'dist'),
    WS_URL: `ws://127.0.0.1:${wsPort}`,
    WS_HOST: '127.0.0.1',
    WS_PORT: String(wsPort),
    // The market-data hub's ZeroMQ sockets, on ports the api picks and prints for the ws-proxy.
    HUB_PUBLISH_URL: 'tcp://127.0.0.1:*',
    HUB_CONTROL_URL: 'tcp://127.0.0.1:*',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    FIRST_RUN: 'web',
  };
  const stopAll = async () => {
    for (const entry of [...processes].reverse()) {
      await entry.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const api = run('api', apiEntry, env);
    processes.push(api);
    const baseUrl = await waitFor(
      () => /REST API\s+(http:\/\/\S+)\/api\/v1/.exec(api.output())?.[1],
      processes,
      // A fresh PGlite data folder is created and migrated first; generous on a loaded machine.
      150_000,
    );
    const proxyEntry = join(REPO_ROOT, 'apps', 'ws-proxy', 'dist', 'server.js');
    if (existsSync(proxyEntry)) {
      const hub = /Market hub\s+(tcp:\/\/\S+) \(ticks\), (tcp:\/\/\S+) \(control\)/.exec(api.output());
      if (!hub?.[1] || !hub[2]) {
        throw new Error(`the api printed no market hub endpoints:\n${api.output()}`);
      }
      const proxy = run('ws-proxy', proxyEntry, { ...env, HUB_PUBLISH_URL: hub[1], HUB_CONTROL_URL: hub[2] });
      processes.push(proxy);
      await waitFor(
        () => /WebSocket feed listening on (ws:\/\/\S+)/.exec(proxy.output())?.[1],
        processes,
        30_000,
      );
    }
    return { baseUrl, processes, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Debian's Chromium, headless, with a fresh profile and no traffic of its own. */
export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<BrowserContext> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'openalgo-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  profiles.set(context, userDataDir);
  return context;
}

/** Each launched browser's profile folder, removed when it is closed with `closeBrowser`. */
const profiles = new WeakMap<BrowserContext, string>();

/**
 * Closes the browser, then removes its profile. Chromium's helper processes can still be
 * writing caches as it exits, so the removal is retried and, if it still fails, given up on:
 * a leftover temporary profile is not worth failing a suite over.
 */
export async function closeBrowser(context: BrowserContext): Promise<void> {
  await context.close();
  const profile = profiles.get(context);
  if (profile) {
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => {});
  }
}

export function screenshotPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, `${name}.png`);
}
