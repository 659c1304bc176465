import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  baseUrl: string;
  /** ms from spawn to the first successful ping (when a key is known) or to "listening". */
  readyMs: number;
  stop(): Promise<number | null>;
}

/** Starts the built api (`dist/server.js`) and waits for its banner. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [join(API_ROOT, 'dist', 'server.js')], {
    cwd: API_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const check = () => {
      const match = /REST API\s+(http:\/\/\S+)\/api\/v1/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    baseUrl,
    readyMs: performance.now() - startedAt,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(API_ROOT, 'dist', 'cli.js'), ...args], {
      cwd: API_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function ping(baseUrl: string, apikey: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}/api/v1/ping`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apikey }),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * The market hub's endpoints as the api printed them. Started with `tcp://127.0.0.1:*`, the api
 * binds ports of its own choosing, so none is picked here and lost to another process before
 * it is bound; the ws-proxy is then given these.
 */
export function hubEndpointsOf(output: string): { HUB_PUBLISH_URL: string; HUB_CONTROL_URL: string } {
  const match = /Market hub\s+(tcp:\/\/\S+) \(ticks\), (tcp:\/\/\S+) \(control\)/.exec(output);
  if (!match?.[1] || !match[2]) {
    throw new Error(`the api printed no market hub endpoints:\n${output}`);
  }
  return { HUB_PUBLISH_URL: match[1], HUB_CONTROL_URL: match[2] };
}

export interface RunningProxy {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  stop(): Promise<number | null>;
}

/** Starts the built ws-proxy (`apps/ws-proxy/dist/server.js`) and waits until it listens. */
export async function startWsProxy(env: Record<string, string>): Promise<RunningProxy> {
  const child = spawn(process.execPath, [join(API_ROOT, '..', 'ws-proxy', 'dist', 'server.js')], {
    cwd: join(API_ROOT, '..', 'ws-proxy'),
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const wsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ws-proxy did not start:\n${output}`)), 30_000);
    child.stdout.on('data', () => {
      const match = /WebSocket feed listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ws-proxy exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    wsUrl,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
