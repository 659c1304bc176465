#!/usr/bin/env node
// openalgo-create-broker <dir> --name <name>
// Starts a broker package from the template shipped in @openalgo/broker-sdk: copies it into
// <dir> with "Paper"/"paper" renamed to the given name, and merges what it needs into an
// existing package.json (for example one `npm init` just wrote). Never overwrites a source file.
// The template's manifest is template/package.template.json (a nested package.json would be
// read by tools as a package of its own).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const templateDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'template');

function fail(message) {
  console.error(`openalgo-create-broker: ${message}`);
  console.error(
    'usage: openalgo-create-broker <dir> --name <name>   (name: lower case, e.g. acme or acme-trade)',
  );
  process.exit(1);
}

const args = process.argv.slice(2);
const nameIndex = args.indexOf('--name');
const name = nameIndex >= 0 ? args[nameIndex + 1] : undefined;
const target = args.find((arg, index) => !arg.startsWith('--') && index !== nameIndex + 1);
if (!target) {
  fail('missing <dir>');
}
if (!name || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  fail(`--name must be lower case letters and digits, optionally hyphenated (got ${JSON.stringify(name)})`);
}
if (name === 'paper') {
  fail('pick your broker\'s name, not "paper"');
}
const pascal = name.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter) => letter.toUpperCase());
const camel = pascal[0].toLowerCase() + pascal.slice(1);
const upper = name.toUpperCase().replace(/-/g, '_');
const rename = (text) =>
  text
    .replace(/PAPER/g, upper)
    .replace(/Paper/g, pascal)
    .replace(/paper(?=[A-Z])/g, camel)
    .replace(/paper/g, name);

const written = [];
function copy(fromDir, toDir) {
  for (const entry of readdirSync(fromDir)) {
    const from = join(fromDir, entry);
    const to = join(toDir, rename(entry));
    if (statSync(from).isDirectory()) {
      copy(from, to);
      continue;
    }
    if (entry === 'package.template.json') {
      continue;
    }
    if (existsSync(to)) {
      fail(`${to} exists: refusing to overwrite it`);
    }
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, rename(readFileSync(from, 'utf8')));
    written.push(relative(target, to));
  }
}

mkdirSync(target, { recursive: true });
copy(templateDir, target);

const template = JSON.parse(readFileSync(join(templateDir, 'package.template.json'), 'utf8'));
const manifestPath = join(target, 'package.json');
const existing = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
const merged = {
  ...existing,
  name: existing.name ?? `openalgo-broker-${name}`,
  version: existing.version ?? template.version,
  description: rename(template.description),
  type: 'module',
  sideEffects: false,
  exports: template.exports,
  scripts: { ...existing.scripts, ...template.scripts },
  dependencies: { ...template.dependencies, ...existing.dependencies },
  devDependencies: { ...template.devDependencies, ...existing.devDependencies },
};
delete merged.main;
writeFileSync(manifestPath, `${JSON.stringify(merged, null, 2)}\n`);
written.push('package.json');

console.log(`Created the ${pascal} broker package in ${target}:`);
for (const file of written) {
  console.log(`  ${file}`);
}
console.log('\nNext: install the dev dependencies (npm install), then run npm test.');
