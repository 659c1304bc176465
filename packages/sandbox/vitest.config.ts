import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Database suites on a shared, busy machine: generous limits, never a timing assertion.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
