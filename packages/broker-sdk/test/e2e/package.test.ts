import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published artifact, tested as a third party gets it: `pnpm pack` of this package (and of
 * `@openalgo/shared-types`, which it depends on) is linted by publint and are-the-types-wrong
 * (ESM only), then installed into an empty folder outside the workspace, where the generator
 * starts a broker package from the template; its types (importing every subpath) must check
 * and its conformance suite must pass against its own fake server.
 */

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('../..', import.meta.url));
const sharedDir = join(sdkDir, '..', 'shared-types');

/** pnpm as the test was started with (`pnpm test:e2e` sets npm_execpath), else from PATH. */
function pnpm(args: string[], cwd: string) {
  const execPath = process.env.npm_execpath;
  const [command, prefix] =
    execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ['pnpm', [] as string[]];
  return run(command, [...prefix, ...args], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', npm_config_update_notifier: 'false' },
  });
}

let workDir: string;
let sdkTarball: string;
let sharedTarball: string;

beforeAll(async () => {
  for (const dir of [sdkDir, sharedDir]) {
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      throw new Error(`${dir} has no dist: build it first (turbo runs test:e2e after build)`);
    }
  }
  workDir = await mkdtemp(join(tmpdir(), 'openalgo-broker-sdk-'));
  await pnpm(['pack', '--pack-destination', workDir], sharedDir);
  await pnpm(['pack', '--pack-destination', workDir], sdkDir);
  const files = await readdir(workDir);
  sdkTarball = join(workDir, files.find((file) => file.startsWith('openalgo-broker-sdk-')) ?? 'missing');
  sharedTarball = join(workDir, files.find((file) => file.startsWith('openalgo-shared-types-')) ?? 'missing');
});

afterAll(async () => {
  if (workDir) {
    await rm(workDir, { recursive: true, force: true });
  }
});

describe('the packed @openalgo/broker-sdk', () => {
  it('ships dist, the template, the generator and a manifest whose exports all point into dist', async () => {
    const { stdout } = await run('tar', ['-tzf', sdkTarball]);
    const entries = stdout.split('\n');
    for (const file of [
      'package/dist/index.js',
      'package/dist/index.d.ts',
      'package/dist/http/index.js',
      'package/dist/ws/index.d.ts',
      'package/dist/symbols/index.js',
      'package/dist/testkit/index.d.ts',
      'package/bin/create-broker.mjs',
      'package/template/src/paper-broker.ts',
      'package/README.md',
    ]) {
      expect(entries).toContain(file);
    }
    expect(entries.some((entry) => entry.startsWith('package/src/'))).toBe(false);
    const { stdout: manifestText } = await run('tar', ['-xzOf', sdkTarball, 'package/package.json']);
    const manifest = JSON.parse(manifestText) as {
      exports: Record<string, unknown>;
      dependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath !== './package.json') {
        expect(JSON.stringify(target), subpath).toMatch(
          /^\{"types":"\.\/dist\/[^"]+\.d\.ts","default":"\.\/dist\/[^"]+\.js"\}$/,
        );
      }
    }
    expect(Object.keys(manifest.exports).sort()).toEqual([
      '.',
      './http',
      './package.json',
      './symbols',
      './testkit',
      './ws',
    ]);
    // Workspace and catalog specifiers are resolved to real versions on pack.
    expect(Object.values(manifest.dependencies).some((range) => /workspace:|catalog:/.test(range))).toBe(
      false,
    );
    expect(manifest.peerDependenciesMeta.vitest?.optional).toBe(true);
  });

  it('passes publint', async () => {
    const { stdout } = await pnpm(['exec', 'publint', 'run', sdkTarball, '--strict'], sdkDir);
    expect(stdout).toMatch(/All good!/);
  });

  it('passes are-the-types-wrong for ESM-only consumers', async () => {
    // attw exits non-zero on any problem the esm-only profile does not ignore.
    const { stdout } = await pnpm(
      ['exec', 'attw', sdkTarball, '--profile', 'esm-only', '--format', 'json'],
      sdkDir,
    );
    const { analysis } = JSON.parse(stdout) as {
      analysis: {
        problems: Array<{ kind: string; resolutionKind?: string }>;
        entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName?: string } }> }>;
      };
    };
    // Only what ESM-only ignores is left: node10 and require() from CommonJS.
    expect(
      analysis.problems.filter((problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind ?? '')),
    ).toEqual([]);
    for (const subpath of ['.', './http', './ws', './symbols', './testkit']) {
      const folder = subpath === '.' ? '' : `${subpath.slice(2)}/`;
      for (const kind of ['node16-esm', 'bundler']) {
        expect(
          analysis.entrypoints[subpath]?.resolutions[kind]?.resolution?.fileName,
          `${subpath} (${kind})`,
        ).toBe(`/node_modules/@openalgo/broker-sdk/dist/${folder}index.d.ts`);
      }
    }
  });

  it('installs outside the workspace: every subpath type-checks and the generated broker passes conformance', async () => {
    const project = join(workDir, 'acme');
    await mkdir(project);
    await run('npm', ['init', '-y'], { cwd: project });
    // shared-types is not on a registry here either: point every request for it at its tarball.
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    manifest.pnpm = { overrides: { '@openalgo/shared-types': `file:${sharedTarball}` } };
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    await pnpm(
      ['add', `file:${sdkTarball}`, `file:${sharedTarball}`, 'zod@^4.2.0', '--prefer-offline'],
      project,
    );
    const generated = await run(
      process.execPath,
      [
        join(project, 'node_modules', '@openalgo', 'broker-sdk', 'bin', 'create-broker.mjs'),
        '.',
        '--name',
        'acme',
      ],
      { cwd: project },
    );
    expect(generated.stdout).toContain('Created the Acme broker package');
    await pnpm(['install', '--prefer-offline', '--no-frozen-lockfile'], project);
    await writeFile(
      join(project, 'src', 'every-subpath.ts'),
      [
        "import { type BrokerAdapter, NotSupportedError, SPECIFICATION_VERSION } from '@openalgo/broker-sdk';",
        "import { createHttpClient, type HttpClientSettings, RateLimiter } from '@openalgo/broker-sdk/http';",
        "import { buildDerivativeSymbol, normalizeIndexName } from '@openalgo/broker-sdk/symbols';",
        "import { describeBrokerConformance, MockBroker, validateOrder } from '@openalgo/broker-sdk/testkit';",
        "import { backoffDelay, ReconnectingWebSocket } from '@openalgo/broker-sdk/ws';",
        '',
        "const version: 'v1' = SPECIFICATION_VERSION;",
        'const mock: BrokerAdapter = new MockBroker();',
        "const settings: HttpClientSettings = { baseUrl: 'http://127.0.0.1:1' };",
        'export const used = [version, mock, createHttpClient(settings), RateLimiter, NotSupportedError,',
        "  buildDerivativeSymbol({ underlying: 'NIFTY', expiry: '2030-01-31', instrumentType: 'FUT' }).symbol,",
        "  normalizeIndexName('NSE_INDEX', 'NIFTY 50'), describeBrokerConformance, validateOrder, backoffDelay, ReconnectingWebSocket];",
        '// @ts-expect-error: the contract version is a literal type',
        "export const wrong: 'v2' = SPECIFICATION_VERSION;",
        '',
      ].join('\n'),
    );
    await pnpm(['exec', 'tsc', '--noEmit'], project);
    const tested = await pnpm(['exec', 'vitest', 'run', '--reporter=verbose'], project);
    expect(tested.stdout).toMatch(/broker conformance \(contract v1\): acme/);
    expect(tested.stdout).toMatch(/Tests\s+35 passed \(35\)/);
  });
});
