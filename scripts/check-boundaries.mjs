#!/usr/bin/env node
// Repository checks run by `pnpm check` and the test command (house rules 1, 3, 4, 5, 14, 22):
// dependency direction between workspaces, apps declaring what they bundle, the broker SDK's
// recorded runtime dependencies and subpaths, published exports, broker packages' exports and
// conformance runs, no `toFixed(` on money outside the web app's display code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const problems = [];

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const workspaces = new Map();
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    try {
      const manifest = readJson(join(dir, 'package.json'));
      workspaces.set(manifest.name, { dir, group, manifest });
    } catch {
      // not a package
    }
  }
}

const APPS = new Set([...workspaces.values()].filter((w) => w.group === 'apps').map((w) => w.manifest.name));
const allowedInternal = {
  '@openalgo/shared-types': [],
  '@openalgo/broker-sdk': ['@openalgo/shared-types'],
  '@openalgo/db': [],
  '@openalgo/sandbox': ['@openalgo/broker-sdk', '@openalgo/shared-types', '@openalgo/db'],
};
const allowedThirdParty = {
  '@openalgo/shared-types': ['zod', 'decimal.js'],
  // Recorded in packages/broker-sdk/README.md ("Decisions"): undici for ./http, ws for ./ws,
  // vitest as an optional peer of ./testkit only, zod as a peer.
  '@openalgo/broker-sdk': ['zod', 'undici', 'ws', 'vitest'],
};

/** Runtime dependencies: dependencies and non-optional peers (an optional peer is the consumer's choice). */
function runtimeDependencies(manifest) {
  const optional = new Set(
    Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta?.optional === true)
      .map(([name]) => name),
  );
  const peers = Object.fromEntries(
    Object.entries(manifest.peerDependencies ?? {}).filter(([name]) => !optional.has(name)),
  );
  return { ...manifest.dependencies, ...peers };
}

for (const { manifest } of workspaces.values()) {
  const name = manifest.name;
  const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
  if (name === '@openalgo/broker-sdk' && !manifest.peerDependenciesMeta?.vitest?.optional) {
    problems.push(`${name}: vitest must be an optional peer dependency (only ./testkit needs it)`);
  }
  if (name === '@openalgo/broker-sdk' && manifest.dependencies?.vitest) {
    problems.push(`${name}: vitest must not be a runtime dependency`);
  }
  const internal = Object.keys(runtime).filter((dep) => workspaces.has(dep));
  const thirdParty = Object.keys(runtime).filter((dep) => !workspaces.has(dep));
  if (!APPS.has(name)) {
    for (const dep of internal) {
      if (APPS.has(dep)) {
        problems.push(`${name} depends on the app ${dep}: packages never import apps`);
      }
    }
  }
  const isBroker = name.startsWith('@openalgo/brokers-');
  const allowed = isBroker ? ['@openalgo/broker-sdk', '@openalgo/shared-types'] : allowedInternal[name];
  if (allowed) {
    for (const dep of internal) {
      if (!allowed.includes(dep)) {
        problems.push(`${name} may not depend on ${dep} (allowed: ${allowed.join(', ') || 'none'})`);
      }
    }
  }
  if (allowedThirdParty[name]) {
    for (const dep of thirdParty) {
      if (!allowedThirdParty[name].includes(dep)) {
        problems.push(`${name} may not depend on ${dep}: it must stay browser-safe and minimal`);
      }
    }
  }
}

// Apps bundle workspace code, so they must declare the third-party runtime dependencies of
// every workspace package they pull in (else the built app fails to resolve them at runtime).
function collectThirdParty(name, seen = new Set()) {
  if (seen.has(name)) {
    return new Set();
  }
  seen.add(name);
  const workspace = workspaces.get(name);
  const result = new Set();
  if (!workspace) {
    return result;
  }
  const deps = runtimeDependencies(workspace.manifest);
  for (const dep of Object.keys(deps)) {
    if (workspaces.has(dep)) {
      for (const nested of collectThirdParty(dep, seen)) {
        result.add(nested);
      }
    } else {
      result.add(dep);
    }
  }
  return result;
}
for (const app of APPS) {
  if (app === '@openalgo/web') {
    continue; // Vite bundles everything for the browser.
  }
  const manifest = workspaces.get(app).manifest;
  const declared = new Set(Object.keys({ ...manifest.dependencies }));
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (!workspaces.has(dep)) {
      continue;
    }
    for (const needed of collectThirdParty(dep)) {
      if (!declared.has(needed)) {
        problems.push(`${app} bundles ${dep}, which needs ${needed}: add it to ${app}'s dependencies`);
      }
    }
  }
}

// Broker packages export exactly create<Name>Broker, <Name>BrokerSettings and VERSION (rule 5).
for (const { manifest, dir } of workspaces.values()) {
  if (!manifest.name.startsWith('@openalgo/brokers-')) {
    continue;
  }
  const index = readFileSync(join(dir, 'src', 'index.ts'), 'utf8');
  const base = manifest.name.replace('@openalgo/brokers-', '');
  const pascal = base.replace(/(^|-)([a-z])/g, (_m, _d, letter) => letter.toUpperCase());
  for (const required of [`create${pascal}Broker`, `${pascal}BrokerSettings`, 'VERSION']) {
    if (!new RegExp(`\\b${required}\\b`).test(index)) {
      problems.push(`${manifest.name} must export ${required} from src/index.ts`);
    }
  }
}

// Published packages: every workspace export has a dist twin in publishConfig (rule 3).
for (const { manifest } of workspaces.values()) {
  if (manifest.private || !manifest.exports) {
    continue;
  }
  const published = manifest.publishConfig?.exports ?? {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const twin = published[subpath];
    if (twin === undefined) {
      problems.push(`${manifest.name}: export ${subpath} has no publishConfig.exports entry`);
      continue;
    }
    if (typeof target === 'string') {
      continue; // ./package.json and other plain files publish as they are
    }
    const keys = Object.keys(twin);
    if (keys[0] !== 'types') {
      problems.push(`${manifest.name}: publishConfig.exports["${subpath}"] must list types first`);
    }
    for (const key of keys) {
      if (!String(twin[key]).startsWith('./dist/')) {
        problems.push(`${manifest.name}: publishConfig.exports["${subpath}"].${key} must point into ./dist`);
      }
    }
  }
}

// The broker SDK's root export is the contract only: no helper, testkit or third-party runtime
// code behind it (rule 4), and only ./testkit may import vitest.
{
  const sdk = workspaces.get('@openalgo/broker-sdk');
  if (sdk) {
    const rootImports = /from\s+['"]([^'"]+)['"]/g;
    const seen = new Set();
    const pending = [join(sdk.dir, 'src', 'index.ts')];
    while (pending.length > 0) {
      const file = pending.pop();
      if (seen.has(file)) {
        continue;
      }
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(rootImports)) {
        if (specifier.startsWith('.')) {
          pending.push(join(file, '..', specifier.replace(/\.js$/, '.ts')));
        } else if (!['@openalgo/shared-types', 'zod'].includes(specifier)) {
          problems.push(
            `${relative(root, file)}: the broker-sdk root export may not pull in ${specifier} (use a subpath)`,
          );
        }
      }
    }
    const visit = (dir) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          visit(path);
        } else if (
          /\.ts$/.test(entry) &&
          !/\.test\.ts$/.test(entry) &&
          !relative(join(sdk.dir, 'src'), path).startsWith('testkit') &&
          /from\s+['"]vitest['"]/.test(readFileSync(path, 'utf8'))
        ) {
          problems.push(`${relative(root, path)}: only ./testkit may import vitest`);
        }
      }
    };
    visit(join(sdk.dir, 'src'));
  }
}

// Every broker package runs the conformance suite (rule 22).
for (const { manifest, dir } of workspaces.values()) {
  if (!manifest.name.startsWith('@openalgo/brokers-')) {
    continue;
  }
  let text = '';
  try {
    text = readFileSync(join(dir, 'src', 'conformance.test.ts'), 'utf8');
  } catch {
    // reported below
  }
  if (!/describeBrokerConformance\(/.test(text) || !/@openalgo\/broker-sdk\/testkit/.test(text)) {
    problems.push(
      `${manifest.name}: src/conformance.test.ts must run describeBrokerConformance from @openalgo/broker-sdk/testkit`,
    );
  }
}

// `toFixed(` is banned on money outside the web app's display code (rule 14).
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (['node_modules', 'dist', '.turbo', 'data', 'test-results'].includes(entry)) {
      continue;
    }
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (/\.(ts|tsx)$/.test(entry)) {
      const text = readFileSync(path, 'utf8');
      const rel = relative(root, path);
      if (
        !rel.startsWith('apps/web/') &&
        /\.toFixed\(/.test(text) &&
        !/check-boundaries: allow toFixed/.test(text)
      ) {
        problems.push(
          `${rel}: toFixed( is not allowed (use roundTo / roundToTick from @openalgo/shared-types/decimal)`,
        );
      }
    }
  }
}
walk(join(root, 'apps'));
walk(join(root, 'packages'));

if (problems.length > 0) {
  console.error(`Repository checks failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
console.log(`Repository checks passed (${workspaces.size} workspaces).`);
