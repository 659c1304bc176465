import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  // The template imports this package by its published name, as a third party would.
  resolve: {
    alias: [
      { find: /^@openalgo\/broker-sdk$/, replacement: source('index.ts') },
      { find: /^@openalgo\/broker-sdk\/(http|ws|symbols|testkit)$/, replacement: source('$1/index.ts') },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'template/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
