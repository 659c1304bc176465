#!/usr/bin/env node
// Fails the build when the JavaScript a first visit loads (the entry chunk and everything it
// imports statically, as listed by index.html's module script and modulepreload links) is over
// the budget, gzipped. Lazily loaded pages and the chart library do not count.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = new Set();
for (const match of html.matchAll(
  /<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g,
)) {
  files.add(match[1].replace(/^\//, ''));
}
if (files.size === 0) {
  console.error('check-bundle-size: no scripts found in dist/index.html');
  process.exit(1);
}
let total = 0;
const rows = [];
for (const file of files) {
  const bytes = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += bytes;
  rows.push({ file, gzipKiB: (bytes / 1024).toFixed(1) });
}
console.table(rows);
const kib = (total / 1024).toFixed(1);
if (total > BUDGET_BYTES) {
  console.error(`initial JS ${kib} KiB gzipped: over the ${BUDGET_BYTES / 1024} KiB budget`);
  process.exit(1);
}
console.log(`initial JS ${kib} KiB gzipped (budget ${BUDGET_BYTES / 1024} KiB)`);
