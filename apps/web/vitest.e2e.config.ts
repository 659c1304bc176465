import { defineConfig } from 'vitest/config';

/** Browser suites against the embedded start (built api + web app, ws-proxy when built). */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
