#!/usr/bin/env node
// Repository checks run by `pnpm check` and the test command (house rules 1, 3, 5, 14):
// dependency direction between workspaces, apps declaring what they bundle, no `toFixed(`
// on money outside the web app's display code.
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
};

for (const { manifest } of workspaces.values()) {
  const name = manifest.name;
  const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
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
  const deps = { ...workspace.manifest.dependencies, ...workspace.manifest.peerDependencies };
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
