import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Forks a sibling bench module (`kite-process`, `floor-process`) with an IPC channel: the
 * built `.js` from a built bench, the `.ts` source under tsx from the sources.
 */
export function forkBenchProcess(name: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const entry = new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  return fork(fileURLToPath(entry), {
    // From the sources (tsx), the child needs the same loader.
    execArgv: entry.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
    ...(env ? { env } : {}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
