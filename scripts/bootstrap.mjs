#!/usr/bin/env node
// The two README commands land here: `npm start` and `npm test`.
// Needs only Node.js >= 20 and npm: it fetches the pnpm version pinned in package.json
// into .tools/ (no global install, no corepack), installs with the frozen lockfile,
// then builds and starts the product, or runs every test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = String(rootPackage.packageManager).replace(/^pnpm@/, '');
const command = process.argv[2];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 10)) {
  console.error(`OpenAlgo TS needs Node.js 20.10 or newer (found ${process.versions.node}).`);
  process.exit(1);
}

function run(executable, args, options = {}) {
  const result = spawnSync(executable, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    throw result.error;
  }
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

function ensurePnpm() {
  const toolDir = join(root, '.tools', `pnpm-${pnpmVersion}`);
  const entry = join(toolDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(entry)) {
    console.log(`> fetching pnpm ${pnpmVersion} into .tools/`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(npm, [
      'install',
      '--prefix',
      toolDir,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${pnpmVersion}`,
    ]);
  }
  return entry;
}

const pnpmEntry = ensurePnpm();
// turbo looks for the package manager's binary on PATH: put the fetched pnpm there.
const pnpmBin = join(dirname(dirname(pnpmEntry)), '..', '.bin');
process.env.PATH = [pnpmBin, process.env.PATH].join(process.platform === 'win32' ? ';' : ':');
const pnpm = (args, options) => run(process.execPath, [pnpmEntry, ...args], options);

pnpm(['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only']);

if (command === 'test') {
  // Lint + types + every package's tests, then the slow end-to-end suites.
  pnpm(['exec', 'biome', 'ci', '.']);
  pnpm(['exec', 'node', 'scripts/check-boundaries.mjs']);
  pnpm(['exec', 'turbo', 'run', 'typecheck', 'test', '--concurrency=2', '--output-logs=new-only']);
  pnpm(['exec', 'turbo', 'run', 'test:e2e', '--concurrency=1', '--output-logs=new-only']);
} else if (command === 'start') {
  pnpm(['exec', 'turbo', 'run', 'build', '--filter=./apps/*', '--output-logs=errors-only']);
  startEmbedded();
} else {
  console.error('usage: node scripts/bootstrap.mjs <start|test>');
  process.exit(2);
}

function startEmbedded() {
  const children = [];
  const env = { WEB_DIR: join(root, 'apps', 'web', 'dist'), DATA_DIR: join(root, 'data'), ...process.env };
  const spawnApp = (name, entry, nodeArgs = []) => {
    const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, entry], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${name} exited (${signal ?? code}); stopping everything.`);
        stopAll(code ?? 1);
      }
    });
    children.push(child);
    return child;
  };
  let stopping = false;
  const stopAll = (code) => {
    stopping = true;
    for (const child of children) {
      child.kill('SIGTERM');
    }
    setTimeout(() => process.exit(code), 5000).unref();
    Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve)))).then(() =>
      process.exit(code),
    );
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  spawnApp('api', join(root, 'apps', 'api', 'dist', 'server.js'));
  const proxyEntry = join(root, 'apps', 'ws-proxy', 'dist', 'server.js');
  if (existsSync(proxyEntry)) {
    // As `npm start` in apps/ws-proxy runs it (a small young generation; see its README).
    spawnApp('ws-proxy', proxyEntry, ['--max-semi-space-size=4']);
  }
}
