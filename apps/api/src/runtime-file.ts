import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `DATA_DIR/runtime.json` says which process serves this data folder and where. The CLI
 * reads it: while the server runs it owns the embedded database, so the CLI asks the server.
 */
export interface RuntimeInfo {
  pid: number;
  url: string;
  startedAt: number;
}

const FILE = 'runtime.json';

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(info)}\n`, { mode: 0o600 });
}

export function removeRuntimeInfo(dataDir: string, pid: number): void {
  const info = readRuntimeInfo(dataDir);
  if (info?.pid === pid) {
    rmSync(join(dataDir, FILE), { force: true });
  }
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | null {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) {
    return null;
  }
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<RuntimeInfo>;
    return typeof parsed.pid === 'number' && typeof parsed.url === 'string'
      ? { pid: parsed.pid, url: parsed.url, startedAt: Number(parsed.startedAt ?? 0) }
      : null;
  } catch {
    return null;
  }
}

/** The running server for this data folder, if its process is alive. */
export function findRunningServer(dataDir: string): RuntimeInfo | null {
  const info = readRuntimeInfo(dataDir);
  if (!info) {
    return null;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}
