import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Generous limits: the suites share a small machine with other builds in CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
