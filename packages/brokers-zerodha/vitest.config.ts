import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Fake-server suites move tens of thousands of rows; a shared CI machine can be slow.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
